#ifndef GOP_ANALYSIS_CONFIG_STATS_H_
#define GOP_ANALYSIS_CONFIG_STATS_H_

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analysis/confidence_interval.h"
#include "common/histogram.h"
#include "common/result_file.h"

namespace gop::analysis {

// One configuration of the grid (all repetitions and agents together).
struct ConfigKey {
  double cpu_limit = 0;
  int web_threads = 0;
  int db_pool = 0;

  auto operator<=>(const ConfigKey&) const = default;
};

// Per-operation figures of one configuration, merged over its repetitions.
struct OperationStats {
  std::string name;
  int64_t requests = 0;
  int64_t errors = 0;
  std::optional<Histogram> latency;  // µs
};

// A configuration's headline figures. Percentiles come from the histogram
// merged over every successful repetition and agent, never from averaged
// percentiles; the intervals come from the per-repetition figures.
struct ConfigStats {
  ConfigKey key;
  double web_thread_multiplier = 0;  // 0 = unknown
  double db_pool_multiplier = 0;

  int runs_ok = 0;      // successful records (repetitions)
  int runs_failed = 0;  // failed repetitions with no successful retry
  std::vector<std::string> failure_reasons;
  bool ok() const { return runs_ok > 0; }

  double rps = 0;        // mean of the per-repetition req/s
  Interval rps_interval;
  double p99_ms = 0;     // from the merged histogram (or as given, see below)
  double p95_ms = 0;
  double p50_ms = 0;
  double avg_ms = 0;
  Interval p99_interval;  // from the per-repetition p99s
  int64_t requests = 0;
  int64_t errors = 0;
  std::optional<Histogram> latency;  // merged, µs
  std::vector<OperationStats> operations;

  // No histogram (files from the seed's performance_test.py): the k6 summary's
  // figures are used as given; with several repetitions they are averaged,
  // which is the best that can be done with them and is said so in the report.
  bool percentiles_as_given = false;
  std::set<std::string> agents;
  std::set<std::string> cpu_limit_mechanisms;
  std::vector<std::string> warnings;
};

// The headline figures the matrices and pictures show.
enum class Metric { kAvgRps, kP99Latency, kP95Latency, kAvgLatency };
double MetricValue(const ConfigStats& stats, Metric metric);
// Higher is better for throughput, lower for latencies.
bool HigherIsBetter(Metric metric);

// Distinct CPU limits, ascending.
std::vector<double> CpuLimits(const std::vector<ConfigStats>& configs);

// Groups records by configuration. A failed repetition that was later retried
// successfully (same configuration and repetition) does not count as failed.
// Problems that do not stop the analysis (histograms that cannot be merged)
// are appended to `warnings`. Sorted by (cpu, web threads, db pool).
std::vector<ConfigStats> AggregateConfigs(const std::vector<CellRecord>& records,
                                          std::vector<std::string>* warnings);

}  // namespace gop::analysis

#endif  // GOP_ANALYSIS_CONFIG_STATS_H_
