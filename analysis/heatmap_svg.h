#ifndef GOP_ANALYSIS_HEATMAP_SVG_H_
#define GOP_ANALYSIS_HEATMAP_SVG_H_

#include <string>
#include <vector>

#include "analysis/config_stats.h"
#include "analysis/recommendation.h"

namespace gop::analysis {

// A heatmap of one metric for one CPU limit: rows = web threads, columns = DB
// pool sizes, the value written in every cell (with its 95% interval's
// half-width when repetitions give one), the best cell outlined (and the
// runner-up too when they tie), a colour legend and axis titles. Untested cells
// read "N/A", failed ones "FAILED".
std::string HeatmapSvg(const std::vector<ConfigStats>& configs, double cpu_limit, Metric metric,
                       const Pick& best);

// Short label for a metric's value, e.g. "1596" req/s or "6.02" ms.
std::string FormatMetric(double value, Metric metric);

}  // namespace gop::analysis

#endif  // GOP_ANALYSIS_HEATMAP_SVG_H_
