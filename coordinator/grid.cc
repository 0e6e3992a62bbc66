#include "coordinator/grid.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "coordinator/grid_expand.h"
#include "yaml-cpp/yaml.h"
#include "common/yaml_describe.h"

namespace gop {
namespace {

// Web threads and pool sizes above this are typos, not configurations; the
// cap also keeps 2 x web_threads VUs far from int overflow.
constexpr int kMaxThreadsOrPool = 100000;
// More repetitions than this is a typo; it would also make millions of cells.
constexpr int kMaxRepetitions = 1000;

constexpr const char* kTopKeys[] = {"cpu_limits",
                                    "web_thread_multipliers",
                                    "db_pool_multipliers",
                                    "cells",
                                    "repetitions",
                                    "duration",
                                    "warmup",
                                    "prewarm",
                                    "vus",
                                    "rate",
                                    "max_vus",
                                    "executor",
                                    "scenario",
                                    "graceful_stop",
                                    "target",
                                    "run"};
constexpr const char* kCellKeys[] = {"cpu", "web_threads", "db_pool"};
constexpr const char* kTargetKeys[] = {"kind", "health_timeout", "reset_data"};
constexpr const char* kRunKeys[] = {"max_attempts", "lease_timeout",
                                    "unschedulable_grace"};
constexpr const char* kExecutors[] = {"constant-vus", "constant-arrival-rate"};
constexpr const char* kTargetKinds[] = {"any", "process", "compose",
                                        "external"};

struct Problem {
  int line;    // 1-based
  int column;  // 1-based
  std::string message;
};

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// The known word closest to `word`, if it is near enough to be a typo.
template <size_t N>
std::optional<std::string> NearMiss(absl::string_view word,
                                    const char* const (&known)[N]) {
  const std::string lower = absl::AsciiStrToLower(word);
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (const char* candidate : known) {
    const absl::string_view c(candidate);
    const size_t limit = std::clamp<size_t>(c.size() / 3, 1, 3);
    const size_t d = EditDistance(lower, c);
    if (d <= limit && (!best || d < best_distance)) {
      best = std::string(c);
      best_distance = d;
    }
  }
  return best;
}

// A computed value for messages: 6 significant digits hide binary noise
// (0.1 x 3 shows as 0.3).
std::string Num(double value) { return absl::StrCat(value); }

bool IsPlainName(absl::string_view name) {
  if (name.empty() || name.front() == '.' || name.front() == '-') return false;
  if (name.find("..") != absl::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
           c == '_' || c == '-';
  });
}

// Walks the YAML tree once, filling a GridSpec and collecting every problem.
class GridParser {
 public:
  explicit GridParser(std::string file_name)
      : file_name_(std::move(file_name)) {}

  GridSpec Parse(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) {
      AddAt(1, 1,
            "the grid is empty: give cpu_limits, web_thread_multipliers and "
            "db_pool_multipliers, or cells");
      return spec_;
    }
    if (!root.IsMap()) {
      Add(root, absl::StrCat("expected a mapping of grid keys, got ",
                             DescribeYamlNode(root)));
      return spec_;
    }
    for (const auto& [key, value] : Entries(root, kTopKeys, "")) {
      ParseTopKey(key, value);
    }
    CheckGrid();
    CheckExecutor();
    return spec_;
  }

  absl::Status Status() {
    if (problems_.empty()) return absl::OkStatus();
    std::stable_sort(problems_.begin(), problems_.end(),
                     [](const Problem& a, const Problem& b) {
                       return std::tie(a.line, a.column) <
                              std::tie(b.line, b.column);
                     });
    std::vector<std::string> lines;
    std::set<std::string> seen;
    for (const Problem& p : problems_) {
      std::string line =
          absl::StrCat(file_name_, ":", p.line, ":", p.column, ": ", p.message);
      if (seen.insert(line).second) lines.push_back(std::move(line));
    }
    return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
  }

 private:
  void AddAt(int line, int column, std::string message) {
    problems_.push_back({line, column, std::move(message)});
  }
  void Add(const YAML::Node& node, std::string message) {
    const YAML::Mark mark = node.Mark();
    AddAt(std::max(mark.line, 0) + 1, std::max(mark.column, 0) + 1,
          std::move(message));
  }

