// The coordinator's gRPC edge and run logic end to end, in one process: a
// real gRPC server on 127.0.0.1:0, the real RunController writing a real
// state dir, and real Agent session clients whose cells are run by a fake
// executor (synthetic histograms, controllable timing).
#include "coordinator/coordinator_service.h"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "agent/agent.h"
#include "common/auth.h"
#include "common/histogram.h"
#include "coordinator/run_controller.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace gop {
namespace {

std::vector<v1::CellConfig> Cells(int n, double cpu = 1) {
  std::vector<v1::CellConfig> cells;
  for (int i = 0; i < n; ++i) {
    v1::CellConfig c;
    c.set_cell_id("cpu1_wt" + std::to_string(i + 1) + "_db2_rep1");
    c.set_cpu_limit(cpu);
    c.set_web_threads(i + 1);
    c.set_db_pool(2);
    c.set_repetition(1);
    cells.push_back(c);
  }
  return cells;
}

// Runs cells instantly with synthetic figures; can be told to hold a cell
// until it is cancelled, and counts what it ran.
class FakeExecutor : public CellExecutor {
 public:
  v1::CellResult Execute(const v1::Assign& assign, ProgressSink* progress,
                         const std::atomic<bool>* cancelled) override {
    const std::string id = assign.cell().cell_id();
    {
      absl::MutexLock lock(&mu_);
      ++runs_[id];
    }
    v1::Progress p;
    p.set_cell_id(id);
    p.set_attempt(assign.attempt());
    p.set_phase(v1::PHASE_MEASURING);
    p.set_requests_per_second(1000);
    progress->Report(p);
    bool hold;
    {
      absl::MutexLock lock(&mu_);
      hold = hold_.count(id) > 0;
    }
    v1::CellResult r;
    if (hold) {
      while (!cancelled->load()) absl::SleepFor(absl::Milliseconds(10));
      r.set_ok(false);
      r.set_failure_reason("cancelled");
      return r;
    }
    absl::SleepFor(absl::Milliseconds(20));
    Histogram h;
    for (int i = 1; i <= 1000; ++i) h.Record(1000 + i * assign.cell().web_threads());
    r.set_ok(true);
    r.set_measured_seconds(1.0);
    r.mutable_overall()->set_requests(1000);
    h.ToProto(r.mutable_overall()->mutable_latency());
    return r;
  }
  void Hold(const std::string& id) {
    absl::MutexLock lock(&mu_);
    hold_.insert(id);
  }
  int Runs(const std::string& id) {
    absl::MutexLock lock(&mu_);
    return runs_[id];
  }
  int TotalRuns() {
    absl::MutexLock lock(&mu_);
    int n = 0;
    for (auto& [id, c] : runs_) n += c;
    return n;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, int> runs_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> hold_ ABSL_GUARDED_BY(mu_);
};

class CoordinatorServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gop-coord-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override {
    StopAgents();
    StopServer();
    std::filesystem::remove_all(dir_);
  }

  void StartServer(std::vector<v1::CellConfig> cells, const std::string& token = "") {
    RunController::Options o;
    o.run_id = "test";
    o.state_dir = dir_;
    o.scheduling.max_attempts = 3;
    o.scheduling.lease_timeout = absl::Milliseconds(1500);
    o.scheduling.unschedulable_grace = absl::Milliseconds(800);
    o.tick = absl::Milliseconds(20);
    o.heartbeat_interval = absl::Milliseconds(200);
    auto c = RunController::Create(o, std::move(cells), Clock::Real(), nullptr);
    ASSERT_TRUE(c.ok()) << c.status();
    controller_ = std::move(*c);
    service_ = std::make_unique<CoordinatorService>(controller_.get(), token, nullptr);
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    b.RegisterService(service_.get());
    server_ = b.BuildAndStart();
    ASSERT_NE(port_, 0);
    run_thread_ = std::thread([this] { outcome_ = controller_->Run(); });
  }

