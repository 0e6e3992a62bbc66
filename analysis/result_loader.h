#ifndef GOP_ANALYSIS_RESULT_LOADER_H_
#define GOP_ANALYSIS_RESULT_LOADER_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/result_file.h"

namespace gop::analysis {

// A result file that could not be used, and why.
struct CorruptFile {
  std::string file;  // name within the result directory
  std::string reason;
};

struct LoadedResults {
  std::vector<CellRecord> records;
  std::vector<std::string> files;  // files[i] holds records[i]
  std::vector<CorruptFile> corrupt;
};

// Reads every *.json file directly in `dir`, in name order. A file that is not
// valid JSON or not a result document lands in `corrupt` and the rest are still
// read. Where a (seed) document lacks cpu/threads/pool or the repetition, they
// are taken from the file name (test_cpu2_wt3_db4[_rep1]_....json).
// Fails only when `dir` cannot be listed.
absl::StatusOr<LoadedResults> LoadResultDir(const std::filesystem::path& dir);

}  // namespace gop::analysis

#endif  // GOP_ANALYSIS_RESULT_LOADER_H_
