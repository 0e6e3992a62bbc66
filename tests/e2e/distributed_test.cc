// The distributed run for real: the gop-coordinator binary, gop-agent
// processes on loopback, each starting the real minibox against a real
// PostgreSQL, and kill -9 of an agent and of the coordinator mid-run.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/command_runner.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/http_client.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/free_port.h"

namespace gop {
namespace {

const std::string kBin = GOP_BINARY_DIR;

int FreePort() { return ::gop::testing::UnusedLoopbackPort(); }

std::string Read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class DistributedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::CreateTestDatabase("e2e");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *db;
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("gop-e2e-", getpid(), "-", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    port_ = FreePort();
  }
  void TearDown() override {
    for (auto& [id, p] : agents_) p->Stop(absl::Seconds(5)).IgnoreError();
    if (coordinator_) coordinator_->Stop(absl::Seconds(5)).IgnoreError();
    std::filesystem::remove_all(dir_);
  }

  void WriteGrid(int cells_count, absl::string_view extra = "") {
    std::ofstream g(dir_ / "grid.yaml");
    g << "duration: 4s\nwarmup: 0s\nprewarm: 1\ngraceful_stop: 1s\nvus: 2\nscenario: crud\n"
      << "run: {max_attempts: 3, lease_timeout: 5s, unschedulable_grace: 20s}\n"
      << "target: {kind: process, health_timeout: 20s}\n"
      << extra << "cells:\n";
    for (int i = 0; i < cells_count; ++i) g << "  - {cpu: 1, web_threads: " << i + 1 << ", db_pool: 2}\n";
  }

  void StartCoordinator() {
    CommandSpec spec;
    spec.argv = {kBin + "/coordinator/gop-coordinator", "--grid=" + (dir_ / "grid.yaml").string(),
                 "--state-dir=" + (dir_ / "run").string(), absl::StrCat("--listen=127.0.0.1:", port_),
                 "--metrics-listen=", "--analyze=false"};
    spec.output_path = (dir_ / absl::StrCat("coordinator-", ++coordinator_starts_, ".log")).string();
    spec.timeout = absl::InfiniteDuration();
    auto p = runner_.StartBackground(spec);
    ASSERT_TRUE(p.ok()) << p.status();
    coordinator_ = std::move(*p);
  }

  void StartAgent(const std::string& id, int metrics_port = 0) {
    CommandSpec spec;
    spec.argv = {kBin + "/agent/gop-agent", absl::StrCat("--coordinator=127.0.0.1:", port_), "--id=" + id,
                 "--cpus=0", "--work-dir=" + (dir_ / id).string(), "--give-up-after-s=60",
                 "--data-dir=" + std::string(GOP_SOURCE_DIR), "--load-threads=1"};
    if (metrics_port != 0) spec.argv.push_back(absl::StrCat("--metrics-listen=127.0.0.1:", metrics_port));
    spec.env = {{"BOX_DB_HOST", db_.host},
                {"BOX_DB_PORT", std::to_string(db_.port)},
                {"BOX_DB_USER", db_.user},
                {"BOX_DB_DATABASE", db_.dbname}};
    spec.output_path = (dir_ / (id + ".log")).string();
    spec.timeout = absl::InfiniteDuration();
    auto p = runner_.StartBackground(spec);
    ASSERT_TRUE(p.ok()) << p.status();
    agents_[id] = std::move(*p);
  }