  // Waits for the run to end (bounded) and stops the server.
  RunOutcome Finish(absl::Duration limit = absl::Seconds(30)) {
    const absl::Time deadline = absl::Now() + limit;
    while (!controller_->Finished() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
    EXPECT_TRUE(controller_->Finished()) << "run did not finish in time";
    if (!controller_->Finished()) controller_->Cancel("test timeout");
    StopServer();
    return outcome_;
  }

  void StopServer() {
    if (run_thread_.joinable()) run_thread_.join();
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    server_.reset();
    service_.reset();
    controller_.reset();
  }

  std::shared_ptr<grpc::Channel> Channel() {
    return grpc::CreateChannel("127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials());
  }

  struct RunningAgent {
    std::unique_ptr<v1::Coordinator::Stub> stub;
    std::unique_ptr<Agent> agent;
    std::thread thread;
    absl::Status status;
  };
  RunningAgent* StartAgent(const std::string& id, FakeExecutor* executor, double cores = 1,
                           const std::string& token = "") {
    auto a = std::make_unique<RunningAgent>();
    a->stub = v1::Coordinator::NewStub(Channel());
    Agent::Options o;
    o.agent_id = id;
    o.hostname = "test-host";
    o.cores = cores;
    o.token = token;
    o.heartbeat_interval = absl::Milliseconds(200);
    o.silence_timeout = absl::Seconds(3);
    o.initial_backoff = absl::Milliseconds(50);
    o.max_backoff = absl::Milliseconds(300);
    o.give_up_after = absl::Seconds(5);
    a->agent = std::make_unique<Agent>(o, a->stub.get(), executor);
    RunningAgent* raw = a.get();
    raw->thread = std::thread([raw] { raw->status = raw->agent->Run(); });
    agents_.push_back(std::move(a));
    return raw;
  }
  void StopAgents() {
    for (auto& a : agents_) {
      a->agent->Stop();
      if (a->thread.joinable()) a->thread.join();
    }
    agents_.clear();
  }

  // Result files by cell id.
  std::map<std::string, std::vector<nlohmann::json>> Results() {
    std::map<std::string, std::vector<nlohmann::json>> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_ / "result")) {
      if (e.path().extension() != ".json") continue;
      std::ifstream in(e.path());
      nlohmann::json doc = nlohmann::json::parse(in);
      out[doc["gop"]["cell_id"].get<std::string>()].push_back(doc);
    }
    return out;
  }

