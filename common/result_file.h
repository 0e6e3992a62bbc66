#ifndef GOP_COMMON_RESULT_FILE_H_
#define GOP_COMMON_RESULT_FILE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/histogram.h"
#include "gop/v1/cell.pb.h"
#include "gop/v1/session.pb.h"
#include "nlohmann/json.hpp"

// The result file: the contract between the coordinator (writes one per
// finished or failed cell into result/) and analysis (reads them back).
//
// Layout (seed-compatible at the top, gop's own figures under "gop"):
//   {"timestamp": "2026-12-03T16:40:00Z",
//    "configuration": {"cpu_limit", "web_threads", "db_pool_size",
//        "web_thread_multiplier", "db_pool_multiplier", "repetition", "vus",
//        "rate", "executor", "scenario", "duration_s"},
//    "k6_results": {"status": "success"|"failed", "avg_rps", "p99_latency_ms",
//        "raw_metrics": {k6 --summary-export shape: "http_reqs" {count, rate},
//            "http_req_duration" {avg, min, med, max, p(90), p(95), p(99)} in ms,
//            "iterations" {count, rate}, "checks" {passes, fails}}},
//    "gop": {"cell_id", "attempt", "agent_id", "failure_reason", "target_logs",
//        "measured_seconds", "cpu_limit_mechanism", "target_cpu_seconds",
//        "warnings", "iterations", "dropped_iterations", "requests", "errors",
//        "status_counts", "error_kinds",
//        "histogram": base64 of a serialized gop.v1.Histogram (µs),
//        "histogram_uncorrected", "operations": [{"name", "requests", "errors",
//        "status_counts", "error_kinds", "histogram"}],
//        "timeline": [{"second", "requests", "errors", "p50_us", "p99_us"}]}}
namespace gop {

// Formats a CPU limit the way file names and CSV names use it: 2 -> "2",
// 0.5 -> "0.5", 1.25 -> "1.25".
std::string FormatCpuLimit(double cpu_limit);

// File name for a cell's result, e.g. test_cpu2_wt3_db4_rep1_20261203T164000Z.json.
// `finished` is rendered in UTC to the second.
std::string ResultFileName(const v1::CellConfig& cell, absl::Time finished);

// The JSON document the coordinator writes for one finished or failed cell.
nlohmann::json RenderResultFile(const v1::CellConfig& cell,
                                const v1::CellResult& result,
                                absl::Time finished);

// Figures for one operation ("POST Patient") of a cell.
struct OperationRecord {
  std::string name;
  int64_t requests = 0;
  int64_t errors = 0;
  std::map<int, int64_t> status_counts;
  std::map<std::string, int64_t> error_kinds;
  std::optional<Histogram> latency;  // µs
};

// What analysis reads back from one result file: gop's own, or one written by
// the seed's performance_test.py (k6 summary only, no histograms: its
// percentiles are then taken as given and `percentiles_as_given` is set).
struct CellRecord {
  double cpu_limit = 0;
  int web_threads = 0;
  int db_pool = 0;
  double web_thread_multiplier = 0;  // 0 = unknown / listed explicitly
  double db_pool_multiplier = 0;
  int repetition = 1;  // 1-based
  std::string cell_id;
  int attempt = 0;

  bool ok = false;
  std::string failure_reason;  // when !ok
  std::string target_logs;

  double rps = 0;                  // requests per second in the measured phase
  int64_t requests = 0;            // in the measured phase
  int64_t errors = 0;
  double measured_seconds = 0;
  std::optional<Histogram> latency;  // overall, merged over operations (µs)
  std::optional<Histogram> latency_uncorrected;
  std::vector<OperationRecord> operations;
  std::map<int, int64_t> status_counts;
  std::map<std::string, int64_t> error_kinds;

  // Taken from the k6 summary when there is no histogram (milliseconds).
  bool percentiles_as_given = false;
  std::optional<double> given_avg_ms;
  std::optional<double> given_p95_ms;
  std::optional<double> given_p99_ms;

  // Run settings and provenance.
  std::string agent_id;
  std::string cpu_limit_mechanism;
  double target_cpu_seconds = 0;
  int64_t iterations = 0;
  int64_t dropped_iterations = 0;
  std::vector<std::string> warnings;
  std::string scenario;
  std::string executor;
  int vus = 0;
  double rate = 0;
  double duration_s = 0;
  std::optional<absl::Time> finished;
};

// Parses one result document. A "successful" cell whose histogram is empty is
// read as failed ("no request completed in the measured phase"). Accepts the seed's key variants
// ("cpu_limit"/"cpus"/"cpu", "db_pool_size"/"db_pool", raw_metrics with or
// without k6's "metrics" and "values" nesting). Fails with the reason when a
// required field is missing or has the wrong type, or a histogram is corrupt.
absl::StatusOr<CellRecord> ParseResultFile(const nlohmann::json& doc);

}  // namespace gop

#endif  // GOP_COMMON_RESULT_FILE_H_
