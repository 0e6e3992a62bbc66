#include "analysis/result_loader.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace gop::analysis {
namespace {

// Fills configuration fields the document lacks from the file name.
void FillFromName(const std::string& name, nlohmann::json* doc) {
  static const std::regex kName(R"(^test_cpu([0-9.]+)_wt([0-9]+)_db([0-9]+)(?:_rep([0-9]+))?[_.])");
  std::smatch m;
  if (!std::regex_search(name, m, kName) || !doc->is_object()) return;
  nlohmann::json& config = (*doc)["configuration"];
  if (!config.is_object()) return;
  auto fill = [&](std::initializer_list<const char*> keys, const std::string& value,
                  bool integer) {
    for (const char* k : keys) {
      if (config.contains(k) && !config[k].is_null()) return;
    }
    if (integer) {
      config[*keys.begin()] = std::stoi(value);
    } else {
      config[*keys.begin()] = std::stod(value);
    }
  };
  fill({"cpu_limit", "cpus", "cpu", "cpu_limits"}, m[1].str(), false);
  fill({"web_threads", "web_thread", "box_web_thread"}, m[2].str(), true);
  fill({"db_pool_size", "db_pool", "db_pool_maximum_pool_size", "pool_size"}, m[3].str(), true);
  if (m[4].matched) fill({"repetition", "rep"}, m[4].str(), true);
}

}  // namespace

absl::StatusOr<LoadedResults> LoadResultDir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> paths;
  for (auto it = std::filesystem::directory_iterator(dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (it->path().extension() == ".json") paths.push_back(it->path());
  }
  if (ec) {
    return absl::NotFoundError(
        absl::StrCat("cannot read result directory ", dir.string(), ": ", ec.message()));
  }
  std::sort(paths.begin(), paths.end());

  LoadedResults out;
  for (const std::filesystem::path& path : paths) {
    const std::string name = path.filename().string();
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      out.corrupt.push_back({name, "cannot be read"});
      continue;
    }
    nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      out.corrupt.push_back({name, "not valid JSON"});
      continue;
    }
    FillFromName(name, &doc);
    absl::StatusOr<CellRecord> record = ParseResultFile(doc);
    if (!record.ok()) {
      out.corrupt.push_back({name, std::string(record.status().message())});
      continue;
    }
    out.records.push_back(*std::move(record));
    out.files.push_back(name);
  }
  return out;
}

}  // namespace gop::analysis
