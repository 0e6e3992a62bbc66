#include "analysis/confidence_interval.h"

#include <cmath>

#include "boost/math/distributions/students_t.hpp"

namespace gop::analysis {

Interval MeanInterval(const std::vector<double>& samples) {
  Interval out;
  out.samples = static_cast<int>(samples.size());
  if (samples.empty()) return out;
  double sum = 0;
  for (double s : samples) sum += s;
  out.mean = sum / samples.size();
  out.low = out.high = out.mean;
  if (samples.size() < 2) return out;
  double squares = 0;
  for (double s : samples) squares += (s - out.mean) * (s - out.mean);
  const double n = static_cast<double>(samples.size());
  const double stddev = std::sqrt(squares / (n - 1));
  boost::math::students_t dist(n - 1);
  const double t = boost::math::quantile(boost::math::complement(dist, 0.025));
  const double half = t * stddev / std::sqrt(n);
  out.low = out.mean - half;
  out.high = out.mean + half;
  return out;
}

}  // namespace gop::analysis
