#include "loadgen/scenario.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "loadgen/sv.h"
#include "nlohmann/json.hpp"
#include "yaml-cpp/yaml.h"

namespace gop::loadgen {
namespace fs = std::filesystem;
using nlohmann::json;

bool IsPlainName(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

namespace {

std::string Where(const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.line < 0) return "";
  return absl::StrCat(m.line + 1, ":", m.column + 1, ": ");
}

// YAML scalar -> JSON value keeping plain numbers and booleans typed; quoted
// scalars stay strings.
json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = YamlToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(YamlToJson(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() != "!") {
        int64_t i;
        double d;
        if (s == "true") return true;
        if (s == "false") return false;
        if (absl::SimpleAtoi(s, &i)) return i;
        if (absl::SimpleAtod(s, &d) && s.find_first_of("0123456789") != std::string::npos &&
            s.find_first_not_of("0123456789.-+eE") == std::string::npos) {
          return d;
        }
      }
      return s;
    }
    default:
      return nullptr;
  }
}

std::vector<std::string> SplitPath(std::string_view path) {
  return absl::StrSplit(Sv(path), '.', absl::SkipEmpty());
}

// Sets `value` at dotted `path` inside `doc` (creating objects on the way;
// numeric parts index existing arrays).
absl::Status SetAtPath(json& doc, std::string_view path, json value) {
  std::vector<std::string> parts = SplitPath(path);
  if (parts.empty()) return absl::InvalidArgumentError("empty path in set");
  json* cur = &doc;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    bool last = i + 1 == parts.size();
    size_t index;
    if (cur->is_array() && absl::SimpleAtoi(p, &index)) {
      if (index >= cur->size()) {
        return absl::InvalidArgumentError(absl::StrCat("index ", p, " out of range in ", Sv(path)));
      }
      cur = &(*cur)[index];
    } else if (cur->is_object() || cur->is_null()) {
      cur = &(*cur)[p];
    } else {
      return absl::InvalidArgumentError(absl::StrCat("cannot descend into \"", p, "\" of ", Sv(path)));
    }
    if (last) *cur = std::move(value);
  }
  return absl::OkStatus();
}

std::string DefaultStepName(std::string_view method, std::string_view path) {
  std::string_view p = path;
  while (!p.empty() && p.front() == '/') p.remove_prefix(1);
  size_t end = p.find_first_of("/?{");
  std::string_view type = p.substr(0, end);
  bool search = path.find('?') != std::string_view::npos;
  if (type.empty()) return std::string(method);
  return absl::StrCat(search && method == "GET" ? "SEARCH" : Sv(method), " ", Sv(type));
}

class Parser {
 public:
  Parser(const SeedSource& seeds, Scenario* out) : seeds_(seeds), sc_(out) {}

  void Problem(const YAML::Node& node, std::string_view text) {
    problems_.push_back(absl::StrCat(Where(node), Sv(text)));
  }

  std::vector<std::string>& problems() { return problems_; }

  absl::StatusOr<Template> Compile(std::string_view text, Template::Escape escape) {
    return Template::Compile(text, escape, &sc_->capture_slots, &sc_->uuid_slots);
  }

  absl::StatusOr<std::string> Seed(const std::string& name) {
    if (!IsPlainName(name)) {
      return absl::InvalidArgumentError(absl::StrCat("seed \"", name, "\" is not a plain name"));
    }
    auto it = seed_cache_.find(name);
    if (it != seed_cache_.end()) return it->second;
    absl::StatusOr<std::string> text = seeds_(name);
    if (!text.ok()) return text.status();
    seed_cache_[name] = *text;
    return text;
  }

