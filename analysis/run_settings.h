#ifndef GOP_ANALYSIS_RUN_SETTINGS_H_
#define GOP_ANALYSIS_RUN_SETTINGS_H_

#include <filesystem>
#include <string>
#include <vector>

namespace gop::analysis {

// What the report shows of the run's grid.yaml (RESULT_DIR/../grid.yaml, as
// the coordinator resolved it). Only the multiplier lists are interpreted (for
// the multiplier-view CSVs); the rest is shown as written.
struct RunSettings {
  bool found = false;
  std::string grid_yaml;  // the file's text
  std::vector<double> web_thread_multipliers;
  std::vector<double> db_pool_multipliers;
  std::string problem;  // why the file could not be interpreted, if so
};

// A missing file gives found == false; an unreadable one sets `problem`.
RunSettings ReadRunSettings(const std::filesystem::path& grid_yaml);

// The seed's rounding (Python's round: half to even): 3 x 1.5 = 4.5 -> 4.
int RoundHalfEven(double value);

}  // namespace gop::analysis

#endif  // GOP_ANALYSIS_RUN_SETTINGS_H_
