#ifndef GOP_ANALYSIS_ANALYZE_RUN_H_
#define GOP_ANALYSIS_ANALYZE_RUN_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "analysis/result_loader.h"

namespace gop::analysis {

// One recommended configuration for one CPU limit.
struct BestConfiguration {
  double cpu_limit = 0;
  std::string goal;  // "throughput", "latency" or "balanced"
  int web_threads = 0;
  int db_pool = 0;
  double rps = 0;     // mean req/s
  double p99_ms = 0;  // merged p99
  // The runner-up's 95% interval overlaps the winner's; it is named here.
  bool tie = false;
  int tie_web_threads = 0;
  int tie_db_pool = 0;
};

struct AnalysisSummary {
  std::filesystem::path out_dir;
  std::filesystem::path report_path;       // out_dir / "report.html"
  std::vector<std::string> files_written;  // names within out_dir, in write order
  int result_files = 0;                    // usable result files read
  int configurations = 0;
  int failed_configurations = 0;
  std::vector<CorruptFile> corrupt_files;  // reported, left out of the analysis
  std::vector<BestConfiguration> best;     // per CPU limit: throughput, latency, balanced
};

// Reads every result file in `result_dir` and writes the seed's CSVs, the SVG
// pictures and report.html into `out_dir` (created if missing). Corrupt files
// are reported in the summary and the report, and the rest is still analysed.
// Fails when `result_dir` cannot be read, holds no *.json file at all, or an
// output cannot be written. Called by gop-analyze and by the coordinator at the
// end of a run. `out` may be null.
absl::Status AnalyzeRun(const std::filesystem::path& result_dir,
                        const std::filesystem::path& out_dir, AnalysisSummary* out);

// RESULT_DIR/../analysis, the default output directory.
std::filesystem::path DefaultOutDir(const std::filesystem::path& result_dir);

// The best configurations as a plain-text table for a terminal.
std::string FormatBestTable(const AnalysisSummary& summary);

}  // namespace gop::analysis

// The entry points other areas call (the coordinator at the end of a run).
namespace gop {
using analysis::AnalysisSummary;
using analysis::AnalyzeRun;
using analysis::BestConfiguration;
using analysis::DefaultOutDir;
using analysis::FormatBestTable;
}  // namespace gop

#endif  // GOP_ANALYSIS_ANALYZE_RUN_H_
