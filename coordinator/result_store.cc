#include "coordinator/result_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/result_file.h"
#include "nlohmann/json.hpp"

namespace gop {
namespace {

absl::Status Errno(const std::string& what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(errno)));
}

}  // namespace

absl::Status WriteFileAtomically(const std::filesystem::path& path, const std::string& content) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno(absl::StrCat("create ", tmp.string()));
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status s = Errno(absl::StrCat("write ", tmp.string()));
      ::close(fd);
      return s;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    absl::Status s = Errno(absl::StrCat("fsync ", tmp.string()));
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Errno(absl::StrCat("rename to ", path.string()));
  const int dir_fd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ResultStore::Write(const v1::CellConfig& cell, const v1::CellResult& result,
                                               absl::Time finished) const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("create ", dir_.string(), ": ", ec.message()));
  const std::string name = ResultFileName(cell, finished);
  absl::Status s = WriteFileAtomically(dir_ / name, RenderResultFile(cell, result, finished).dump(2) + "\n");
  if (!s.ok()) return s;
  return name;
}

std::map<std::string, ResultStore::Found> ResultStore::Scan(std::vector<std::string>* problems) const {
  std::map<std::string, Found> found;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_, ec)) return found;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("gop") || !doc["gop"].is_object()) {
      problems->push_back(absl::StrCat(entry.path().string(), ": not a gop result file, ignored"));
      continue;
    }
    const nlohmann::json& g = doc["gop"];
    const std::string cell = g.value("cell_id", "");
    if (cell.empty()) continue;
    Found f;
    f.ok = doc.value("/k6_results/status"_json_pointer, std::string()) == "success";
    f.attempt = g.value("attempt", 0);
    f.file = entry.path().filename().string();
    Found& slot = found[cell];
    if (!slot.ok) slot = f;
  }
  return found;
}

}  // namespace gop