  // The entries of a mapping with known keys, flagging unknown and duplicate
  // keys. `prefix` names the mapping in messages ("target." etc.).
  template <size_t N>
  std::vector<std::pair<std::string, YAML::Node>> Entries(
      const YAML::Node& map, const char* const (&known)[N],
      absl::string_view prefix) {
    std::vector<std::pair<std::string, YAML::Node>> entries;
    std::map<std::string, YAML::Mark> first_seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key = it->first;
      if (!key.IsScalar()) {
        Add(key, absl::StrCat("expected a key name, got ", DescribeYamlNode(key)));
        continue;
      }
      const std::string name = key.Scalar();
      if (std::find(std::begin(known), std::end(known), name) ==
          std::end(known)) {
        std::string message =
            absl::StrCat("unknown key \"", prefix, name, "\"");
        if (auto hint = NearMiss(name, known)) {
          absl::StrAppend(&message, " (did you mean \"", prefix, *hint, "\"?)");
        } else {
          absl::StrAppend(&message,
                          " (known keys: ", absl::StrJoin(known, ", "), ")");
        }
        Add(key, std::move(message));
        continue;
      }
      auto [previous, inserted] = first_seen.emplace(name, key.Mark());
      if (!inserted) {
        Add(key,
            absl::StrCat("duplicate key \"", prefix, name, "\" (first at line ",
                         previous->second.line + 1, ")"));
        continue;
      }
      entries.emplace_back(name, it->second);
    }
    return entries;
  }

  void ParseTopKey(const std::string& key, const YAML::Node& value) {
    top_nodes_[key] = value;
    if (key == "cpu_limits") {
      ParseNumberList(value, key, &spec_.cpu_limits);
    } else if (key == "web_thread_multipliers") {
      ParseNumberList(value, key, &spec_.web_thread_multipliers);
    } else if (key == "db_pool_multipliers") {
      ParseNumberList(value, key, &spec_.db_pool_multipliers);
    } else if (key == "cells") {
      ParseCells(value);
    } else if (key == "repetitions") {
      if (ReadInt(value, key, /*allow_zero=*/false, &spec_.repetitions) &&
          spec_.repetitions > kMaxRepetitions) {
        Add(value, absl::StrCat("repetitions: more than ", kMaxRepetitions));
        spec_.repetitions = 1;
      }
    } else if (key == "duration") {
      ReadDuration(value, key, /*allow_zero=*/false, &spec_.duration);
    } else if (key == "warmup") {
      ReadDuration(value, key, /*allow_zero=*/true, &spec_.warmup);
    } else if (key == "graceful_stop") {
      ReadDuration(value, key, /*allow_zero=*/true, &spec_.graceful_stop);
    } else if (key == "prewarm") {
      ReadInt(value, key, /*allow_zero=*/true, &spec_.prewarm);
    } else if (key == "vus") {
      ReadInt(value, key, /*allow_zero=*/false, &spec_.vus);
    } else if (key == "max_vus") {
      ReadInt(value, key, /*allow_zero=*/false, &spec_.max_vus);
    } else if (key == "rate") {
      ReadNumber(value, key, &spec_.rate);
    } else if (key == "executor") {
      ParseExecutor(value);
    } else if (key == "scenario") {
      std::string name;
      if (ReadString(value, key, &name)) {
        if (IsPlainName(name)) {
          spec_.scenario = name;
        } else {
          Add(value, absl::StrCat("scenario: \"", name,
                                  "\" is not a plain name (letters, digits, "
                                  "'.', '_' and '-'; no '/' or '..')"));
        }
      }
    } else if (key == "target") {
      ParseTarget(value);
    } else if (key == "run") {
      ParseRun(value);
    }
  }

  bool ReadString(const YAML::Node& node, absl::string_view what,
                  std::string* out) {
    if (!node.IsScalar()) {
      Add(node, absl::StrCat(what, ": expected a name, got ", DescribeYamlNode(node)));
      return false;
    }
    *out = node.Scalar();
    return true;
  }

  // A positive, finite number.
  bool ReadNumber(const YAML::Node& node, absl::string_view what, double* out) {
    double value = 0;
    if (!node.IsScalar() || !absl::SimpleAtod(node.Scalar(), &value) ||
        !std::isfinite(value)) {
      Add(node,
          absl::StrCat(what, ": expected a number, got ", DescribeYamlNode(node)));
      return false;
    }
    if (value <= 0) {
      Add(node,
          absl::StrCat(what, ": must be greater than 0, got ", node.Scalar()));
      return false;
    }
    *out = value;
    return true;
  }

  bool ReadInt(const YAML::Node& node, absl::string_view what, bool allow_zero,
               int* out) {
    int value = 0;
    if (!node.IsScalar() || !absl::SimpleAtoi(node.Scalar(), &value)) {
      Add(node, absl::StrCat(what, ": expected a whole number, got ",
                             DescribeYamlNode(node)));
      return false;
    }
    if (value < 0 || (value == 0 && !allow_zero)) {
      Add(node, absl::StrCat(what, ": must be ",
                             allow_zero ? "0 or more" : "greater than 0",
                             ", got ", node.Scalar()));
      return false;
    }
    *out = value;
    return true;
  }

  bool ReadDuration(const YAML::Node& node, absl::string_view what,
                    bool allow_zero, absl::Duration* out) {
    absl::Duration value;
    if (!node.IsScalar() || !absl::ParseDuration(node.Scalar(), &value)) {
      Add(node, absl::StrCat(what,
                             ": expected a duration such as 30s, 5m or "
                             "1h30m, got ",
                             DescribeYamlNode(node)));
      return false;
    }
    if (value == absl::InfiniteDuration() ||
        value == -absl::InfiniteDuration()) {
      Add(node, absl::StrCat(what, ": must be finite, got ", node.Scalar()));
      return false;
    }
    if (value < absl::ZeroDuration() ||
        (value == absl::ZeroDuration() && !allow_zero)) {
      Add(node, absl::StrCat(what, ": must be ",
                             allow_zero ? "0 or more" : "greater than 0",
                             ", got ", node.Scalar()));
      return false;
    }
    *out = value;
    return true;
  }

  void ReadBool(const YAML::Node& node, absl::string_view what, bool* out) {
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
      Add(node,
          absl::StrCat(what, ": expected true or false, got ", DescribeYamlNode(node)));
      return;
    }
    *out = value;
  }

  void ParseNumberList(const YAML::Node& node, const std::string& what,
                       std::vector<double>* out) {
    if (!node.IsSequence()) {
      Add(node, absl::StrCat(what, ": expected a list of numbers, got ",
                             DescribeYamlNode(node)));
      return;
    }
    if (node.size() == 0) {
      Add(node, absl::StrCat(what, ": is empty"));
      return;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      double value = 0;
      if (ReadNumber(node[i], absl::StrCat(what, "[", i, "]"), &value)) {
        out->push_back(value);
        elements_[what].emplace_back(node[i], i);
      }
    }
  }

  void ParseCells(const YAML::Node& node) {
    if (!node.IsSequence()) {
      Add(node, absl::StrCat("cells: expected a list of {cpu, web_threads, "
                             "db_pool}, got ",
                             DescribeYamlNode(node)));
      return;
    }
    if (node.size() == 0) {
      Add(node, "cells: is empty");
      return;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node item = node[i];
      const std::string name = absl::StrCat("cells[", i, "]");
      if (!item.IsMap()) {
        Add(item, absl::StrCat(name,
                               ": expected {cpu, web_threads, db_pool}, "
                               "got ",
                               DescribeYamlNode(item)));
        continue;
      }
      ExplicitCell cell;
      bool ok = true;
      std::set<std::string> present;
      for (const auto& [key, value] :
           Entries(item, kCellKeys, absl::StrCat(name, "."))) {
        present.insert(key);
        const std::string what = absl::StrCat(name, ".", key);
        if (key == "cpu") {
          ok &= ReadNumber(value, what, &cell.cpu);
        } else {
          int* field = key == "web_threads" ? &cell.web_threads : &cell.db_pool;
          ok &= ReadInt(value, what, /*allow_zero=*/false, field);
          if (*field > kMaxThreadsOrPool) {
            Add(value, absl::StrCat(what, ": more than ", kMaxThreadsOrPool));
            ok = false;
          }
        }
      }
      for (const char* key : kCellKeys) {
        if (!present.count(key)) {
          Add(item, absl::StrCat(name, ": missing ", key));
          ok = false;
        }
      }
      if (ok) spec_.cells.push_back(cell);
    }
  }

  void ParseExecutor(const YAML::Node& node) {
    std::string name;
    if (!ReadString(node, "executor", &name)) return;
    if (name == "constant-vus") {
      spec_.executor = v1::EXECUTOR_CONSTANT_VUS;
    } else if (name == "constant-arrival-rate") {
      spec_.executor = v1::EXECUTOR_CONSTANT_ARRIVAL_RATE;
    } else if (name == "per-vu-iterations") {
      Add(node,
          "executor: per-vu-iterations is for prewarm only (set "
          "prewarm); use constant-vus or constant-arrival-rate");
    } else {
      std::string message =
          absl::StrCat("executor: unknown executor \"", name, "\"");
      if (auto hint = NearMiss(name, kExecutors)) {
        absl::StrAppend(&message, " (did you mean \"", *hint, "\"?)");
      } else {
        absl::StrAppend(&message,
                        " (expected constant-vus or constant-arrival-rate)");
      }
      Add(node, std::move(message));
    }
  }

  void ParseTarget(const YAML::Node& node) {
    if (!node.IsMap()) {
      Add(node,
          absl::StrCat("target: expected a mapping, got ", DescribeYamlNode(node)));
      return;
    }
    for (const auto& [key, value] : Entries(node, kTargetKeys, "target.")) {
      const std::string what = absl::StrCat("target.", key);
      if (key == "kind") {
        std::string kind;
        if (!ReadString(value, what, &kind)) continue;
        if (std::find(std::begin(kTargetKinds), std::end(kTargetKinds), kind) ==
            std::end(kTargetKinds)) {
          Add(value, absl::StrCat(what, ": unknown target kind \"", kind,
                                  "\" (expected ",
                                  absl::StrJoin(kTargetKinds, ", "), ")"));
          continue;
        }
        spec_.target.kind = kind;
      } else if (key == "health_timeout") {
        ReadDuration(value, what, /*allow_zero=*/false,
                     &spec_.target.health_timeout);
      } else if (key == "reset_data") {
        ReadBool(value, what, &spec_.target.reset_data);
      }
    }
  }

  void ParseRun(const YAML::Node& node) {
    if (!node.IsMap()) {
      Add(node, absl::StrCat("run: expected a mapping, got ", DescribeYamlNode(node)));
      return;
    }
    for (const auto& [key, value] : Entries(node, kRunKeys, "run.")) {
      const std::string what = absl::StrCat("run.", key);
      if (key == "max_attempts") {
        ReadInt(value, what, /*allow_zero=*/false, &spec_.run.max_attempts);
      } else if (key == "lease_timeout") {
        ReadDuration(value, what, /*allow_zero=*/false,
                     &spec_.run.lease_timeout);
      } else if (key == "unschedulable_grace") {
        ReadDuration(value, what, /*allow_zero=*/true,
                     &spec_.run.unschedulable_grace);
      }
    }
  }

  // The multiplier lists go together, something must produce cells, and no
  // cell may round to zero threads or connections.
  void CheckGrid() {
    static constexpr const char* kLists[] = {
        "cpu_limits", "web_thread_multipliers", "db_pool_multipliers"};
    const YAML::Node* first_present = nullptr;
    for (const char* list : kLists) {
      auto it = top_nodes_.find(list);
      if (it != top_nodes_.end() && !first_present) first_present = &it->second;
    }
    if (!first_present && !top_nodes_.count("cells")) {
      AddAt(1, 1,
            "the grid is empty: give cpu_limits, web_thread_multipliers and "
            "db_pool_multipliers, or cells");
      return;
    }
    if (first_present) {
      bool complete = true;
      for (const char* list : kLists) {
        if (!top_nodes_.count(list)) {
          Add(*first_present, absl::StrCat(list,
                                           " is missing (cpu_limits, "
                                           "web_thread_multipliers and "
                                           "db_pool_multipliers go together)"));
          complete = false;
        }
      }
      if (complete) CheckRounding();
    }
  }

  void CheckRounding() {
    const auto& cpus = spec_.cpu_limits;
    const auto& webs = spec_.web_thread_multipliers;
    const auto& dbs = spec_.db_pool_multipliers;
    const auto& web_elements = elements_["web_thread_multipliers"];
    const auto& db_elements = elements_["db_pool_multipliers"];
    for (double cpu : cpus) {
      for (size_t wi = 0; wi < webs.size(); ++wi) {
        const auto& [web_node, web_index] = web_elements[wi];
        const std::string where =
            absl::StrCat("web_thread_multipliers[", web_index, "]: ");
        const double web_exact = cpu * webs[wi];
        const std::string web_text =
            absl::StrCat("cpu ", FormatCpu(cpu), " x multiplier ",
                         FormatCpu(webs[wi]), " = ", Num(web_exact));
        if (web_exact > kMaxThreadsOrPool) {
          Add(web_node,
              absl::StrCat(where, web_text, " web threads, more than ",
                           kMaxThreadsOrPool));
          continue;
        }
        const int web_threads = RoundHalfEven(web_exact);
        if (web_threads < 1) {
          Add(web_node,
              absl::StrCat(where, web_text, " rounds to 0 web threads"));
          continue;
        }
        for (size_t di = 0; di < dbs.size(); ++di) {
          const auto& [db_node, db_index] = db_elements[di];
          const double db_exact = web_threads * dbs[di];
          const std::string db_text = absl::StrCat(
              "db_pool_multipliers[", db_index, "]: cpu ", FormatCpu(cpu),
              " x web_thread_multiplier ", FormatCpu(webs[wi]), " = ",
              web_threads, web_threads == 1 ? " web thread" : " web threads",
              ", x multiplier ", FormatCpu(dbs[di]), " = ", Num(db_exact));
          if (db_exact > kMaxThreadsOrPool) {
            Add(db_node, absl::StrCat(db_text, " connections, more than ",
                                      kMaxThreadsOrPool));
          } else if (RoundHalfEven(db_exact) < 1) {
            Add(db_node,
                absl::StrCat(db_text, " rounds to 0 db pool connections"));
          }
        }
      }
    }
  }

  void CheckExecutor() {
    const bool open = spec_.executor == v1::EXECUTOR_CONSTANT_ARRIVAL_RATE;
    if (open) {
      if (auto it = top_nodes_.find("vus"); it != top_nodes_.end()) {
        Add(it->second,
            "vus: not used by constant-arrival-rate (set rate, "
            "and max_vus to cap the VUs)");
      }
      if (!top_nodes_.count("rate")) {
        Add(top_nodes_["executor"],
            "executor: constant-arrival-rate needs rate (iterations per "
            "second)");
      }
    } else {
      if (auto it = top_nodes_.find("rate"); it != top_nodes_.end()) {
        Add(it->second,
            "rate: only for executor constant-arrival-rate "
            "(add \"executor: constant-arrival-rate\")");
      }
      if (auto it = top_nodes_.find("max_vus"); it != top_nodes_.end()) {
        Add(it->second,
            "max_vus: only for executor constant-arrival-rate "
            "(constant-vus takes vus)");
      }
    }
  }

  std::string file_name_;
  GridSpec spec_;
  std::vector<Problem> problems_;
  // Value node of each top-level key present (for cross-key messages).
  std::map<std::string, YAML::Node> top_nodes_;
  // For each accepted element of a number list, in the order of the parsed
  // values: its node and its index in the file's list.
  std::map<std::string, std::vector<std::pair<YAML::Node, size_t>>> elements_;
};

}  // namespace

