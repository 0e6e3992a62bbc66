#include "common/histogram_export.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"

namespace gop {
namespace {

// The next reporting level: steps shrink by half each time the distance to
// 100% halves, `ticks` steps per halving (HdrHistogram's percentile iterator).
double NextPercentileLevel(double level, int ticks) {
  const double halvings = std::floor(std::log2(100.0 / (100.0 - level)));
  const double ticks_now = ticks * std::pow(2.0, halvings + 1);
  return level + 100.0 / ticks_now;
}

}  // namespace

std::string ToHgrm(const Histogram& h, double value_scale, int ticks_per_half_distance) {
  const int digits = h.layout().significant_digits;
  std::string out = absl::StrFormat("%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
                                    "1/(1-Percentile)");
  auto line = [&](int64_t value, double level, int64_t cumulative) {
    const double fraction = level / 100.0;
    if (level < 100.0) {
      absl::StrAppendFormat(&out, "%12.*f %2.12f %10d %14.2f\n", digits, value / value_scale, fraction,
                            cumulative, 1.0 / (1.0 - fraction));
    } else {
      absl::StrAppendFormat(&out, "%12.*f %2.12f %10d\n", digits, value / value_scale, fraction, cumulative);
    }
  };

  const int64_t total = h.TotalCount();
  if (total > 0) {
    double level = 0.0;
    int64_t cumulative = 0;
    int64_t last_value = 0;
    for (int i = 0; i < h.CountsLength() && cumulative < total; ++i) {
      const int64_t count = h.CountAtIndex(i);
      if (count == 0) continue;
      cumulative += count;
      last_value = std::min(h.HighestEquivalentValue(h.ValueFromIndex(i)), h.Max());
      // One line per reporting level this slot reaches; once the whole count
      // is reached only the first is printed, the final 100% line follows.
      while (100.0 * cumulative / total >= level) {
        line(last_value, level, cumulative);
        level = NextPercentileLevel(level, ticks_per_half_distance);
        if (cumulative == total) break;
      }
    }
    if (h.OverflowCount() > 0) last_value = h.Max();
    line(last_value, 100.0, total);
  }

  absl::StrAppendFormat(&out, "#[Mean    = %12.*f, StdDeviation   = %12.*f]\n", digits, h.Mean() / value_scale,
                        digits, h.StdDev() / value_scale);
  absl::StrAppendFormat(&out, "#[Max     = %12.*f, Total count    = %12d]\n", digits, h.Max() / value_scale,
                        total);
  absl::StrAppendFormat(&out, "#[Buckets = %12d, SubBuckets     = %12d]\n", h.BucketCount(),
                        h.SubBucketCount());
  return out;
}

nlohmann::json ToSummaryJson(const Histogram& h) {
  auto ms = [](double us) { return us / 1000.0; };
  return nlohmann::json{
      {"count", h.TotalCount()},
      {"overflow", h.OverflowCount()},
      {"min_ms", ms(h.Min())},
      {"max_ms", ms(h.Max())},
      {"mean_ms", ms(h.Mean())},
      {"stddev_ms", ms(h.StdDev())},
      {"p50_ms", ms(h.ValueAtPercentile(50))},
      {"p90_ms", ms(h.ValueAtPercentile(90))},
      {"p95_ms", ms(h.ValueAtPercentile(95))},
      {"p99_ms", ms(h.ValueAtPercentile(99))},
      {"p99_9_ms", ms(h.ValueAtPercentile(99.9))},
  };
}

}  // namespace gop
