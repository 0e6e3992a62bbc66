// A real Prometheus (Debian's) runs the shipped scrape config, pointed at
// loopback: minibox plays Aidbox's metrics server (and the `minibox` job), the
// coordinator's /metrics is scraped when gop-coordinator is built. Its HTTP
// API then proves that the series the dashboard uses exist, that every
// dashboard query is valid PromQL that returns data, and that the shipped
// rules load and evaluate.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "agent/command_runner.h"
#include "agent/health_probe.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/compose/promql_metrics.h"
#include "tests/support/http_client.h"
#include "tests/support/minibox_process.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/free_port.h"

namespace gop::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kCompose = fs::path(GOP_SOURCE_DIR) / "compose";
// Everything that waits on Prometheus shares this budget.
constexpr absl::Duration kBudget = absl::Seconds(45);

int UnusedPort() { return ::gop::testing::UnusedLoopbackPort(); }

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

class PrometheusScrapeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gop-prom-scrape-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    fs::copy(kCompose / "prometheus", dir_ / "prometheus", fs::copy_options::recursive);
    deadline_ = absl::Now() + kBudget;
  }
  void TearDown() override {
    if (prometheus_) (void)prometheus_->Stop(absl::Seconds(10));
    if (coordinator_) (void)coordinator_->Stop(absl::Seconds(10));
    minibox_.reset();
    fs::remove_all(dir_);
  }

  void StartMinibox() {
    absl::StatusOr<PgConnInfo> db = CreateTestDatabase("prometheus_scrape");
    ASSERT_TRUE(db.ok()) << db.status();
    MiniboxProcessOptions options;
    options.db = *db;
    options.web_threads = 2;
    options.pool_size = 4;
    minibox_metrics_port_ = UnusedPort();
    options.extra_env = {{"BOX_METRICS_PORT", absl::StrCat(minibox_metrics_port_)},
                         {"BOX_INSTANCE_NAME", "cpu_1__web_2__db_4"}};
    absl::StatusOr<std::unique_ptr<MiniboxProcess>> m = MiniboxProcess::Start(options);
    ASSERT_TRUE(m.ok()) << m.status();
    minibox_ = std::move(*m);
  }

  // When gop-coordinator is built: a one-cell grid with no agents, so its
  // run-progress gauges exist (the per-agent ones need agents).
  void MaybeStartCoordinator() {
    const char* env_dir = getenv("GOP_BINARY_DIR");
    const fs::path binary =
        fs::path(env_dir != nullptr ? env_dir : GOP_BINARY_DIR) / "coordinator" / "gop-coordinator";
    if (!fs::exists(binary)) return;
    std::ofstream(dir_ / "grid.yaml") << "cpu_limits: [1]\nweb_thread_multipliers: [1]\n"
                                         "db_pool_multipliers: [2]\nduration: 5s\n";
    coordinator_metrics_port_ = UnusedPort();
    CommandSpec spec;
    spec.argv = {binary.string(),
                 absl::StrCat("--grid=", (dir_ / "grid.yaml").string()),
                 absl::StrCat("--state_dir=", (dir_ / "run").string()),
                 absl::StrCat("--listen=127.0.0.1:", UnusedPort()),
                 absl::StrCat("--metrics_listen=127.0.0.1:", coordinator_metrics_port_),
                 "--analyze=false"};
    spec.output_path = (dir_ / "coordinator.log").string();
    auto p = runner_.StartBackground(spec);
    ASSERT_TRUE(p.ok()) << p.status();
    coordinator_ = std::move(*p);
  }

  // The shipped prometheus.yml, with every job that has something to scrape
  // here pointed at loopback and the others left out; 1 s intervals.
  std::set<std::string> WriteDerivedConfig() {
    YAML::Node config = YAML::LoadFile((dir_ / "prometheus" / "prometheus.yml").string());
    config["global"]["scrape_interval"] = "1s";
    config["global"]["evaluation_interval"] = "1s";
    config["rule_files"] = std::vector<std::string>{(dir_ / "prometheus/rules/*.yml").string()};
    YAML::Node kept(YAML::NodeType::Sequence);
    std::set<std::string> jobs;
    for (YAML::Node job : config["scrape_configs"]) {
      const std::string name = job["job_name"].as<std::string>();
      std::string target;
      if (name == "aidbox" || name == "minibox") {
        target = absl::StrCat("127.0.0.1:", minibox_metrics_port_);
      } else if (name == "gop-coordinator" && coordinator_) {
        target = absl::StrCat("127.0.0.1:", coordinator_metrics_port_);
      } else {
        continue;  // aidbox-minutes, cadvisor, agents: nothing serves them here
      }
      job.remove("file_sd_configs");
      job.remove("scrape_interval");
      YAML::Node sc;
      sc["targets"].push_back(target);
      job["static_configs"] = YAML::Node(YAML::NodeType::Sequence);
      job["static_configs"].push_back(sc);
      kept.push_back(job);
      jobs.insert(name);
    }
    config["scrape_configs"] = kept;
    YAML::Emitter out;
    out << config;
    std::ofstream(dir_ / "derived.yml") << out.c_str() << "\n";
    return jobs;
  }

  void StartPrometheus() {
    prometheus_port_ = UnusedPort();
    CommandSpec spec;
    spec.argv = {"prometheus",
                 absl::StrCat("--config.file=", (dir_ / "derived.yml").string()),
                 absl::StrCat("--storage.tsdb.path=", (dir_ / "data").string()),
                 absl::StrCat("--web.listen-address=127.0.0.1:", prometheus_port_),
                 "--log.level=warn"};
    spec.output_path = (dir_ / "prometheus.log").string();
    auto p = runner_.StartBackground(spec);
    ASSERT_TRUE(p.ok()) << p.status();
    prometheus_ = std::move(*p);
    absl::Status ready =
        WaitForHealthy(absl::StrCat("http://127.0.0.1:", prometheus_port_, "/-/ready"),
                       deadline_ - absl::Now());
    ASSERT_TRUE(ready.ok()) << ready << "\n" << FileTail((dir_ / "prometheus.log").string(), 30);
  }

  // GET on Prometheus's HTTP API; the parsed "data" of a successful answer.
  absl::StatusOr<nlohmann::json> Api(const std::string& target) {
    HttpClient client("127.0.0.1", prometheus_port_, absl::Seconds(10));
    absl::StatusOr<HttpResponse> r = client.Get(target);
    if (!r.ok()) return r.status();
    nlohmann::json body = nlohmann::json::parse(r->body, nullptr, false);
    if (body.is_discarded() || body.value("status", "") != "success") {
      return absl::InvalidArgumentError(absl::StrCat("HTTP ", r->status, ": ", r->body));
    }
    return body["data"];
  }

  // Polls `check` until it returns "" (success) or the budget runs out;
  // returns the last complaint.
  std::string Eventually(const std::function<std::string()>& check) {
    std::string problem;
    while (true) {
      problem = check();
      if (problem.empty() || absl::Now() >= deadline_) return problem;
      absl::SleepFor(absl::Milliseconds(250));
    }
  }

  void SendFhirTraffic() {
    HttpClient fhir("127.0.0.1", minibox_->port());
    for (int i = 0; i < 5; ++i) {
      auto created = fhir.Post("/fhir/Patient",
                               R"({"resourceType":"Patient","name":[{"family":"Scrape"}]})");
      ASSERT_TRUE(created.ok()) << created.status();
      ASSERT_EQ(created->status, 201) << created->body;
      std::string id = nlohmann::json::parse(created->body).value("id", "");
      auto read = fhir.Get("/fhir/Patient/" + id);
      ASSERT_TRUE(read.ok()) << read.status();
      EXPECT_EQ(read->status, 200);
    }
    auto missing = fhir.Get("/fhir/Patient/does-not-exist");
    ASSERT_TRUE(missing.ok());
    EXPECT_EQ(missing->status, 404);
  }

  PosixCommandRunner runner_;
  fs::path dir_;
  absl::Time deadline_;
  std::unique_ptr<MiniboxProcess> minibox_;
  std::unique_ptr<BackgroundProcess> coordinator_;
  std::unique_ptr<BackgroundProcess> prometheus_;
  int minibox_metrics_port_ = 0;
  int coordinator_metrics_port_ = 0;
  int prometheus_port_ = 0;
};