std::string ExecutorName(v1::Executor executor) {
  switch (executor) {
    case v1::EXECUTOR_CONSTANT_ARRIVAL_RATE:
      return "constant-arrival-rate";
    case v1::EXECUTOR_PER_VU_ITERATIONS:
      return "per-vu-iterations";
    default:
      return "constant-vus";
  }
}

absl::StatusOr<GridSpec> ParseGrid(std::string_view yaml_text,
                                   std::string_view file_name_view) {
  const std::string file_name(file_name_view);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        file_name, ":", std::max(e.mark.line, 0) + 1, ":",
        std::max(e.mark.column, 0) + 1, ": YAML syntax error: ", e.msg));
  }
  GridParser parser(file_name);
  GridSpec spec;
  try {
    spec = parser.Parse(root);
  } catch (const YAML::Exception& e) {
    // Not expected (the parser uses only non-throwing accessors); keep the
    // exception from crossing the library edge all the same.
    return absl::InternalError(absl::StrCat(file_name, ": ", e.what()));
  }
  if (absl::Status status = parser.Status(); !status.ok()) return status;
  return spec;
}

absl::StatusOr<GridSpec> LoadGridFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    std::string message = absl::StrCat("cannot read grid file ", path, ": ",
                                       std::strerror(error));
    if (error == ENOENT) return absl::NotFoundError(message);
    if (error == EACCES) return absl::PermissionDeniedError(message);
    return absl::UnavailableError(message);
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::UnavailableError(absl::StrCat("cannot read grid file ", path));
  }
  return ParseGrid(text.str(), path);
}

