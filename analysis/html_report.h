#ifndef GOP_ANALYSIS_HTML_REPORT_H_
#define GOP_ANALYSIS_HTML_REPORT_H_

#include <string>
#include <vector>

#include "analysis/config_stats.h"
#include "analysis/recommendation.h"
#include "analysis/result_loader.h"
#include "analysis/run_settings.h"

namespace gop::analysis {

// The pictures of one CPU limit, as SVG markup to inline.
struct CpuPictures {
  double cpu_limit = 0;
  std::string rps_heatmap;
  std::string p99_heatmap;
  std::string rps_line_chart;
  std::string latency_spectrum;
};

// Everything report.html shows. Pointers are not owned and must outlive the call.
struct ReportInput {
  std::string result_dir;
  const LoadedResults* loaded = nullptr;
  const std::vector<ConfigStats>* configs = nullptr;
  const std::vector<CpuRecommendation>* recommendations = nullptr;
  const RunSettings* settings = nullptr;
  std::vector<std::string> warnings;      // analysis-level problems
  std::vector<CpuPictures> pictures;
  std::vector<std::string> output_files;  // linked at the end
};

// One self-contained HTML page (inline CSS and SVG, no scripts, no network):
// the recommendation first, then warnings, pictures, tables, run settings and
// agents.
std::string RenderHtmlReport(const ReportInput& input);

}  // namespace gop::analysis

#endif  // GOP_ANALYSIS_HTML_REPORT_H_