  // The body text of a step: {seed: NAME, set: {...}}, {json: ...} or a
  // plain string.
  absl::StatusOr<std::string> BodyText(const YAML::Node& body) {
    if (body.IsScalar()) return body.Scalar();
    if (!body.IsMap()) return absl::InvalidArgumentError("body must be a string or a map");
    if (body["json"]) return YamlToJson(body["json"]).dump();
    if (!body["seed"]) return absl::InvalidArgumentError("body needs seed:, json: or a string");
    absl::StatusOr<std::string> text = Seed(body["seed"].as<std::string>());
    if (!text.ok()) return text.status();
    json doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      return absl::InvalidArgumentError(
          absl::StrCat("seed \"", body["seed"].as<std::string>(), "\" is not valid JSON"));
    }
    if (const YAML::Node set = body["set"]) {
      if (!set.IsMap()) return absl::InvalidArgumentError("set must be a map of path: value");
      for (const auto& kv : set) {
        absl::Status st = SetAtPath(doc, kv.first.as<std::string>(), YamlToJson(kv.second));
        if (!st.ok()) return st;
      }
    }
    if (const YAML::Node remove = body["remove"]) {
      for (const auto& item : remove) doc.erase(item.as<std::string>());
    }
    return doc.dump();
  }

  void ParseCapture(const std::string& name, const YAML::Node& spec, Step& step) {
    Capture c;
    c.name = name;
    if (spec.IsScalar()) {
      c.path = SplitPath(spec.Scalar());
    } else if (spec.IsMap()) {
      if (spec["header"]) {
        c.from_header = true;
        c.header = absl::AsciiStrToLower(spec["header"].as<std::string>());
      } else if (spec["path"]) {
        c.path = SplitPath(spec["path"].as<std::string>());
      }
      if (const YAML::Node seg = spec["segment"]) {
        if (seg.IsScalar() && seg.Scalar() == "id") {
          c.segment = Capture::kIdSegment;
        } else if (!YAML::convert<int>::decode(seg, c.segment) || c.segment < 0) {
          Problem(seg, "segment must be a number >= 0 or \"id\"");
        }
      }
    }
    if (!c.from_header && c.path.empty()) {
      Problem(spec, absl::StrCat("capture \"", name, "\" needs a path or header"));
      return;
    }
    c.slot = sc_->capture_slots.Intern(name);
    if (c.from_header) {
      step.needs_location = true;
      if (c.header != "location") {
        Problem(spec, "only the Location header can be captured");
      }
    } else {
      step.needs_body = true;
    }
    step.captures.push_back(std::move(c));
  }

  void ParseStep(const YAML::Node& node, std::set<int>& captured) {
    Step step;
    if (!node.IsMap()) {
      Problem(node, "a step must be a map");
      return;
    }
    step.method = absl::AsciiStrToUpper(node["method"] ? node["method"].as<std::string>() : "GET");
    static const std::set<std::string> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"};
    if (!kMethods.count(step.method)) Problem(node, absl::StrCat("unknown method ", step.method));
    step.path = node["path"] ? node["path"].as<std::string>() : "";
    absl::StatusOr<Template> path = Compile(step.path, Template::Escape::kNone);
    if (!path.ok()) {
      Problem(node["path"], absl::StrCat("path: ", path.status().message()));
    } else {
      step.path_template = *std::move(path);
    }
    step.name = node["name"] ? node["name"].as<std::string>() : DefaultStepName(step.method, step.path);
    if (const YAML::Node body = node["body"]) {
      absl::StatusOr<std::string> text = BodyText(body);
      if (!text.ok()) {
        Problem(body, std::string(text.status().message()));
      } else {
        absl::StatusOr<Template> t = Compile(*text, Template::Escape::kJsonString);
        if (!t.ok()) {
          Problem(body, absl::StrCat("body: ", t.status().message()));
        } else {
          step.has_body = true;
          step.body = *std::move(t);
        }
      }
    }
    if (const YAML::Node headers = node["headers"]) {
      for (const auto& kv : headers) {
        std::string hname = kv.first.as<std::string>();
        std::string value = kv.second.as<std::string>();
        if (hname.find_first_of(":\r\n ") != std::string::npos ||
            value.find_first_of("\r\n") != std::string::npos) {
          Problem(kv.first, "bad header");
          continue;
        }
        absl::StatusOr<Template> t = Compile(value, Template::Escape::kNone);
        if (!t.ok()) {
          Problem(kv.second, std::string(t.status().message()));
          continue;
        }
        step.headers.emplace_back(hname, value);
        step.header_templates.push_back(*std::move(t));
      }
    }
    if (const YAML::Node expect = node["expect"]) {
      auto add = [&](const YAML::Node& n) {
        int code = 0;
        if (!YAML::convert<int>::decode(n, code) || code < 100 || code > 599) {
          Problem(n, "expect must be HTTP status codes");
        } else {
          step.expect_status.push_back(code);
        }
      };
      if (expect.IsSequence()) {
        for (const auto& n : expect) add(n);
      } else {
        add(expect);
      }
    }
    if (node["contains"]) {
      step.contains = node["contains"].as<std::string>();
      step.needs_body = true;
    }
    // Everything this step reads must have been captured by an earlier step.
    std::vector<int> reads = step.path_template.CaptureSlots();
    for (int s : step.body.CaptureSlots()) reads.push_back(s);
    for (const Template& t : step.header_templates) {
      for (int s : t.CaptureSlots()) reads.push_back(s);
    }
    for (int s : reads) {
      if (!captured.count(s)) {
        Problem(node, absl::StrCat("step \"", step.name, "\" uses {{",
                                   sc_->capture_slots.name(s),
                                   "}} before any earlier step captures it"));
      }
    }
    if (const YAML::Node capture = node["capture"]) {
      if (!capture.IsMap()) {
        Problem(capture, "capture must be a map of name: path");
      } else {
        for (const auto& kv : capture) ParseCapture(kv.first.as<std::string>(), kv.second, step);
      }
    }
    for (const Capture& c : step.captures) captured.insert(c.slot);
    static const std::set<std::string> kKeys = {"name", "method", "path", "body", "headers",
                                               "expect", "contains", "capture"};
    for (const auto& kv : node) {
      if (!kKeys.count(kv.first.as<std::string>())) {
        Problem(kv.first, absl::StrCat("unknown step key \"", kv.first.as<std::string>(), "\""));
      }
    }
    auto op = std::find(sc_->operations.begin(), sc_->operations.end(), step.name);
    step.operation = static_cast<int>(op - sc_->operations.begin());
    if (op == sc_->operations.end()) sc_->operations.push_back(step.name);
    sc_->steps.push_back(std::move(step));
  }

 private:
  const SeedSource& seeds_;
  Scenario* sc_;
  std::vector<std::string> problems_;
  std::map<std::string, std::string> seed_cache_;
};

}  // namespace

