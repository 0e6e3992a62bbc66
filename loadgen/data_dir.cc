#include "loadgen/data_dir.h"

#include <cstdlib>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace gop::loadgen {
namespace fs = std::filesystem;

namespace {

bool HasScenarios(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "scenarios", ec);
}

// Walks from `start` up to the root.
bool WalkUp(fs::path start, fs::path* found) {
  std::error_code ec;
  start = fs::weakly_canonical(start, ec);
  if (ec) return false;
  for (fs::path dir = start; !dir.empty(); dir = dir.parent_path()) {
    if (HasScenarios(dir)) {
      *found = dir;
      return true;
    }
    if (dir == dir.root_path()) break;
  }
  return false;
}

}  // namespace

absl::StatusOr<fs::path> FindDataDir(const fs::path& explicit_dir, const fs::path& executable) {
  if (!explicit_dir.empty()) {
    if (!HasScenarios(explicit_dir)) {
      return absl::NotFoundError(
          absl::StrCat("data dir ", explicit_dir.string(), " has no scenarios/ folder"));
    }
    return explicit_dir;
  }
  if (const char* env = std::getenv("GOP_DATA_DIR"); env != nullptr && *env != '\0') {
    if (!HasScenarios(env)) {
      return absl::NotFoundError(
          absl::StrCat("GOP_DATA_DIR=", env, " has no scenarios/ folder"));
    }
    return fs::path(env);
  }
  fs::path found;
  if (!executable.empty() && WalkUp(executable.parent_path(), &found)) return found;
  std::error_code ec;
  if (WalkUp(fs::current_path(ec), &found)) return found;
  return absl::NotFoundError(
      "cannot find the data files (a folder holding scenarios/); pass --data-dir or set "
      "GOP_DATA_DIR");
}

}  // namespace gop::loadgen
