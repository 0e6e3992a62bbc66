#ifndef GOP_TESTS_COMPOSE_PROMQL_METRICS_H_
#define GOP_TESTS_COMPOSE_PROMQL_METRICS_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gop::testing {

// The metric names a PromQL expression selects (not functions, keywords,
// label names, grouping labels, strings or durations). Grafana variables
// ($__rate_interval, $job) are skipped. InvalidArgument for unbalanced
// brackets or an unterminated string, or when no metric is named at all.
absl::StatusOr<std::set<std::string>> MetricNamesInPromQL(const std::string& expr);

// True when `name` is in `allowed`, or is a histogram's _bucket/_sum/_count
// series of a name in `allowed`.
bool IsAllowedMetric(const std::string& name, const std::set<std::string>& allowed);

// Metrics gop's coordinator exports (names fixed with the lead).
const std::set<std::string>& GopMetricNames();
// Metrics minibox exports: the histogram/gauge names the dashboard may use.
const std::set<std::string>& MiniboxMetricNames();
// Metrics of Aidbox's metrics server, as documented in "Aidbox Metrics
// Server" (docs.aidbox.app, modules/observability/metrics), and of cAdvisor
// (container_* used for the Aidbox container's CPU and memory).
const std::set<std::string>& DocumentedExternalMetricNames();

// One query of the dashboard, with where it came from for messages.
struct DashboardQuery {
  std::string panel_title;
  std::string ref_id;
  std::string expr;
  std::string datasource_uid;
};
// Every Prometheus query of every panel (rows' nested panels included) in a
// Grafana dashboard JSON file. Fails on unreadable or malformed JSON.
absl::StatusOr<std::vector<DashboardQuery>> LoadDashboardQueries(const std::string& path);

}  // namespace gop::testing

#endif  // GOP_TESTS_COMPOSE_PROMQL_METRICS_H_
