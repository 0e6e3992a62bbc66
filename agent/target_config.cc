#include "agent/target_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agent/health_probe.h"
#include "common/yaml_describe.h"

namespace gop {
namespace {

constexpr const char* kTopKeys[] = {"kind", "process", "compose", "external"};
constexpr const char* kProcessKeys[] = {"command",     "env",
                                        "working_dir", "host",
                                        "port",        "health_path",
                                        "base_path",   "health_timeout",
                                        "stop_grace",  "reset_data",
                                        "auth",        "work_dir",
                                        "cpu_limit",   "pin_to_agent_cpus"};
constexpr const char* kExternalKeys[] = {"url", "auth"};
constexpr const char* kCpuLimitModes[] = {"auto", "cgroup2", "cgroup1", "affinity"};

// Collects problems with their positions; the parser never stops at the
// first one.
class Problems {
 public:
  void AddAt(int line, int column, std::string message) {
    problems_.push_back({line, column, std::move(message)});
  }
  void Add(const YAML::Node& node, std::string message) {
    const YAML::Mark mark = node.Mark();
    AddAt(std::max(mark.line, 0) + 1, std::max(mark.column, 0) + 1, std::move(message));
  }
  bool empty() const { return problems_.empty(); }

  absl::Status ToStatus(absl::string_view file_name) {
    std::stable_sort(problems_.begin(), problems_.end(), [](const Problem& a, const Problem& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    std::vector<std::string> lines;
    std::set<std::string> seen;
    for (const Problem& p : problems_) {
      std::string line = absl::StrCat(file_name, ":", p.line, ":", p.column, ": ", p.message);
      if (seen.insert(line).second) lines.push_back(std::move(line));
    }
    return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
  }

 private:
  struct Problem {
    int line;
    int column;
    std::string message;
  };
  std::vector<Problem> problems_;
};

// The entries of a mapping, flagging non-scalar, unknown and duplicate keys.
template <size_t N>
std::vector<std::pair<std::string, YAML::Node>> Entries(const YAML::Node& map,
                                                        const char* const (&known)[N],
                                                        absl::string_view prefix,
                                                        Problems* problems) {
  std::vector<std::pair<std::string, YAML::Node>> entries;
  std::map<std::string, int> first_line;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      problems->Add(key, absl::StrCat("expected a key name, got ", DescribeYamlNode(key)));
      continue;
    }
    const std::string name = key.Scalar();
    if (std::find(std::begin(known), std::end(known), name) == std::end(known)) {
      problems->Add(key, absl::StrCat("unknown key \"", prefix, name,
                                      "\" (known keys: ", absl::StrJoin(known, ", "), ")"));
      continue;
    }
    auto [previous, inserted] = first_line.emplace(name, key.Mark().line + 1);
    if (!inserted) {
      problems->Add(key, absl::StrCat("duplicate key \"", prefix, name, "\" (first at line ",
                                      previous->second, ")"));
      continue;
    }
    entries.emplace_back(name, it->second);
  }
  return entries;
}

bool ScalarString(const YAML::Node& node, std::string* out) {
  if (!node.IsScalar()) return false;
  *out = node.Scalar();
  return true;
}

bool ScalarBool(const YAML::Node& node, bool* out) {
  if (!node.IsScalar()) return false;
  const std::string& s = node.Scalar();
  if (s == "true" || s == "yes" || s == "on") {
    *out = true;
    return true;
  }
  if (s == "false" || s == "no" || s == "off") {
    *out = false;
    return true;
  }
  return false;
}

// "90s", "2m", "1m30s", or a plain number of seconds; never negative.
bool ScalarDuration(const YAML::Node& node, absl::Duration* out) {
  if (!node.IsScalar()) return false;
  double seconds = 0;
  if (absl::SimpleAtod(node.Scalar(), &seconds)) {
    if (seconds < 0) return false;
    *out = absl::Seconds(seconds);
    return true;
  }
  absl::Duration d;
  if (!absl::ParseDuration(node.Scalar(), &d) || d < absl::ZeroDuration()) return false;
  *out = d;
  return true;
}

void ParseProcess(const YAML::Node& node, absl::string_view prefix, Problems* problems,
                  ProcessTargetSettings* out) {
  if (!node.IsMap()) {
    if (!node.IsNull()) {
      problems->Add(node, absl::StrCat("\"process\" must be a mapping, got ", DescribeYamlNode(node)));
    }
    return;
  }
  for (const auto& [key, value] : Entries(node, kProcessKeys, prefix, problems)) {
    const std::string name = absl::StrCat(prefix, key);
    if (key == "command") {
      out->command.clear();
      if (value.IsSequence()) {
        for (const YAML::Node& arg : value) {
          std::string s;
          if (!ScalarString(arg, &s)) {
            problems->Add(
                arg, absl::StrCat(name, ": each argument must be a string, got ", DescribeYamlNode(arg)));
          } else {
            out->command.push_back(std::move(s));
          }
        }
      } else if (value.IsScalar()) {
        out->command = absl::StrSplit(value.Scalar(), ' ', absl::SkipWhitespace());
      } else {
        problems->Add(value, absl::StrCat(name, ": expected a list of arguments or a string, got ",
                                          DescribeYamlNode(value)));
        continue;
      }
      if (out->command.empty()) problems->Add(value, absl::StrCat(name, ": names no program"));
    } else if (key == "env") {
      if (!value.IsMap()) {
        problems->Add(value, absl::StrCat(name, ": expected a mapping of NAME: value, got ",
                                          DescribeYamlNode(value)));
        continue;
      }
      for (auto it = value.begin(); it != value.end(); ++it) {
        std::string var, val;
        if (!ScalarString(it->first, &var) || var.empty() || var.find('=') != std::string::npos) {
          problems->Add(it->first, absl::StrCat(name, ": bad variable name ", DescribeYamlNode(it->first)));
          continue;
        }
        if (it->second.IsNull()) {
          val = "";
        } else if (!ScalarString(it->second, &val)) {
          problems->Add(it->second, absl::StrCat(name, ".", var, ": expected a string, got ",
                                                 DescribeYamlNode(it->second)));
          continue;
        }
        out->env.emplace_back(std::move(var), std::move(val));
      }
    } else if (key == "working_dir" || key == "host" || key == "health_path" ||
               key == "base_path" || key == "auth" || key == "work_dir" || key == "cpu_limit") {
      std::string s;
      if (!ScalarString(value, &s)) {
        problems->Add(value, absl::StrCat(name, ": expected a string, got ", DescribeYamlNode(value)));
        continue;
      }
      if (key == "working_dir") {
        out->working_dir = s;
      } else if (key == "host") {
        if (s.empty()) problems->Add(value, absl::StrCat(name, ": must not be empty"));
        out->host = s;
      } else if (key == "health_path" || key == "base_path") {
        if (!absl::StartsWith(s, "/")) {
          problems->Add(value, absl::StrCat(name, ": must start with \"/\", got \"", s, "\""));
        }
        (key == "health_path" ? out->health_path : out->base_path) = s;
      } else if (key == "auth") {
        if (!IsValidAuth(s)) {
          problems->Add(value, absl::StrCat(name,
                                            ": expected \"basic:USER:SECRET\" or "
                                            "\"bearer:TOKEN\""));
        }
        out->auth = s;
      } else if (key == "work_dir") {
        out->work_dir = s;
      } else {
        if (std::find(std::begin(kCpuLimitModes), std::end(kCpuLimitModes), s) ==
            std::end(kCpuLimitModes)) {
          problems->Add(
              value, absl::StrCat(name, ": expected one of ", absl::StrJoin(kCpuLimitModes, ", "),
                                  ", got \"", s, "\""));
        }
        out->cpu_limit = s;
      }
    } else if (key == "port") {
      int port = -1;
      if (!value.IsScalar() || !absl::SimpleAtoi(value.Scalar(), &port) || port < 0 ||
          port > 65535) {
        problems->Add(value, absl::StrCat(name,
                                          ": expected a port 0..65535 (0 = pick a free "
                                          "one), got ",
                                          DescribeYamlNode(value)));
        continue;
      }
      out->port = port;
    } else if (key == "health_timeout" || key == "stop_grace") {
      absl::Duration d;
      if (!ScalarDuration(value, &d) || (key == "health_timeout" && d == absl::ZeroDuration())) {
        problems->Add(value, absl::StrCat(name,
                                          ": expected a positive duration like 60s or 2m, "
                                          "got ",
                                          DescribeYamlNode(value)));
        continue;
      }
      (key == "health_timeout" ? out->health_timeout : out->stop_grace) = d;
    } else if (key == "reset_data" || key == "pin_to_agent_cpus") {
      bool b = false;
      if (!ScalarBool(value, &b)) {
        problems->Add(value, absl::StrCat(name, ": expected true or false, got ", DescribeYamlNode(value)));
        continue;
      }
      (key == "reset_data" ? out->reset_data : out->pin_to_agent_cpus) = b;
    }
  }
  // minibox (like Aidbox) requires its root client once a secret is set.
  if (out->auth.empty()) {
    for (const auto& [var, val] : out->env) {
      if (var == "BOX_ROOT_CLIENT_SECRET" && !val.empty()) out->auth = "basic:root:" + val;
    }
  }
}

void ParseExternal(const YAML::Node& node, absl::string_view prefix, Problems* problems,
                   ExternalTargetSettings* out) {
  if (!node.IsMap()) {
    problems->Add(node,
                  absl::StrCat("\"external\" must be a mapping with a url, got ", DescribeYamlNode(node)));
    return;
  }
  bool have_url = false;
  for (const auto& [key, value] : Entries(node, kExternalKeys, prefix, problems)) {
    const std::string name = absl::StrCat(prefix, key);
    std::string s;
    if (!ScalarString(value, &s)) {
      problems->Add(value, absl::StrCat(name, ": expected a string, got ", DescribeYamlNode(value)));
      continue;
    }
    if (key == "url") {
      have_url = true;
      if (!ParseHttpUrl(s).ok()) {
        problems->Add(value, absl::StrCat(name, ": expected an http:// URL, got \"", s, "\""));
      }
      out->url = s;
    } else {
      if (!IsValidAuth(s)) {
        problems->Add(value,
                      absl::StrCat(name, ": expected \"basic:USER:SECRET\" or \"bearer:TOKEN\""));
      }
      out->auth = s;
    }
  }
  if (!have_url) problems->Add(node, absl::StrCat(prefix, "url: required"));
}

// The compose section belongs to the compose driver's own parser; its
// problems come back as "LINE:COL: message" lines (or without a position),
// which are re-anchored here so the whole file reports in one format.
void ParseCompose(const YAML::Node& node, Problems* problems, ComposeDriverConfig* out) {
  absl::StatusOr<ComposeDriverConfig> parsed;
  try {
    parsed = ParseComposeDriverConfig(node);
  } catch (const YAML::Exception& e) {
    problems->Add(node, absl::StrCat("compose: ", e.msg));
    return;
  }
  if (parsed.ok()) {
    *out = *std::move(parsed);
    return;
  }
  for (absl::string_view line : absl::StrSplit(parsed.status().message(), '\n')) {
    std::vector<absl::string_view> parts = absl::StrSplit(line, absl::MaxSplits(':', 2));
    int l = 0, c = 0;
    if (parts.size() == 3 && absl::SimpleAtoi(parts[0], &l) && absl::SimpleAtoi(parts[1], &c)) {
      problems->AddAt(l, c, std::string(absl::StripLeadingAsciiWhitespace(parts[2])));
    } else {
      problems->Add(node, std::string(line));
    }
  }
}

}  // namespace

absl::string_view TargetKindName(TargetKind kind) {
  switch (kind) {
    case TargetKind::kProcess:
      return "process";
    case TargetKind::kCompose:
      return "compose";
    case TargetKind::kExternal:
      return "external";
  }
  return "process";
}

bool IsValidAuth(absl::string_view auth) {
  if (auth.empty()) return true;
  if (absl::StartsWith(auth, "bearer:")) return auth.size() > 7;
  if (absl::StartsWith(auth, "basic:")) {
    absl::string_view rest = auth.substr(6);
    size_t colon = rest.find(':');
    return colon != absl::string_view::npos && colon > 0;
  }
  return false;
}

absl::StatusOr<TargetSettings> ParseTargetSettings(absl::string_view yaml_text,
                                                   absl::string_view file_name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(file_name, ":", std::max(e.mark.line, 0) + 1,
                                                   ":", std::max(e.mark.column, 0) + 1, ": ",
                                                   e.msg));
  }
  Problems problems;
  TargetSettings settings;
  try {
    if (!root.IsMap()) {
      problems.AddAt(1, 1, absl::StrCat("expected a mapping with \"kind\", got ", DescribeYamlNode(root)));
      return problems.ToStatus(file_name);
    }
    bool have_kind = false;
    for (const auto& [key, value] : Entries(root, kTopKeys, "", &problems)) {
      if (key == "kind") {
        have_kind = true;
        std::string s;
        ScalarString(value, &s);
        if (s == "process") {
          settings.kind = TargetKind::kProcess;
        } else if (s == "compose") {
          settings.kind = TargetKind::kCompose;
        } else if (s == "external") {
          settings.kind = TargetKind::kExternal;
        } else {
          problems.Add(value, absl::StrCat("kind: expected process, compose or external, got ",
                                           DescribeYamlNode(value)));
        }
      } else if (key == "process") {
        ParseProcess(value, "process.", &problems, &settings.process);
      } else if (key == "compose") {
        ParseCompose(value, &problems, &settings.compose);
      } else if (key == "external") {
        ParseExternal(value, "external.", &problems, &settings.external);
      }
    }
    if (!have_kind) {
      problems.AddAt(1, 1, "kind: required (process, compose or external)");
    } else if (settings.kind == TargetKind::kCompose && !root["compose"]) {
      problems.Add(root["kind"],
                   "kind is compose but there is no \"compose:\" section "
                   "(it needs at least dir:)");
    } else if (settings.kind == TargetKind::kExternal && !root["external"]) {
      problems.Add(root["kind"],
                   "kind is external but there is no \"external:\" section "
                   "(it needs url:)");
    }
  } catch (const YAML::Exception& e) {
    // Not expected (only non-throwing accessors are used above); keep it from
    // crossing the library edge all the same.
    return absl::InternalError(absl::StrCat(file_name, ": ", e.what()));
  }
  if (!problems.empty()) return problems.ToStatus(file_name);
  return settings;
}

absl::StatusOr<TargetSettings> LoadTargetSettings(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read target file ", path));
  std::stringstream text;
  text << in.rdbuf();
  return ParseTargetSettings(text.str(), path);
}

}  // namespace gop