  bool WaitFor(const std::function<bool()>& cond, absl::Duration limit = absl::Seconds(10)) {
    const absl::Time deadline = absl::Now() + limit;
    while (absl::Now() < deadline) {
      if (cond()) return true;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return cond();
  }

  std::filesystem::path dir_;
  std::unique_ptr<RunController> controller_;
  std::unique_ptr<CoordinatorService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::thread run_thread_;
  RunOutcome outcome_;
  std::vector<std::unique_ptr<RunningAgent>> agents_;
};

TEST_F(CoordinatorServiceTest, ThreeAgentsRunEveryCellExactlyOnce) {
  FakeExecutor executor;
  StartServer(Cells(12));
  for (const char* id : {"a1", "a2", "a3"}) StartAgent(id, &executor);
  RunOutcome outcome = Finish();
  EXPECT_EQ(outcome.state, v1::RUN_STATE_FINISHED);
  EXPECT_EQ(outcome.done, 12);
  EXPECT_EQ(executor.TotalRuns(), 12);
  auto results = Results();
  ASSERT_EQ(results.size(), 12u);
  std::set<std::string> agents_used;
  for (auto& [cell, docs] : results) {
    ASSERT_EQ(docs.size(), 1u) << cell;
    EXPECT_EQ(docs[0]["k6_results"]["status"], "success");
    agents_used.insert(docs[0]["gop"]["agent_id"].get<std::string>());
  }
  EXPECT_GE(agents_used.size(), 2u) << "work was spread over the agents";
  // Every agent leaves on the coordinator's goodbye.
  for (auto& a : agents_) {
    a->thread.join();
    EXPECT_TRUE(a->status.ok()) << a->status;
  }
}

TEST_F(CoordinatorServiceTest, CellOfAVanishedAgentRunsElsewhereExactlyOnce) {
  FakeExecutor doomed_executor, healthy_executor;
  std::vector<v1::CellConfig> cells = Cells(3);
  doomed_executor.Hold(cells[0].cell_id());
  StartServer(cells);
  RunningAgent* doomed = StartAgent("doomed", &doomed_executor);
  ASSERT_TRUE(WaitFor([&] { return doomed_executor.Runs(cells[0].cell_id()) == 1; }));
  doomed->agent->Stop();  // its stream dies mid-cell; no result ever comes
  doomed->thread.join();
  StartAgent("healthy", &healthy_executor);
  RunOutcome outcome = Finish();
  EXPECT_EQ(outcome.state, v1::RUN_STATE_FINISHED);
  EXPECT_EQ(healthy_executor.Runs(cells[0].cell_id()), 1);
  auto results = Results();
  ASSERT_EQ(results.size(), 3u);
  for (auto& [cell, docs] : results) EXPECT_EQ(docs.size(), 1u) << cell;
  EXPECT_EQ(results[cells[0].cell_id()][0]["gop"]["attempt"], 2);
  EXPECT_EQ(results[cells[0].cell_id()][0]["gop"]["agent_id"], "healthy");
}

TEST_F(CoordinatorServiceTest, WrongTokenIsRefused) {
  FakeExecutor executor;
  StartServer(Cells(1), "s3cret");
  RunningAgent* intruder = StartAgent("intruder", &executor, 1, "guess");
  intruder->thread.join();
  EXPECT_EQ(intruder->status.code(), absl::StatusCode::kUnauthenticated) << intruder->status;
  EXPECT_EQ(executor.TotalRuns(), 0);

  auto stub = v1::Coordinator::NewStub(Channel());
  grpc::ClientContext ctx;
  AddToken(&ctx, "guess");
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::RunStatus status;
  EXPECT_EQ(stub->GetStatus(&ctx, v1::GetStatusRequest(), &status).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  StartAgent("friend", &executor, 1, "s3cret");
  EXPECT_EQ(Finish().state, v1::RUN_STATE_FINISHED);
}

TEST_F(CoordinatorServiceTest, RestartOnTheSameStateDirNeverRerunsFinishedCells) {
  std::vector<v1::CellConfig> cells = Cells(4);
  FakeExecutor first;
  first.Hold(cells[2].cell_id());
  StartServer(cells);
  StartAgent("a", &first);
  ASSERT_TRUE(WaitFor([&] { return first.Runs(cells[2].cell_id()) == 1; }));
  // The coordinator goes away mid-run (cancelled so the test can join it).
  controller_->Cancel("simulated crash");
  StopAgents();
  StopServer();
  ASSERT_EQ(Results().size(), 2u);
  const auto before = Results();

  FakeExecutor second;
  StartServer(cells);
  EXPECT_EQ(controller_->resumed_cells(), 2);
  StartAgent("b", &second);
  RunOutcome outcome = Finish();
  EXPECT_EQ(outcome.state, v1::RUN_STATE_FINISHED);
  EXPECT_EQ(outcome.done, 4);
  EXPECT_EQ(second.Runs(cells[0].cell_id()), 0);
  EXPECT_EQ(second.Runs(cells[1].cell_id()), 0);
  EXPECT_EQ(second.Runs(cells[2].cell_id()), 1);
  EXPECT_EQ(second.Runs(cells[3].cell_id()), 1);
  auto after = Results();
  ASSERT_EQ(after.size(), 4u);
  for (auto& [cell, docs] : after) EXPECT_EQ(docs.size(), 1u) << cell;
  EXPECT_EQ(after[cells[0].cell_id()][0], before.at(cells[0].cell_id())[0]);
}

TEST_F(CoordinatorServiceTest, UnschedulableCellFailsWithTheReason) {
  FakeExecutor executor;
  std::vector<v1::CellConfig> cells = Cells(1);
  std::vector<v1::CellConfig> big = Cells(1, 16);
  big[0].set_cell_id("cpu16_wt1_db2_rep1");
  cells.push_back(big[0]);
  StartServer(cells);
  StartAgent("small", &executor, 1);
  RunOutcome outcome = Finish();
  EXPECT_EQ(outcome.state, v1::RUN_STATE_FAILED);
  EXPECT_EQ(outcome.done, 1);
  ASSERT_EQ(outcome.failed, 1);
  EXPECT_NE(outcome.failures[0].find("has 1 cores, the cell needs 16"), std::string::npos) << outcome.failures[0];
  auto results = Results();
  ASSERT_EQ(results.count("cpu16_wt1_db2_rep1"), 1u);
  EXPECT_EQ(results["cpu16_wt1_db2_rep1"][0]["k6_results"]["status"], "failed");
}

// A raw Session client: results sent twice, and again after a reconnect,
// are stored once and acknowledged every time.
TEST_F(CoordinatorServiceTest, DuplicateResultsAreAcknowledgedButStoredOnce) {
  StartServer(Cells(2));  // a second cell keeps the run open for the duplicate
  auto stub = v1::Coordinator::NewStub(Channel());
  v1::CellResult result;
  {
    grpc::ClientContext ctx;
    auto stream = stub->Session(&ctx);
    v1::AgentMessage hello;
    hello.mutable_hello()->set_agent_id("raw");
    hello.mutable_hello()->set_cores(1);
    hello.mutable_hello()->set_target_kind("process");
    ASSERT_TRUE(stream->Write(hello));
    v1::CoordinatorMessage in;
    while (stream->Read(&in) && !in.has_assign()) {
    }
    ASSERT_TRUE(in.has_assign());
    result.set_cell_id(in.assign().cell().cell_id());
    result.set_attempt(in.assign().attempt());
    result.set_ok(true);
    result.set_measured_seconds(1);
    Histogram h;
    h.Record(500);
    h.ToProto(result.mutable_overall()->mutable_latency());
    v1::AgentMessage m;
    *m.mutable_result() = result;
    ASSERT_TRUE(stream->Write(m));
    ASSERT_TRUE(stream->Write(m));
    int acks = 0;
    while (acks < 2 && stream->Read(&in)) acks += in.has_ack() ? 1 : 0;
    EXPECT_EQ(acks, 2);
    ctx.TryCancel();
  }
  controller_->Cancel("test over");
  EXPECT_EQ(Finish().done, 1);
  auto results = Results();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results.begin()->second.size(), 1u);
}

TEST_F(CoordinatorServiceTest, WatchStatusStreamsUntilTheFinalState) {
  FakeExecutor executor;
  std::vector<v1::CellConfig> cells = Cells(3);
  executor.Hold(cells[0].cell_id());
  StartServer(cells);
  auto stub = v1::Coordinator::NewStub(Channel());
  grpc::ClientContext ctx;
  v1::WatchStatusRequest req;
  req.set_min_interval_ms(50);
  auto reader = stub->WatchStatus(&ctx, req);
  v1::RunStatus first;
  ASSERT_TRUE(reader->Read(&first)) << "the current status comes at once";
  EXPECT_EQ(first.cells_total(), 3);
  StartAgent("a", &executor);
  std::thread canceller([&] {
    WaitFor([&] { return executor.Runs(cells[0].cell_id()) == 1; });
    auto s = v1::Coordinator::NewStub(Channel());
    grpc::ClientContext c;
    v1::CancelRunRequest r;
    r.set_reason("enough");
    v1::CancelRunResponse resp;
    EXPECT_TRUE(s->CancelRun(&c, r, &resp).ok());
    EXPECT_TRUE(resp.accepted());
  });
  v1::RunStatus s;
  int updates = 1;
  v1::RunStatus last = first;
  while (reader->Read(&s)) {
    ++updates;
    last = s;
  }
  EXPECT_TRUE(reader->Finish().ok());
  canceller.join();
  EXPECT_GE(updates, 2);
  EXPECT_EQ(last.state(), v1::RUN_STATE_CANCELLED);
  EXPECT_EQ(Finish().state, v1::RUN_STATE_CANCELLED);
}

}  // namespace
}  // namespace gop
