#ifndef GOP_ANALYSIS_LINE_CHART_SVG_H_
#define GOP_ANALYSIS_LINE_CHART_SVG_H_

#include <string>
#include <vector>

#include "analysis/config_stats.h"

namespace gop::analysis {

// Requests per second against web threads for one CPU limit, one line per DB
// pool size, with 95% interval bars where repetitions give them. Failed
// configurations are left out (the heatmaps show them).
std::string RpsLineChartSvg(const std::vector<ConfigStats>& configs, double cpu_limit);

}  // namespace gop::analysis

#endif  // GOP_ANALYSIS_LINE_CHART_SVG_H_
