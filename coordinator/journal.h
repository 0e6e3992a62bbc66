#ifndef GOP_COORDINATOR_JOURNAL_H_
#define GOP_COORDINATOR_JOURNAL_H_

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace gop {

// The run's append-only journal (journal.jsonl): one JSON object per line,
// each flushed and fsync'd before Append returns, so a record that was
// acknowledged survives a crash. Not thread-safe.
//
// Records carry "event": run_started, assigned, finished, failed, requeued,
// cancelled, run_finished; plus "cell", "attempt", "agent", "file", "reason"
// and "t" (unix milliseconds) where they apply.
class Journal {
 public:
  // What an earlier life of the run left behind.
  struct Replay {
    struct Finished {
      bool ok = false;
      int attempts = 0;
      std::string reason;
      std::string file;
    };
    std::map<std::string, Finished> finished;  // by cell id
    std::map<std::string, int> attempts;       // highest attempt seen, by cell id
    int records = 0;
    // Lines that could not be read (a torn last line after a crash).
    std::vector<std::string> problems;
  };

  static absl::StatusOr<std::unique_ptr<Journal>> Open(const std::filesystem::path& path);
  // Reads a journal; a missing file is an empty replay.
  static absl::StatusOr<Replay> Read(const std::filesystem::path& path);

  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  absl::Status Append(const nlohmann::json& record);

 private:
  Journal(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::filesystem::path path_;
};

}  // namespace gop

#endif  // GOP_COORDINATOR_JOURNAL_H_
