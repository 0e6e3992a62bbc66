#ifndef GOP_ANALYSIS_CSV_TABLES_H_
#define GOP_ANALYSIS_CSV_TABLES_H_

#include <string>
#include <vector>

#include "analysis/config_stats.h"
#include "analysis/recommendation.h"
#include "analysis/run_settings.h"

// The seed's CSV outputs, in its exact layouts. Numbers have two decimals
// (1596.15); "N/A" marks a configuration that was not tested and "FAILED" one
// whose every repetition failed.
namespace gop::analysis {

// cpu_{N}_avg_rps.csv etc.: header "Web Threads / DB Pool,<pool sizes>", one
// row per web-thread count tested at this CPU limit.
std::string MetricMatrixCsv(const std::vector<ConfigStats>& configs, double cpu_limit,
                            Metric metric);

// summary_all_tests.csv: one row per configuration.
std::string SummaryCsv(const std::vector<ConfigStats>& configs);

// best_configurations.csv: a "Best RPS" and a "Best P99 Latency" row per CPU
// limit that has a successful configuration.
std::string BestConfigurationsCsv(const std::vector<ConfigStats>& configs,
                                  const std::vector<CpuRecommendation>& recommendations);

// The seed's multiplier view (cpu_{N}_throughput.csv,
// cpu_{N}_p99_latency_by_multiplier.csv): header
// "DB \ WEB Pool multiplier,WEB 1 X CPU,WEB 1.5 X CPU,...", rows
// "DB 2 X WEB,...". Multipliers come from grid.yaml when it lists them, else
// from the result files, else are derived (threads / cpu, pool / threads).
std::string MultiplierMatrixCsv(const std::vector<ConfigStats>& configs, double cpu_limit,
                                Metric metric, const RunSettings& settings);

// "%.2f", the seed's number format.
std::string Fixed2(double value);

}  // namespace gop::analysis

#endif  // GOP_ANALYSIS_CSV_TABLES_H_