std::string RenderResolvedGrid(const GridSpec& spec) {
  auto list = [](const std::vector<double>& values) {
    return absl::StrCat("[",
                        absl::StrJoin(values, ", ",
                                      [](std::string* out, double v) {
                                        out->append(FormatCpu(v));
                                      }),
                        "]");
  };
  auto duration = [](absl::Duration d) { return absl::FormatDuration(d); };

  std::string out =
      "# The grid as this run resolved it: every default written out.\n";
  if (!spec.cpu_limits.empty()) {
    absl::StrAppend(
        &out, "cpu_limits: ", list(spec.cpu_limits), "\n",
        "web_thread_multipliers: ", list(spec.web_thread_multipliers), "\n",
        "db_pool_multipliers: ", list(spec.db_pool_multipliers), "\n");
  }
  if (!spec.cells.empty()) {
    absl::StrAppend(&out, "cells:\n");
    for (const ExplicitCell& cell : spec.cells) {
      absl::StrAppend(&out, "  - {cpu: ", FormatCpu(cell.cpu),
                      ", web_threads: ", cell.web_threads,
                      ", db_pool: ", cell.db_pool, "}\n");
    }
  }
  absl::StrAppend(&out, "repetitions: ", spec.repetitions, "\n");
  absl::StrAppend(&out, "scenario: ", spec.scenario, "\n");
  absl::StrAppend(&out, "executor: ", ExecutorName(spec.executor), "\n");
  if (spec.executor == v1::EXECUTOR_CONSTANT_ARRIVAL_RATE) {
    absl::StrAppend(&out, "rate: ", FormatCpu(spec.rate), "\n");
    if (spec.max_vus > 0) {
      absl::StrAppend(&out, "max_vus: ", spec.max_vus, "\n");
    } else {
      absl::StrAppend(&out, "# max_vus: max(2 x web_threads, ceil(rate))\n");
    }
  } else if (spec.vus > 0) {
    absl::StrAppend(&out, "vus: ", spec.vus, "\n");
  } else {
    absl::StrAppend(&out, "# vus: 2 x web_threads\n");
  }
  absl::StrAppend(&out, "duration: ", duration(spec.duration), "\n");
  absl::StrAppend(&out, "warmup: ", duration(spec.warmup), "\n");
  absl::StrAppend(&out, "prewarm: ", spec.prewarm, "\n");
  absl::StrAppend(&out, "graceful_stop: ", duration(spec.graceful_stop), "\n");
  absl::StrAppend(&out, "target:\n");
  absl::StrAppend(&out, "  kind: ", spec.target.kind, "\n");
  absl::StrAppend(
      &out, "  health_timeout: ", duration(spec.target.health_timeout), "\n");
  absl::StrAppend(
      &out, "  reset_data: ", spec.target.reset_data ? "true" : "false", "\n");
  absl::StrAppend(&out, "run:\n");
  absl::StrAppend(&out, "  max_attempts: ", spec.run.max_attempts, "\n");
  absl::StrAppend(&out, "  lease_timeout: ", duration(spec.run.lease_timeout),
                  "\n");
  absl::StrAppend(&out, "  unschedulable_grace: ",
                  duration(spec.run.unschedulable_grace), "\n");
  return out;
}

}  // namespace gop
