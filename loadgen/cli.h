#ifndef GOP_LOADGEN_CLI_H_
#define GOP_LOADGEN_CLI_H_

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "loadgen/load_options.h"

namespace gop::loadgen {

// Everything `gop-load` takes on its command line.
struct CliOptions {
  LoadOptions load;
  std::string scenario = "crud";
  std::filesystem::path data_dir;      // "" = find it
  std::filesystem::path summary_export;  // k6 shape
  std::filesystem::path summary_json;    // gop's own JSON summary
  std::filesystem::path hgrm_dir;
  bool json = false;   // print the JSON summary on stdout instead of the table
  bool quiet = false;  // no live line even on a terminal
  bool help = false;
};

// Parses argv (without argv[0]); every problem in one status.
absl::StatusOr<CliOptions> ParseCommandLine(const std::vector<std::string>& args);

// The --help text.
std::string UsageText();

// Runs gop-load and returns its exit code: 0 done, 1 the run failed (e.g.
// the target is unreachable), 2 bad usage. `live` enables the per-second
// status line on `err` (the caller passes isatty).
int RunCli(const std::vector<std::string>& args, const std::filesystem::path& executable,
           std::ostream& out, std::ostream& err, bool live);

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_CLI_H_
