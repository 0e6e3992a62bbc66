#include "analysis/recommendation.h"

#include <algorithm>

namespace gop::analysis {
namespace {

// Orders candidates best first by `better` and fills a Pick. Ties on the
// headline figure keep the grid order (fewer threads, smaller pool first).
template <typename Better, typename IntervalOf>
Pick PickBest(std::vector<int> candidates, const std::vector<ConfigStats>& configs,
              Better better, IntervalOf interval_of) {
  Pick pick;
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](int a, int b) { return better(configs[a], configs[b]); });
  if (candidates.empty()) return pick;
  pick.winner = candidates[0];
  if (candidates.size() < 2) return pick;
  pick.runner_up = candidates[1];
  const Interval& w = interval_of(configs[pick.winner]);
  const Interval& r = interval_of(configs[pick.runner_up]);
  const bool equal = !better(configs[pick.winner], configs[pick.runner_up]);
  pick.tie = equal || ((w.HasSpread() || r.HasSpread()) && w.Overlaps(r));
  return pick;
}

}  // namespace

CpuRecommendation Recommend(const std::vector<ConfigStats>& configs, double cpu_limit) {
  CpuRecommendation rec;
  rec.cpu_limit = cpu_limit;
  std::vector<int> candidates;
  for (int i = 0; i < static_cast<int>(configs.size()); ++i) {
    if (configs[i].key.cpu_limit == cpu_limit && configs[i].ok()) candidates.push_back(i);
  }
  auto higher_rps = [](const ConfigStats& a, const ConfigStats& b) { return a.rps > b.rps; };
  auto lower_p99 = [](const ConfigStats& a, const ConfigStats& b) { return a.p99_ms < b.p99_ms; };
  auto rps_interval = [](const ConfigStats& c) -> const Interval& { return c.rps_interval; };
  auto p99_interval = [](const ConfigStats& c) -> const Interval& { return c.p99_interval; };

  rec.throughput = PickBest(candidates, configs, higher_rps, rps_interval);
  rec.latency = PickBest(candidates, configs, lower_p99, p99_interval);
  if (rec.latency.winner < 0) return rec;
  rec.balanced_p99_limit_ms = kBalancedP99Factor * configs[rec.latency.winner].p99_ms;
  std::vector<int> eligible;
  for (int i : candidates) {
    if (configs[i].p99_ms <= rec.balanced_p99_limit_ms) eligible.push_back(i);
  }
  rec.balanced = PickBest(eligible, configs, higher_rps, rps_interval);
  return rec;
}

}  // namespace gop::analysis
