#include "analysis/config_stats.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gop::analysis {
namespace {

double Ms(int64_t us) { return static_cast<double>(us) / 1000.0; }

std::string Describe(const ConfigKey& k) {
  return absl::StrCat("cpu ", FormatCpuLimit(k.cpu_limit), ", ", k.web_threads,
                      " web threads, db pool ", k.db_pool);
}

// Adds `h` into `into`, starting it when empty.
void MergeInto(std::optional<Histogram>* into, const Histogram& h, const std::string& what,
               std::vector<std::string>* warnings) {
  if (!into->has_value()) {
    *into = h;
    return;
  }
  if (absl::Status s = (*into)->Merge(h); !s.ok()) {
    warnings->push_back(absl::StrCat(what, ": histogram not merged: ", s.message()));
  }
}

void Finish(const std::vector<const CellRecord*>& ok_runs, ConfigStats* stats,
            std::vector<std::string>* warnings) {
  std::vector<double> rps, p99;
  std::vector<const CellRecord*> with_histogram, without_histogram;
  for (const CellRecord* r : ok_runs) {
    rps.push_back(r->rps);
    stats->requests += r->requests;
    stats->errors += r->errors;
    (r->latency.has_value() ? with_histogram : without_histogram).push_back(r);
  }
  stats->rps_interval = MeanInterval(rps);
  stats->rps = stats->rps_interval.mean;
  const std::string what = Describe(stats->key);

  if (!with_histogram.empty()) {
    if (!without_histogram.empty()) {
      stats->warnings.push_back(absl::StrCat(
          without_histogram.size(),
          " repetition(s) without a histogram left out of the percentiles"));
    }
    for (const CellRecord* r : with_histogram) {
      MergeInto(&stats->latency, *r->latency, what, warnings);
      p99.push_back(Ms(r->latency->ValueAtPercentile(99)));
      for (const OperationRecord& op : r->operations) {
        auto it = std::find_if(stats->operations.begin(), stats->operations.end(),
                               [&](const OperationStats& o) { return o.name == op.name; });
        if (it == stats->operations.end()) {
          stats->operations.emplace_back();
          stats->operations.back().name = op.name;
          it = stats->operations.end() - 1;
        }
        it->requests += op.requests;
        it->errors += op.errors;
        if (op.latency.has_value()) MergeInto(&it->latency, *op.latency, what, warnings);
      }
    }
    const Histogram& h = *stats->latency;
    stats->p99_ms = Ms(h.ValueAtPercentile(99));
    stats->p95_ms = Ms(h.ValueAtPercentile(95));
    stats->p50_ms = Ms(h.ValueAtPercentile(50));
    stats->avg_ms = h.Mean() / 1000.0;
  } else {
    stats->percentiles_as_given = true;
    std::vector<double> p95, avg;
    for (const CellRecord* r : without_histogram) {
      p99.push_back(r->given_p99_ms.value_or(0));
      if (r->given_p95_ms.has_value()) p95.push_back(*r->given_p95_ms);
      if (r->given_avg_ms.has_value()) avg.push_back(*r->given_avg_ms);
    }
    stats->p99_ms = MeanInterval(p99).mean;
    stats->p95_ms = MeanInterval(p95).mean;
    stats->avg_ms = MeanInterval(avg).mean;
    if (without_histogram.size() > 1) {
      stats->warnings.push_back(
          "k6 percentiles as given, averaged over repetitions (no histograms to merge)");
    }
  }
  stats->p99_interval = MeanInterval(p99);
}

}  // namespace

double MetricValue(const ConfigStats& stats, Metric metric) {
  switch (metric) {
    case Metric::kAvgRps:
      return stats.rps;
    case Metric::kP99Latency:
      return stats.p99_ms;
    case Metric::kP95Latency:
      return stats.p95_ms;
    case Metric::kAvgLatency:
      return stats.avg_ms;
  }
  return 0;
}

bool HigherIsBetter(Metric metric) { return metric == Metric::kAvgRps; }

std::vector<double> CpuLimits(const std::vector<ConfigStats>& configs) {
  std::set<double> cpus;
  for (const ConfigStats& c : configs) cpus.insert(c.key.cpu_limit);
  return {cpus.begin(), cpus.end()};
}

std::vector<ConfigStats> AggregateConfigs(const std::vector<CellRecord>& records,
                                          std::vector<std::string>* warnings) {
  std::map<ConfigKey, std::vector<const CellRecord*>> by_key;
  for (const CellRecord& r : records) {
    by_key[ConfigKey{r.cpu_limit, r.web_threads, r.db_pool}].push_back(&r);
  }
  std::vector<ConfigStats> out;
  for (const auto& [key, runs] : by_key) {
    ConfigStats stats;
    stats.key = key;
    std::vector<const CellRecord*> ok_runs;
    std::set<int> ok_repetitions;
    for (const CellRecord* r : runs) {
      if (r->web_thread_multiplier > 0) stats.web_thread_multiplier = r->web_thread_multiplier;
      if (r->db_pool_multiplier > 0) stats.db_pool_multiplier = r->db_pool_multiplier;
      if (!r->agent_id.empty()) stats.agents.insert(r->agent_id);
      if (!r->cpu_limit_mechanism.empty()) stats.cpu_limit_mechanisms.insert(r->cpu_limit_mechanism);
      for (const std::string& w : r->warnings) {
        if (std::find(stats.warnings.begin(), stats.warnings.end(), w) == stats.warnings.end()) {
          stats.warnings.push_back(w);
        }
      }
      if (r->ok) {
        ok_runs.push_back(r);
        ok_repetitions.insert(r->repetition);
      }
    }
    for (const CellRecord* r : runs) {
      if (r->ok || ok_repetitions.contains(r->repetition)) continue;
      ++stats.runs_failed;
      if (std::find(stats.failure_reasons.begin(), stats.failure_reasons.end(),
                    r->failure_reason) == stats.failure_reasons.end()) {
        stats.failure_reasons.push_back(r->failure_reason);
      }
    }
    stats.runs_ok = static_cast<int>(ok_runs.size());
    if (!ok_runs.empty()) Finish(ok_runs, &stats, warnings);
    out.push_back(std::move(stats));
  }
  return out;
}

}  // namespace gop::analysis
