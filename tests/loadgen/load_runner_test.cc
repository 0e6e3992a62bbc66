#include "loadgen/load_runner.h"

#include <chrono>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "loadgen/scenario.h"
#include "tests/loadgen/test_http_server.h"

namespace gop::loadgen {
namespace {

using ::gop::testing::TestHttpServer;

class LoadRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = TestHttpServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  // One GET per iteration, any 2xx.
  static Scenario GetScenario() {
    auto sc = ParseScenario("steps:\n  - name: GET thing\n    path: /thing\n", "t",
                            [](std::string_view) -> absl::StatusOr<std::string> {
                              return absl::NotFoundError("no seeds");
                            });
    EXPECT_TRUE(sc.ok()) << sc.status();
    return *sc;
  }

  LoadOptions Options() const {
    LoadOptions o;
    o.base_url = server_->url();
    o.vus = 2;
    o.threads = 1;
    o.duration = absl::Milliseconds(500);
    o.graceful_stop = absl::Seconds(1);
    o.connect_timeout = absl::Seconds(2);
    o.request_timeout = absl::Seconds(10);
    return o;
  }

  absl::StatusOr<LoadResult> RunWith(const LoadOptions& o, Scenario sc = GetScenario()) {
    auto runner = LoadRunner::Create(std::move(sc), o);
    if (!runner.ok()) return runner.status();
    return (*runner)->Run(nullptr);
  }

  std::unique_ptr<TestHttpServer> server_;
};

TEST_F(LoadRunnerTest, ClosedModelCountsEveryResponseOnKeepAliveConnections) {
  absl::StatusOr<LoadResult> r = RunWith(Options());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->overall.requests, 10);
  EXPECT_EQ(r->overall.errors, 0);
  EXPECT_EQ(r->overall.status_counts.at(200), r->overall.requests);
  EXPECT_EQ(r->overall.latency.TotalCount(), r->overall.requests);
  ASSERT_EQ(r->operations.size(), 1u);
  EXPECT_EQ(r->operations[0].name, "GET thing");
  EXPECT_EQ(r->iterations, r->overall.requests);
  EXPECT_EQ(r->checks_failed, 0);
  EXPECT_GT(r->overall.bytes_received, r->overall.requests * 50);
  EXPECT_GT(r->measured_seconds, 0.4);
  // Every VU kept its one connection (the server counts the preflight too).
  EXPECT_LE(server_->connections(), 3);
}

TEST_F(LoadRunnerTest, ReadsChunkedBodies) {
  server_->set_fault(TestHttpServer::Fault::kChunked);
  absl::StatusOr<LoadResult> r = RunWith(Options());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->overall.requests, 10);
  EXPECT_EQ(r->overall.errors, 0);
}

TEST_F(LoadRunnerTest, ReconnectsWhenTheServerSaysConnectionClose) {
  server_->set_fault(TestHttpServer::Fault::kConnectionClose);
  absl::StatusOr<LoadResult> r = RunWith(Options());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->overall.requests, 5);
  EXPECT_EQ(r->overall.errors, 0);
  EXPECT_GT(server_->connections(), 5);
}

TEST_F(LoadRunnerTest, ServerClosingConnectionsCountsProtocolErrors) {
  server_->set_fault(TestHttpServer::Fault::kClose);
  absl::StatusOr<LoadResult> r = RunWith(Options());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->overall.errors, 0);
  EXPECT_EQ(r->overall.errors, r->overall.requests);
  EXPECT_EQ(r->overall.error_kinds.at("protocol"), r->overall.errors);
  EXPECT_EQ(r->overall.latency.TotalCount(), 0);
}

TEST_F(LoadRunnerTest, Status500CountsStatusErrorsWithLatency) {
  server_->set_fault(TestHttpServer::Fault::kStatus500);
  absl::StatusOr<LoadResult> r = RunWith(Options());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->overall.requests, 10);
  EXPECT_EQ(r->overall.errors, r->overall.requests);
  EXPECT_EQ(r->overall.error_kinds.at("status"), r->overall.errors);
  EXPECT_EQ(r->overall.status_counts.at(500), r->overall.requests);
  EXPECT_EQ(r->checks_failed, r->overall.requests);
}

TEST_F(LoadRunnerTest, MalformedResponseCountsProtocolErrors) {
  server_->set_fault(TestHttpServer::Fault::kMalformed);
  absl::StatusOr<LoadResult> r = RunWith(Options());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->overall.errors, 0);
  EXPECT_EQ(r->overall.error_kinds.at("protocol"), r->overall.errors);
}

TEST_F(LoadRunnerTest, EndsAtTheHardStopWhenTheServerHangs) {
  server_->set_fault(TestHttpServer::Fault::kHang);
  LoadOptions o = Options();
  o.graceful_stop = absl::Milliseconds(300);
  o.request_timeout = absl::Seconds(600);
  auto start = std::chrono::steady_clock::now();
  absl::StatusOr<LoadResult> r = RunWith(o);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok()) << r.status();
  // 0.5 s + 0.3 s planned; the bound only rules out waiting for the server.
  EXPECT_LT(took, std::chrono::seconds(30));
  EXPECT_EQ(r->overall.requests, 0);
  EXPECT_EQ(r->interrupted_iterations, 2);
}

TEST_F(LoadRunnerTest, RequestTimeoutCountsTimeoutErrors) {
  server_->set_fault(TestHttpServer::Fault::kHang);
  LoadOptions o = Options();
  o.request_timeout = absl::Milliseconds(100);
  o.duration = absl::Milliseconds(400);
  absl::StatusOr<LoadResult> r = RunWith(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->overall.errors, 0);
  EXPECT_EQ(r->overall.error_kinds.at("timeout"), r->overall.errors);
}