  std::vector<nlohmann::json> Journal() {
    std::vector<nlohmann::json> out;
    std::ifstream in(dir_ / "run" / "journal.jsonl");
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded()) out.push_back(j);
    }
    return out;
  }

  bool WaitForJournal(const std::function<bool(const nlohmann::json&)>& match, absl::Duration limit) {
    const absl::Time deadline = absl::Now() + limit;
    while (absl::Now() < deadline) {
      for (const auto& r : Journal()) {
        if (match(r)) return true;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  int WaitForCoordinator(absl::Duration limit) {
    auto r = coordinator_->Wait(limit);
    EXPECT_TRUE(r.ok()) << r.status() << "\n" << Read(dir_ / absl::StrCat("coordinator-", coordinator_starts_, ".log"));
    return r.ok() ? r->exit_code : -1;
  }

  // Result files per cell id, with the attempt that produced each.
  std::map<std::string, std::vector<nlohmann::json>> Results() {
    std::map<std::string, std::vector<nlohmann::json>> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_ / "run" / "result")) {
      if (e.path().extension() != ".json") continue;
      auto doc = nlohmann::json::parse(Read(e.path()));
      out[doc["gop"]["cell_id"]].push_back(doc);
    }
    return out;
  }

  std::string Logs() {
    std::string all;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      if (e.path().extension() == ".log") absl::StrAppend(&all, "==== ", e.path().string(), "\n", Read(e.path()));
    }
    return all;
  }

  testing::PgConnInfo db_;
  std::filesystem::path dir_;
  int port_ = 0;
  int coordinator_starts_ = 0;
  PosixCommandRunner runner_;
  std::unique_ptr<BackgroundProcess> coordinator_;
  std::map<std::string, std::unique_ptr<BackgroundProcess>> agents_;
};

