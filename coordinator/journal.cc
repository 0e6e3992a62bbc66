#include "coordinator/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace gop {

absl::StatusOr<std::unique_ptr<Journal>> Journal::Open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot open journal ", path.string(), ": ", std::strerror(errno)));
  }
  return std::unique_ptr<Journal>(new Journal(fd, path));
}

Journal::~Journal() { ::close(fd_); }

absl::Status Journal::Append(const nlohmann::json& record) {
  const std::string line = record.dump() + "\n";
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(absl::StrCat("journal ", path_.string(), ": write: ", std::strerror(errno)));
    }
    written += static_cast<size_t>(n);
  }
  if (::fdatasync(fd_) != 0) {
    return absl::UnavailableError(absl::StrCat("journal ", path_.string(), ": fsync: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<Journal::Replay> Journal::Read(const std::filesystem::path& path) {
  Replay replay;
  std::ifstream in(path);
  if (!in) return replay;  // no journal yet: a fresh run
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    nlohmann::json record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded() || !record.is_object()) {
      replay.problems.push_back(absl::StrCat(path.string(), ":", line_no, ": unreadable record skipped"));
      continue;
    }
    ++replay.records;
    const std::string event = record.value("event", "");
    const std::string cell = record.value("cell", "");
    const int attempt = record.value("attempt", 0);
    if (cell.empty()) continue;
    int& max_attempt = replay.attempts[cell];
    max_attempt = std::max(max_attempt, attempt);
    if (event == "finished" || event == "failed") {
      Replay::Finished& f = replay.finished[cell];
      if (f.ok) continue;  // a success is final
      f.ok = event == "finished";
      f.attempts = max_attempt;
      f.reason = record.value("reason", "");
      f.file = record.value("file", "");
    }
  }
  return replay;
}

}  // namespace gop
