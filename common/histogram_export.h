#ifndef GOP_COMMON_HISTOGRAM_EXPORT_H_
#define GOP_COMMON_HISTOGRAM_EXPORT_H_

#include <string>

#include "common/histogram.h"
#include "nlohmann/json_fwd.hpp"

namespace gop {

// HdrHistogram's percentile-distribution text (".hgrm"), as written by its
// outputPercentileDistribution: values divided by `value_scale` (1000 turns
// µs into ms), `ticks_per_half_distance` reporting steps per halving of the
// distance to 100%.
std::string ToHgrm(const Histogram& histogram, double value_scale = 1000.0,
                   int ticks_per_half_distance = 5);

// A summary for JSON consumers: count, min, max, mean, stddev and the usual
// percentiles, all in milliseconds, plus the overflow count.
nlohmann::json ToSummaryJson(const Histogram& histogram);

}  // namespace gop

#endif  // GOP_COMMON_HISTOGRAM_EXPORT_H_
