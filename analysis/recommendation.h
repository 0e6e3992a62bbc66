#ifndef GOP_ANALYSIS_RECOMMENDATION_H_
#define GOP_ANALYSIS_RECOMMENDATION_H_

#include <vector>

#include "analysis/config_stats.h"

namespace gop::analysis {

// One recommended configuration. Indexes point into the ConfigStats vector the
// recommendation was computed from; -1 = none.
struct Pick {
  int winner = -1;
  int runner_up = -1;
  // The runner-up is as good on the headline figure, or the winner's 95%
  // interval overlaps the runner-up's (decided only where repetitions give an
  // interval): the data cannot tell them apart.
  bool tie = false;
};

// The three recommendations for one CPU limit (DESIGN.md):
//   throughput: highest req/s;  latency: lowest p99;
//   balanced: highest req/s among configurations with p99 <= 1.25 x lowest p99.
struct CpuRecommendation {
  double cpu_limit = 0;
  Pick throughput;
  Pick latency;
  Pick balanced;
  double balanced_p99_limit_ms = 0;
};

inline constexpr double kBalancedP99Factor = 1.25;

// Considers only successful configurations with the given CPU limit.
CpuRecommendation Recommend(const std::vector<ConfigStats>& configs, double cpu_limit);

}  // namespace gop::analysis

#endif  // GOP_ANALYSIS_RECOMMENDATION_H_
