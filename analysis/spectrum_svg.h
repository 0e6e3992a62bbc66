#ifndef GOP_ANALYSIS_SPECTRUM_SVG_H_
#define GOP_ANALYSIS_SPECTRUM_SVG_H_

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "common/histogram.h"

namespace gop::analysis {

struct SpectrumSeries {
  std::string label;
  const Histogram* histogram = nullptr;  // µs; not owned; nullptr = none (listed, not drawn)
};

// The latency percentile spectrum, HdrHistogram style: latency (ms) against
// percentile on a log axis of 1 / (1 - p), so 90%, 99%, 99.9% ... are evenly
// spaced. Each curve stops where its sample count stops supporting a finer
// percentile (its last point is the maximum).
std::string LatencySpectrumSvg(const std::vector<SpectrumSeries>& series, absl::string_view title);

}  // namespace gop::analysis

#endif  // GOP_ANALYSIS_SPECTRUM_SVG_H_
