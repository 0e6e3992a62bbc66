// The Grafana dashboard and its provisioning: every panel's query parses and
// names only metrics that gop, minibox, Aidbox or cAdvisor export.
#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/compose/promql_metrics.h"

namespace gop::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

const std::string kCompose = std::string(GOP_SOURCE_DIR) + "/compose";
const std::string kDashboard = kCompose + "/grafana/dashboards/gop.json";

std::set<std::string> AllowedMetrics() {
  std::set<std::string> all = GopMetricNames();
  all.insert(MiniboxMetricNames().begin(), MiniboxMetricNames().end());
  all.insert(DocumentedExternalMetricNames().begin(), DocumentedExternalMetricNames().end());
  return all;
}

// Problems with the queries of one dashboard file, one line each.
std::vector<std::string> QueryProblems(const std::string& path) {
  std::vector<std::string> problems;
  absl::StatusOr<std::vector<DashboardQuery>> queries = LoadDashboardQueries(path);
  if (!queries.ok()) return {std::string(queries.status().message())};
  if (queries->empty()) return {"no queries"};
  const std::set<std::string> allowed = AllowedMetrics();
  for (const DashboardQuery& q : *queries) {
    std::string where = absl::StrCat("panel '", q.panel_title, "' ", q.ref_id, ": ");
    absl::StatusOr<std::set<std::string>> names = MetricNamesInPromQL(q.expr);
    if (!names.ok()) {
      problems.push_back(absl::StrCat(where, names.status().message(), ": ", q.expr));
      continue;
    }
    for (const std::string& name : *names) {
      if (!IsAllowedMetric(name, allowed)) {
        problems.push_back(absl::StrCat(where, "unknown metric ", name));
      }
    }
  }
  return problems;
}

TEST(PromQLMetricsTest, FindsOnlyMetricNames) {
  auto names = MetricNamesInPromQL(
      "histogram_quantile(0.99, sum by (le, route) (rate(aidbox_http_request_duration_seconds_"
      "bucket{route=~\"/fhir/(.*)\", x='a}b'}[$__rate_interval])))");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, UnorderedElementsAre("aidbox_http_request_duration_seconds_bucket"));

  names = MetricNamesInPromQL(
      "gop_agents_connected == 0 and on() sum(gop_cells{state=~\"queued|running\"}) offset 5m "
      "> bool 1e3 / ignoring(x) group_left(y) hikari_max_size");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, UnorderedElementsAre("gop_agents_connected", "gop_cells", "hikari_max_size"));
}

TEST(PromQLMetricsTest, RejectsBrokenExpressions) {
  EXPECT_FALSE(MetricNamesInPromQL("").ok());
  EXPECT_FALSE(MetricNamesInPromQL("sum(rate(x[5m])").ok());
  EXPECT_FALSE(MetricNamesInPromQL("x{a=\"b}").ok());
  EXPECT_FALSE(MetricNamesInPromQL("x[5m").ok());
  EXPECT_FALSE(MetricNamesInPromQL("vector(1)").ok());  // names no metric
}

TEST(PromQLMetricsTest, HistogramSeriesOfAnAllowedHistogramAreAllowed) {
  std::set<std::string> allowed = {"h_seconds"};
  EXPECT_TRUE(IsAllowedMetric("h_seconds_bucket", allowed));
  EXPECT_TRUE(IsAllowedMetric("h_seconds_count", allowed));
  EXPECT_FALSE(IsAllowedMetric("h_seconds_total", allowed));
  EXPECT_FALSE(IsAllowedMetric("http_requests_total", allowed));
}

TEST(DashboardTest, EveryQueryNamesOnlyKnownMetrics) {
  std::vector<std::string> problems = QueryProblems(kDashboard);
  EXPECT_TRUE(problems.empty()) << absl::StrJoin(problems, "\n");
}

TEST(DashboardTest, ABrokenDashboardIsCaught) {
  std::ifstream in(kDashboard);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string dir = ::testing::TempDir();

  std::string unknown_metric = text;
  size_t at = unknown_metric.find("hikari_pending_count");
  ASSERT_NE(at, std::string::npos);
  unknown_metric.replace(at, 20, "db_pool_active_connections");
  std::ofstream(dir + "/unknown.json") << unknown_metric;
  EXPECT_THAT(absl::StrJoin(QueryProblems(dir + "/unknown.json"), "\n"),
              HasSubstr("unknown metric db_pool_active_connections"));

  std::ofstream(dir + "/truncated.json") << text.substr(0, text.size() / 2);
  EXPECT_FALSE(QueryProblems(dir + "/truncated.json").empty());
}

