#ifndef GOP_ANALYSIS_CONFIDENCE_INTERVAL_H_
#define GOP_ANALYSIS_CONFIDENCE_INTERVAL_H_

#include <vector>

namespace gop::analysis {

// The mean of a few samples (e.g. one req/s figure per repetition) and its
// two-sided 95% confidence interval from Student's t distribution. With fewer
// than two samples there is no spread: low == high == mean.
struct Interval {
  double mean = 0;
  double low = 0;
  double high = 0;
  int samples = 0;

  bool HasSpread() const { return samples >= 2; }
  double HalfWidth() const { return (high - low) / 2; }
  // True when the two intervals share at least one point.
  bool Overlaps(const Interval& other) const { return low <= other.high && other.low <= high; }
};

Interval MeanInterval(const std::vector<double>& samples);

}  // namespace gop::analysis

#endif  // GOP_ANALYSIS_CONFIDENCE_INTERVAL_H_
