#ifndef GOP_LOADGEN_DATA_DIR_H_
#define GOP_LOADGEN_DATA_DIR_H_

#include <filesystem>

#include "absl/status/statusor.h"

namespace gop::loadgen {

// Where the data files (scenarios/, seeds/) live: `explicit_dir` if not
// empty, else $GOP_DATA_DIR, else the nearest ancestor of `executable` (then
// of the working directory) that holds a scenarios/ folder.
absl::StatusOr<std::filesystem::path> FindDataDir(const std::filesystem::path& explicit_dir,
                                                  const std::filesystem::path& executable);

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_DATA_DIR_H_
