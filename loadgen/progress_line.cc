#include "loadgen/progress_line.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace gop::loadgen {

namespace {
std::string Clock(absl::Duration d) {
  int64_t s = absl::ToInt64Seconds(d);
  return absl::StrFormat("%d:%02d", s / 60, s % 60);
}
}  // namespace

std::string FormatProgressLine(const ProgressSample& s, int bar_width) {
  double frac = s.phase_total > absl::ZeroDuration()
                    ? std::clamp(absl::FDivDuration(s.elapsed, s.phase_total), 0.0, 1.0)
                    : 0.0;
  int filled = static_cast<int>(frac * bar_width);
  std::string bar(filled, '=');
  if (filled < bar_width) bar += '>';
  bar.resize(bar_width, ' ');
  return absl::StrFormat("%-9s %s/%s [%s] %8.0f req/s  p99 %.1f ms  errors %d",
                         PhaseName(s.phase), Clock(s.elapsed), Clock(s.phase_total), bar, s.rps,
                         s.interval_latency.ValueAtPercentile(99) / 1000.0, s.errors);
}

}  // namespace gop::loadgen