absl::StatusOr<Scenario> ParseScenario(std::string_view yaml_text, std::string_view name,
                                       const SeedSource& seeds) {
  Scenario sc;
  sc.name = std::string(name);
  Parser parser(seeds, &sc);
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    if (!root.IsMap()) {
      return absl::InvalidArgumentError(absl::StrCat("scenario ", Sv(name), ": not a YAML map"));
    }
    if (root["name"]) sc.name = root["name"].as<std::string>();
    if (root["description"]) sc.description = root["description"].as<std::string>();
    const YAML::Node steps = root["steps"];
    if (!steps || !steps.IsSequence() || steps.size() == 0) {
      parser.Problem(root, "steps: must be a non-empty list");
    } else {
      std::set<int> captured;
      for (const auto& step : steps) parser.ParseStep(step, captured);
    }
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      if (key != "name" && key != "description" && key != "steps") {
        parser.Problem(kv.first, absl::StrCat("unknown key \"", key, "\""));
      }
    }
  } catch (const YAML::Exception& e) {
    parser.problems().push_back(e.what());
  }
  if (!parser.problems().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("scenario ", Sv(name), ": ", absl::StrJoin(parser.problems(), "; ")));
  }
  return sc;
}

namespace {

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

absl::StatusOr<Scenario> LoadScenario(std::string_view name, const fs::path& data_dir) {
  if (!IsPlainName(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("scenario \"", Sv(name), "\" must be a plain name (letters, digits, - and _)"));
  }
  fs::path file = data_dir / "scenarios" / absl::StrCat(Sv(name), ".yaml");
  absl::StatusOr<std::string> text = ReadFile(file);
  if (!text.ok()) {
    return absl::NotFoundError(absl::StrCat("scenario \"", Sv(name), "\": no file ", file.string()));
  }
  SeedSource seeds = [&data_dir](std::string_view seed) -> absl::StatusOr<std::string> {
    return ReadFile(data_dir / "seeds" / absl::StrCat(Sv(seed), ".json"));
  };
  return ParseScenario(*text, name, seeds);
}

}  // namespace gop::loadgen
