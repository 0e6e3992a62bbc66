// gop-analyze RESULT_DIR [-o OUT_DIR]: regenerates the CSVs, pictures and
// report.html of a run from its result files alone.
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "common/flag_names.h"
#include "absl/flags/usage.h"
#include "analysis/analyze_run.h"

ABSL_FLAG(std::string, o, "", "output directory (default: RESULT_DIR/../analysis)");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "gop-analyze RESULT_DIR [-o OUT_DIR]\n"
      "Writes seed-compatible CSVs, SVG pictures and report.html from a run's result files.");
  gop::ShowAllFlagsInHelp();
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2) {
    std::cerr << "usage: gop-analyze RESULT_DIR [-o OUT_DIR]\n";
    return 2;
  }
  const std::filesystem::path result_dir = args[1];
  std::filesystem::path out_dir = absl::GetFlag(FLAGS_o);
  if (out_dir.empty()) out_dir = gop::analysis::DefaultOutDir(result_dir);

  gop::analysis::AnalysisSummary summary;
  if (absl::Status s = gop::analysis::AnalyzeRun(result_dir, out_dir, &summary); !s.ok()) {
    std::cerr << "gop-analyze: " << s.message() << "\n";
    return 1;
  }
  std::cout.flush();
  for (const gop::analysis::CorruptFile& f : summary.corrupt_files) {
    std::cerr << "warning: corrupt result file " << f.file << ": " << f.reason
              << " (left out)\n";
  }
  std::cout << "Analysed " << summary.result_files << " result files, "
            << summary.configurations << " configurations (" << summary.failed_configurations
            << " failed)";
  if (!summary.corrupt_files.empty()) {
    std::cout << "; " << summary.corrupt_files.size() << " corrupt file(s) left out";
  }
  std::cout << ".\n\nBest configurations:\n"
            << gop::analysis::FormatBestTable(summary) << "\nReport: "
            << summary.report_path.string() << "\n";
  return 0;
}
