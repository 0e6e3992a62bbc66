#ifndef GOP_COORDINATOR_RESULT_STORE_H_
#define GOP_COORDINATOR_RESULT_STORE_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gop/v1/cell.pb.h"
#include "gop/v1/session.pb.h"

namespace gop {

// The run's result/ directory: one seed-layout JSON file per finished cell,
// each written atomically (temporary file, fsync, rename, fsync of the
// directory), so a reader or a crash never sees half a file.
class ResultStore {
 public:
  explicit ResultStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Writes the cell's result; returns the file name (not the path).
  absl::StatusOr<std::string> Write(const v1::CellConfig& cell, const v1::CellResult& result,
                                    absl::Time finished) const;

  struct Found {
    bool ok = false;
    int attempt = 0;
    std::string file;
  };
  // Cells that already have a result file (by cell id); unreadable files are
  // reported in `problems` and skipped.
  std::map<std::string, Found> Scan(std::vector<std::string>* problems) const;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

// Writes `content` to `path` atomically (temp + fsync + rename + dir fsync).
absl::Status WriteFileAtomically(const std::filesystem::path& path, const std::string& content);

}  // namespace gop

#endif  // GOP_COORDINATOR_RESULT_STORE_H_