TEST_F(LoadRunnerTest, OpenModelShowsAStallThatTheUncorrectedFigureHides) {
  // 100 iterations/s on at most 2 VUs; the server pauses for 1 s at request
  // 100. Only the 2 requests in flight see the pause from their send; the
  // ~100 iterations scheduled during it start late and are timed from their
  // intended start.
  server_->StallAtRequest(100, absl::Seconds(1));
  LoadOptions o = Options();
  o.executor = Executor::kConstantArrivalRate;
  o.rate = 100;
  o.vus = 2;
  o.max_vus = 2;
  o.duration = absl::Seconds(4);
  o.max_start_lag = absl::Seconds(5);
  absl::StatusOr<LoadResult> r = RunWith(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->overall.errors, 0);
  EXPECT_GT(r->overall.requests, 300);
  EXPECT_LE(r->overall.requests, 400) << "no more than scheduled";
  const int64_t corrected_p99 = r->overall.latency.ValueAtPercentile(99);
  const int64_t uncorrected_p99 = r->latency_uncorrected.ValueAtPercentile(99);
  EXPECT_GE(corrected_p99, 800'000) << "µs";
  EXPECT_LT(uncorrected_p99, 500'000) << "µs";
  EXPECT_GE(r->latency_uncorrected.Max(), 800'000) << "the stalled requests themselves";
  EXPECT_EQ(r->dropped_iterations, 0);
  EXPECT_LE(r->max_vus_used, 2);
}

TEST_F(LoadRunnerTest, OpenModelDropsIterationsThatCannotStartInTime) {
  server_->set_fault(TestHttpServer::Fault::kHang);
  LoadOptions o = Options();
  o.executor = Executor::kConstantArrivalRate;
  o.rate = 50;
  o.vus = 0;
  o.max_vus = 3;
  o.duration = absl::Seconds(1);
  o.max_start_lag = absl::Milliseconds(100);
  o.graceful_stop = absl::Milliseconds(100);
  absl::StatusOr<LoadResult> r = RunWith(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->max_vus_used, 3);
  EXPECT_EQ(r->interrupted_iterations, 3);
  // 50 scheduled, 3 started, the rest dropped.
  EXPECT_EQ(r->dropped_iterations, 47);
}

TEST_F(LoadRunnerTest, PerVuIterationsRunsExactlyThatMany) {
  LoadOptions o = Options();
  o.executor = Executor::kPerVuIterations;
  o.vus = 3;
  o.iterations = 7;
  o.duration = absl::Seconds(60);
  o.threads = 2;
  absl::StatusOr<LoadResult> r = RunWith(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->iterations, 21);
  EXPECT_EQ(r->overall.requests, 21);
}

TEST_F(LoadRunnerTest, PrewarmAndWarmupAreNotMeasured) {
  LoadOptions o = Options();
  o.prewarm_iterations = 5;
  o.warmup = absl::Milliseconds(300);
  std::vector<Phase> phases;
  auto runner = LoadRunner::Create(GetScenario(), o);
  ASSERT_TRUE(runner.ok());
  absl::StatusOr<LoadResult> r =
      (*runner)->Run([&](const ProgressSample& s) { phases.push_back(s.phase); });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->overall.requests, 0);
  EXPECT_LT(r->overall.requests, server_->requests() - 10);
  ASSERT_FALSE(phases.empty());
  EXPECT_EQ(phases.front(), Phase::kPrewarm);
  EXPECT_EQ(phases.back(), Phase::kMeasuring);
  EXPECT_NE(std::find(phases.begin(), phases.end(), Phase::kWarmup), phases.end());
  EXPECT_FALSE(r->timeline.empty());
}

TEST_F(LoadRunnerTest, UnreachableUrlFailsWithAClearError) {
  LoadOptions o = Options();
  int port = server_->port();
  server_.reset();  // nothing listens there any more
  o.base_url = absl::StrCat("http://127.0.0.1:", port);
  absl::StatusOr<LoadResult> r = RunWith(o);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr("cannot connect to"));
}

TEST_F(LoadRunnerTest, CancelStopsARunEarly) {
  LoadOptions o = Options();
  o.duration = absl::Seconds(600);
  auto runner = LoadRunner::Create(GetScenario(), o);
  ASSERT_TRUE(runner.ok());
  LoadRunner* raw = runner->get();
  std::thread canceller([raw] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    raw->Cancel();
  });
  absl::StatusOr<LoadResult> r = raw->Run(nullptr);
  canceller.join();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->cancelled);
  EXPECT_LT(r->measured_seconds, 600);
}

TEST_F(LoadRunnerTest, ManyVusOnFewThreads) {
  LoadOptions o = Options();
  o.vus = 200;
  o.threads = 2;
  absl::StatusOr<LoadResult> r = RunWith(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->overall.errors, 0);
  EXPECT_EQ(r->max_vus_used, 200);
}

TEST(LoadRunnerCreateTest, RejectsBadOptions) {
  auto sc = ParseScenario("steps:\n  - path: /x\n", "t", nullptr);
  ASSERT_TRUE(sc.ok()) << sc.status();
  LoadOptions o;
  o.base_url = "https://example.org";
  o.vus = 0;
  auto runner = LoadRunner::Create(*sc, o);
  ASSERT_FALSE(runner.ok());
  EXPECT_THAT(std::string(runner.status().message()), ::testing::HasSubstr("http://"));
  EXPECT_THAT(std::string(runner.status().message()), ::testing::HasSubstr("vus"));
}

}  // namespace
}  // namespace gop::loadgen