TEST_F(DistributedTest, KilledAgentsCellCompletesElsewhereAndEveryCellAppearsOnce) {
  WriteGrid(4);
  StartCoordinator();
  const int metrics_port = FreePort();
  StartAgent("agent-a");
  StartAgent("agent-b", metrics_port);
  StartAgent("agent-c");
  // Kill agent-a as soon as it is running a cell.
  ASSERT_TRUE(WaitForJournal(
      [](const nlohmann::json& r) { return r["event"] == "assigned" && r["agent"] == "agent-a"; },
      absl::Seconds(60)))
      << Logs();
  absl::SleepFor(absl::Seconds(1));
  ASSERT_EQ(kill(agents_["agent-a"]->pid(), SIGKILL), 0);

  // agent-b serves its own /metrics while it runs cells.
  std::string metrics;
  for (int i = 0; i < 100 && metrics.find("gop_agent_phase{") == std::string::npos; ++i) {
    auto r = testing::HttpClient("127.0.0.1", metrics_port, absl::Seconds(2)).Get("/metrics");
    if (r.ok()) metrics = r->body;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_NE(metrics.find("gop_agent_phase{agent=\"agent-b\""), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("gop_agent_live_requests_per_second"), std::string::npos);

  EXPECT_EQ(WaitForCoordinator(absl::Seconds(150)), 0) << Logs();
  auto results = Results();
  ASSERT_EQ(results.size(), 4u) << Logs();
  for (const auto& [cell, docs] : results) {
    ASSERT_EQ(docs.size(), 1u) << cell;
    EXPECT_EQ(docs[0]["k6_results"]["status"], "success") << docs[0].dump(2);
    EXPECT_GT(docs[0]["k6_results"]["avg_rps"].get<double>(), 0);
    EXPECT_NE(docs[0]["gop"]["agent_id"], "agent-a");
    EXPECT_EQ(docs[0]["gop"]["cpu_limit_mechanism"].get<std::string>().rfind("cgroup", 0), 0u)
        << "the CPU limit goes through cgroups here";
  }
  bool requeued = false;
  for (const auto& r : Journal()) requeued |= r["event"] == "requeued";
  EXPECT_TRUE(requeued) << "the killed agent's cell went back to the queue";
}

TEST_F(DistributedTest, KilledCoordinatorResumesWithoutRerunningOrLosingCells) {
  WriteGrid(4);
  StartCoordinator();
  for (const char* id : {"agent-a", "agent-b"}) StartAgent(id);
  ASSERT_TRUE(WaitForJournal([](const nlohmann::json& r) { return r["event"] == "finished"; }, absl::Seconds(90)))
      << Logs();
  ASSERT_EQ(kill(coordinator_->pid(), SIGKILL), 0);
  coordinator_->Wait(absl::Seconds(5)).IgnoreError();
  std::set<std::string> finished_before;
  for (const auto& r : Journal()) {
    if (r["event"] == "finished") finished_before.insert(r["cell"]);
  }
  const size_t journal_before = Journal().size();
  absl::SleepFor(absl::Seconds(2));  // agents notice and keep retrying

  StartCoordinator();  // same state dir, same port
  EXPECT_EQ(WaitForCoordinator(absl::Seconds(150)), 0) << Logs();

  auto results = Results();
  ASSERT_EQ(results.size(), 4u) << Logs();
  for (const auto& [cell, docs] : results) EXPECT_EQ(docs.size(), 1u) << cell;
  const std::vector<nlohmann::json> journal = Journal();
  for (size_t i = journal_before; i < journal.size(); ++i) {
    if (journal[i]["event"] == "assigned") {
      EXPECT_EQ(finished_before.count(journal[i]["cell"]), 0u) << "re-ran finished cell " << journal[i]["cell"];
    }
  }
  EXPECT_NE(Read(dir_ / "coordinator-2.log").find("already finished"), std::string::npos);
}

TEST_F(DistributedTest, WrongTokenIsRefusedAndLogged) {
  WriteGrid(1);
  CommandSpec spec;
  spec.argv = {kBin + "/coordinator/gop-coordinator", "--grid=" + (dir_ / "grid.yaml").string(),
               "--state-dir=" + (dir_ / "run").string(), absl::StrCat("--listen=127.0.0.1:", port_),
               "--metrics-listen=", "--token=right"};
  spec.output_path = (dir_ / "coordinator-1.log").string();
  coordinator_starts_ = 1;
  spec.timeout = absl::InfiniteDuration();
  coordinator_ = std::move(*runner_.StartBackground(spec));
  CommandSpec agent;
  agent.argv = {kBin + "/agent/gop-agent", absl::StrCat("--coordinator=127.0.0.1:", port_), "--id=intruder",
                "--token=wrong", "--give-up-after-s=20", "--data-dir=" + std::string(GOP_SOURCE_DIR)};
  agent.timeout = absl::Seconds(30);
  auto r = runner_.Run(agent);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_NE(r->stderr_tail.find("refused"), std::string::npos) << r->stderr_tail;
  EXPECT_NE(Read(dir_ / "coordinator-1.log").find("refused Session"), std::string::npos);
}

TEST_F(DistributedTest, BadGridExitsTwoNamingEveryProblem) {
  std::ofstream(dir_ / "bad.yaml") << "cpu_limits: [0, 2]\nweb_thread_multipliers: [1]\ndb_pool_multipliers: [2]\n"
                                      "durration: 5m\n";
  CommandSpec spec;
  spec.argv = {kBin + "/coordinator/gop-coordinator", "--grid=" + (dir_ / "bad.yaml").string(), "--dry-run"};
  auto r = runner_.Run(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 2);
  EXPECT_NE(r->stderr_tail.find("bad.yaml:1:"), std::string::npos) << r->stderr_tail;
  EXPECT_NE(r->stderr_tail.find("bad.yaml:4:1"), std::string::npos) << r->stderr_tail;
}

TEST_F(DistributedTest, DryRunListsCellsAndEstimates) {
  CommandSpec spec;
  spec.argv = {kBin + "/coordinator/gop-coordinator", "--grid=" + std::string(GOP_SOURCE_DIR) + "/grids/seed-quick.yaml",
               "--dry-run", "--agents=3"};
  auto r = runner_.Run(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0) << r->stderr_tail;
  EXPECT_NE(r->stdout_tail.find("cpu=2 web_threads=3 db_pool=4"), std::string::npos) << r->stdout_tail;
  EXPECT_NE(r->stdout_tail.find("6 cells"), std::string::npos) << r->stdout_tail;
}

}  // namespace
}  // namespace gop