TEST_F(PrometheusScrapeTest, DashboardSeriesExistInARealPrometheus) {
  StartMinibox();
  if (HasFatalFailure()) return;
  MaybeStartCoordinator();
  if (HasFatalFailure()) return;
  std::set<std::string> jobs = WriteDerivedConfig();
  ASSERT_TRUE(jobs.count("aidbox")) << "the shipped config has no aidbox job";
  StartPrometheus();
  if (HasFatalFailure()) return;
  SendFhirTraffic();
  if (HasFatalFailure()) return;

  // Every job we pointed at a live endpoint is up.
  std::string problem = Eventually([&]() -> std::string {
    auto targets = Api("/api/v1/targets");
    if (!targets.ok()) return std::string(targets.status().message());
    std::set<std::string> up;
    for (const auto& t : (*targets)["activeTargets"]) {
      if (t.value("health", "") == "up") up.insert(t["labels"].value("job", ""));
    }
    for (const std::string& job : jobs) {
      if (!up.count(job)) return absl::StrCat("job ", job, " not up yet");
    }
    return "";
  });
  ASSERT_EQ(problem, "") << "prometheus.log:\n"
                         << FileTail((dir_ / "prometheus.log").string(), 30)
                         << "coordinator.log:\n"
                         << FileTail((dir_ / "coordinator.log").string(), 30);

  // The series behind the dashboard: all of minibox's, and the coordinator's
  // run gauges when it runs (per-agent gauges need connected agents).
  absl::StatusOr<std::vector<DashboardQuery>> queries =
      LoadDashboardQueries((kCompose / "grafana/dashboards/gop.json").string());
  ASSERT_TRUE(queries.ok()) << queries.status();
  std::set<std::string> available = MiniboxMetricNames();
  if (coordinator_) available.insert({"gop_cells", "gop_cells_total", "gop_agents_connected"});
  std::set<std::string> expected;
  for (const DashboardQuery& q : *queries) {
    auto names = MetricNamesInPromQL(q.expr);
    ASSERT_TRUE(names.ok()) << q.expr;
    for (const std::string& n : *names) {
      if (IsAllowedMetric(n, available)) expected.insert(n);
    }
  }
  ASSERT_GE(expected.size(), 8u) << absl::StrJoin(expected, ", ");
  problem = Eventually([&]() -> std::string {
    std::vector<std::string> missing;
    for (const std::string& name : expected) {
      auto series = Api("/api/v1/series?match[]=" + UrlEncode(name));
      if (!series.ok()) return std::string(series.status().message());
      if (series->empty()) missing.push_back(name);
    }
    return missing.empty() ? "" : absl::StrCat("no series yet: ", absl::StrJoin(missing, ", "));
  });
  EXPECT_EQ(problem, "");

  // The cell's settings reached the scraped series.
  auto max_size = Api("/api/v1/query?query=" + UrlEncode("hikari_max_size{job=\"aidbox\"}"));
  ASSERT_TRUE(max_size.ok()) << max_size.status();
  ASSERT_EQ((*max_size)["result"].size(), 1u) << max_size->dump();
  EXPECT_EQ((*max_size)["result"][0]["value"][1], "4");
  EXPECT_EQ((*max_size)["result"][0]["metric"].value("instance_name", ""), "cpu_1__web_2__db_4");

  // Every dashboard query is valid PromQL for this Prometheus, and the ones
  // whose metrics all exist here return data.
  for (const DashboardQuery& q : *queries) {
    auto names = MetricNamesInPromQL(q.expr);
    bool backed = true;
    for (const std::string& n : *names) backed = backed && expected.count(n);
    const std::string expr = absl::StrReplaceAll(q.expr, {{"$__rate_interval", "10s"}});
    problem = Eventually([&]() -> std::string {
      auto result = Api("/api/v1/query?query=" + UrlEncode(expr));
      if (!result.ok()) return std::string(result.status().message());
      if (backed && (*result)["result"].empty()) return "no data";
      return "";
    });
    EXPECT_EQ(problem, "") << "panel '" << q.panel_title << "' " << q.ref_id << ": " << expr;
  }

  // The shipped alerting rules load and evaluate cleanly.
  auto rules = Api("/api/v1/rules");
  ASSERT_TRUE(rules.ok()) << rules.status();
  int count = 0;
  for (const auto& group : (*rules)["groups"]) {
    for (const auto& rule : group["rules"]) {
      ++count;
      problem = Eventually([&]() -> std::string {
        auto again = Api("/api/v1/rules");
        if (!again.ok()) return std::string(again.status().message());
        for (const auto& g : (*again)["groups"]) {
          for (const auto& r : g["rules"]) {
            if (r["name"] == rule["name"] && r.value("health", "") != "ok") {
              return absl::StrCat(r.value("health", ""), " ", r.value("lastError", ""));
            }
          }
        }
        return "";
      });
      EXPECT_EQ(problem, "") << rule["name"];
    }
  }
  EXPECT_EQ(count, 5);
}

}  // namespace
}  // namespace gop::testing