TEST(DashboardTest, ShowsWhatTheSeedPromisedAndGopsProgress) {
  absl::StatusOr<std::vector<DashboardQuery>> queries = LoadDashboardQueries(kDashboard);
  ASSERT_TRUE(queries.ok()) << queries.status();
  std::set<std::string> used;
  std::string all_exprs;
  for (const DashboardQuery& q : *queries) {
    auto names = MetricNamesInPromQL(q.expr);
    if (names.ok()) used.insert(names->begin(), names->end());
    absl::StrAppend(&all_exprs, q.expr, "\n");
  }
  for (const char* m : {"aidbox_http_request_duration_seconds_count",
                        "aidbox_http_request_duration_seconds_bucket", "hikari_active_count",
                        "hikari_idle_count", "hikari_pending_count", "hikari_max_size",
                        "hikari_acquire_wait_seconds_bucket", "container_cpu_usage_seconds_total",
                        "container_memory_working_set_bytes", "gop_cells", "gop_cells_total",
                        "gop_agents_connected", "gop_agent_current_cell",
                        "gop_agent_requests_per_second", "gop_agent_p99_seconds"}) {
    EXPECT_TRUE(used.count(m)) << "dashboard does not show " << m;
  }
  // Latency percentiles per operation.
  for (const char* q : {"histogram_quantile(0.5,", "histogram_quantile(0.95,",
                        "histogram_quantile(0.99,"}) {
    EXPECT_THAT(all_exprs, HasSubstr(q));
  }
  EXPECT_THAT(all_exprs, HasSubstr("by (le, method, route)"));
}

TEST(DashboardTest, PanelsHaveUniqueIdsAndTheProvisionedDatasource) {
  std::ifstream in(kDashboard);
  nlohmann::json dash = nlohmann::json::parse(in);
  EXPECT_EQ(dash.value("uid", ""), "gop-overview");
  std::set<int> ids;
  for (const auto& p : dash["panels"]) {
    EXPECT_TRUE(ids.insert(p.value("id", -1)).second) << "duplicate panel id " << p["id"];
    EXPECT_TRUE(p.contains("gridPos")) << p.value("title", "");
  }

  YAML::Node ds = YAML::LoadFile(kCompose + "/grafana/provisioning/datasources/prometheus.yml");
  std::set<std::string> uids;
  for (const auto& d : ds["datasources"]) {
    EXPECT_EQ(d["type"].as<std::string>(), "prometheus");
    EXPECT_EQ(d["url"].as<std::string>(), "http://prometheus:9090");
    uids.insert(d["uid"].as<std::string>());
  }
  auto queries = LoadDashboardQueries(kDashboard);
  ASSERT_TRUE(queries.ok());
  for (const DashboardQuery& q : *queries) {
    EXPECT_TRUE(uids.count(q.datasource_uid))
        << "panel '" << q.panel_title << "' uses datasource '" << q.datasource_uid << "'";
  }
}

TEST(DashboardTest, ProvisioningLoadsTheDashboardFolder) {
  YAML::Node prov = YAML::LoadFile(kCompose + "/grafana/provisioning/dashboards/gop.yml");
  ASSERT_TRUE(prov["providers"].IsSequence());
  EXPECT_EQ(prov["providers"][0]["type"].as<std::string>(), "file");
  // docker-compose.yaml mounts ./grafana/dashboards there.
  EXPECT_EQ(prov["providers"][0]["options"]["path"].as<std::string>(),
            "/var/lib/grafana/dashboards");
  YAML::Node compose = YAML::LoadFile(kCompose + "/docker-compose.yaml");
  std::vector<std::string> volumes =
      compose["services"]["grafana"]["volumes"].as<std::vector<std::string>>();
  EXPECT_THAT(volumes, ::testing::Contains("./grafana/dashboards:/var/lib/grafana/dashboards:ro"));
  EXPECT_THAT(volumes,
              ::testing::Contains("./grafana/provisioning:/etc/grafana/provisioning:ro"));
}

}  // namespace
}  // namespace gop::testing
