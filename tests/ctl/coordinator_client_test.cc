#include "ctl/coordinator_client.h"

#include <sstream>
#include <thread>

#include "common/grpc_channel.h"
#include "ctl/ctl_command.h"
#include "ctl/render_status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ctl/fake_coordinator.h"

namespace gop::ctl {
namespace {

using ::gop::testing::CannedFinishedStatus;
using ::gop::testing::CannedProgressStatus;
using ::gop::testing::CannedRunningStatus;
using ::gop::testing::FakeCoordinator;
using ::gop::testing::Plain;
using ::gop::testing::kCannedNow;
using ::gop::testing::SilentListener;
using ::gop::testing::TestServer;
using ::gop::testing::UnusedPort;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kToken[] = "s3cret-token";

// A real Coordinator server (FakeCoordinator) on port 0, and gopctl's library
// pointed at it.
class CoordinatorClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_.SetStatus(CannedRunningStatus());
    auto server = TestServer::Start(&service_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  std::unique_ptr<CoordinatorClient> Client(const std::string& target, const std::string& token,
                                            absl::Duration deadline = absl::Seconds(5)) {
    auto channel = MakeChannel(Plain(target));
    EXPECT_TRUE(channel.ok());
    stubs_.push_back(v1::Coordinator::NewStub(*channel));
    return std::make_unique<CoordinatorClient>(stubs_.back().get(), target, token, deadline);
  }

  // Runs a gopctl command through the library with a fixed clock.
  int Run(std::vector<std::string> args, bool tty = false, Interrupt* interrupt = nullptr) {
    out_.str("");
    err_.str("");
    auto options = ParseCtlArgs(args, [](std::string_view) { return std::nullopt; });
    EXPECT_TRUE(options.ok()) << options.status();
    if (!options.ok()) return -1;
    CtlEnvironment env;
    env.out = &out_;
    env.err = &err_;
    env.out_is_tty = tty;
    env.now = [] { return kCannedNow; };
    env.interrupt = interrupt;
    return RunCtl(*options, env);
  }

  FakeCoordinator service_{kToken};
  std::unique_ptr<TestServer> server_;
  std::vector<std::unique_ptr<v1::Coordinator::Stub>> stubs_;
  std::ostringstream out_, err_;
};

TEST_F(CoordinatorClientTest, GetStatusReturnsTheServersStatus) {
  auto client = Client(server_->address(), kToken);
  absl::StatusOr<v1::RunStatus> status = client->GetStatus();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->run_id(), "20250615-103000");
  EXPECT_EQ(status->agents_size(), 3);
}

TEST_F(CoordinatorClientTest, StatusCommandPrintsTheGoldenView) {
  ASSERT_EQ(Run({"status", "--coordinator", server_->address(), "--token", kToken}), kExitOk)
      << err_.str();
  EXPECT_EQ(out_.str(), RenderStatus(CannedRunningStatus(), kCannedNow));
  EXPECT_THAT(out_.str(), HasSubstr("agent-1  loadbox-a"));
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CoordinatorClientTest, StatusJsonParsesBack) {
  ASSERT_EQ(Run({"status", "--json", "--coordinator", server_->address(), "--token", kToken}), kExitOk);
  EXPECT_EQ(out_.str(), *RenderStatusJson(CannedRunningStatus(), true));
}

TEST_F(CoordinatorClientTest, WrongTokenIsRefusedWithAClearMessage) {
  auto client = Client(server_->address(), "wrong");
  absl::StatusOr<v1::RunStatus> status = client->GetStatus();
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(absl::IsUnauthenticated(status.status()));
  EXPECT_THAT(std::string(status.status().message()),
              StartsWith("the coordinator at " + server_->address() + " refused the token"));

  EXPECT_EQ(Run({"status", "--coordinator", server_->address(), "--token", "wrong"}), kExitError);
  EXPECT_THAT(err_.str(), StartsWith("gopctl: the coordinator at " + server_->address() +
                                     " refused the token: wrong token\n"));
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(Run({"status", "--coordinator", server_->address()}), kExitError);
  EXPECT_THAT(err_.str(), HasSubstr("refused the token (none given: use --token or GOP_TOKEN)"));
  EXPECT_EQ(Run({"watch", "--coordinator", server_->address(), "--token", "wrong"}), kExitError);
  EXPECT_THAT(err_.str(), HasSubstr("refused the token"));
  EXPECT_EQ(Run({"cancel", "--coordinator", server_->address(), "--token", "wrong"}), kExitError);
  EXPECT_THAT(err_.str(), HasSubstr("refused the token"));
  EXPECT_EQ(service_.cancel_calls(), 0);
  EXPECT_EQ(service_.refused_calls(), 5);
}

TEST_F(CoordinatorClientTest, UnreachablePortFailsClearly) {
  const std::string target = "127.0.0.1:" + std::to_string(UnusedPort());
  EXPECT_EQ(Run({"status", "--coordinator", target}), kExitError);
  EXPECT_THAT(err_.str(), StartsWith("gopctl: cannot reach coordinator at " + target + ": "));
  EXPECT_EQ(Run({"watch", "--coordinator", target}), kExitError);
  EXPECT_THAT(err_.str(), StartsWith("gopctl: cannot reach coordinator at " + target + ": "));
  EXPECT_EQ(Run({"cancel", "--coordinator", target}), kExitError);
  EXPECT_THAT(err_.str(), StartsWith("gopctl: cannot reach coordinator at " + target + ": "));
}

// A port that accepts TCP but never speaks HTTP/2: only the deadline ends
// the call (unary) or the first-update watchdog (watch).
TEST_F(CoordinatorClientTest, SilentCoordinatorFailsAtTheDeadline) {
  auto listener = SilentListener::Start();
  ASSERT_TRUE(listener.ok());
  const std::string target = "127.0.0.1:" + std::to_string((*listener)->port());
  EXPECT_EQ(Run({"status", "--coordinator", target, "--timeout", "0.5"}), kExitError);
  EXPECT_THAT(err_.str(), StartsWith("gopctl: cannot reach coordinator at " + target +
                                     ": no answer within 500ms"));
  EXPECT_EQ(Run({"watch", "--coordinator", target, "--timeout", "0.5"}), kExitError);
  EXPECT_EQ(err_.str(), "gopctl: cannot reach coordinator at " + target + ": no status within 500ms\n");
}

TEST_F(CoordinatorClientTest, WatchStreamsEveryUpdateAndStopsAtTheFinalState) {
  service_.SetWatchScript({CannedRunningStatus(), CannedProgressStatus(), CannedFinishedStatus()},
                          /*hold_open=*/true);  // the client must stop by itself
  auto client = Client(server_->address(), kToken);
  std::vector<int> done;
  absl::StatusOr<v1::RunStatus> last =
      client->Watch(250, [&](const v1::RunStatus& s) { done.push_back(s.cells_done()); });
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->state(), v1::RUN_STATE_FINISHED);
  EXPECT_EQ(done, (std::vector<int>{11, 17, 19}));
  EXPECT_EQ(service_.watch_calls(), 1);
  EXPECT_EQ(service_.get_status_calls(), 0) << "watch must stream, not poll";
  EXPECT_EQ(service_.last_watch_min_interval_ms(), 250);
}

TEST_F(CoordinatorClientTest, WatchCommandPrintsALinePerUpdateWhenNotATerminal) {
  service_.SetWatchScript({CannedRunningStatus(), CannedProgressStatus(), CannedFinishedStatus()});
  ASSERT_EQ(Run({"watch", "--coordinator", server_->address(), "--token", kToken}), kExitOk)
      << err_.str();
  const std::string expected =
      RenderStatusLine(CannedRunningStatus(), kCannedNow) +
      RenderStatusLine(CannedProgressStatus(), kCannedNow) +
      RenderStatusLine(CannedFinishedStatus(), kCannedNow) + "\n" +
      RenderStatus(CannedFinishedStatus(), kCannedNow) + "run 20250615-103000 ended: FINISHED\n";
  EXPECT_EQ(out_.str(), expected);
  EXPECT_EQ(service_.get_status_calls(), 0);
}

TEST_F(CoordinatorClientTest, WatchCommandRedrawsOnATerminal) {
  service_.SetWatchScript({CannedRunningStatus(), CannedFinishedStatus(v1::RUN_STATE_FAILED)});
  ASSERT_EQ(Run({"watch", "--coordinator", server_->address(), "--token", kToken}, /*tty=*/true),
            kExitRunFailed);
  const std::string clear = "\x1b[H\x1b[2J";
  EXPECT_EQ(out_.str(), clear + RenderStatus(CannedRunningStatus(), kCannedNow) + clear +
                            RenderStatus(CannedFinishedStatus(v1::RUN_STATE_FAILED), kCannedNow) +
                            "run 20250615-103000 ended: FAILED\n");
}

TEST_F(CoordinatorClientTest, WatchJsonIsOneObjectPerLine) {
  service_.SetWatchScript({CannedRunningStatus(), CannedFinishedStatus(v1::RUN_STATE_CANCELLED)});
  ASSERT_EQ(Run({"watch", "--json", "--coordinator", server_->address(), "--token", kToken}),
            kExitRunFailed);
  EXPECT_EQ(out_.str(), *RenderStatusJson(CannedRunningStatus(), false) +
                            *RenderStatusJson(CannedFinishedStatus(v1::RUN_STATE_CANCELLED), false));
}

TEST_F(CoordinatorClientTest, WatchStreamEndingBeforeTheRunFinishesIsAnError) {
  service_.SetWatchScript({CannedRunningStatus()});  // then closes with OK
  EXPECT_EQ(Run({"watch", "--coordinator", server_->address(), "--token", kToken}), kExitError);
  EXPECT_THAT(err_.str(), HasSubstr("closed the status stream before the run finished"));
}

TEST_F(CoordinatorClientTest, InterruptStopsAWatchCleanly) {
  service_.SetWatchScript({CannedRunningStatus()}, /*hold_open=*/true);
  Interrupt interrupt;
  int code = -1;
  std::thread watcher([&] {
    code = Run({"watch", "--coordinator", server_->address(), "--token", kToken}, false, &interrupt);
  });
  // Interrupt once the first update is in (it may also come before: an early
  // Trigger must be honoured too, and the watch must still end).
  for (int i = 0; i < 3000 && service_.watch_calls() == 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  interrupt.Trigger();
  watcher.join();
  EXPECT_EQ(code, kExitInterrupted);
  EXPECT_EQ(err_.str(), "gopctl: interrupted\n");
}

TEST_F(CoordinatorClientTest, CancelSendsTheReasonAndPrintsTheAnswer) {
  v1::CancelRunResponse response;
  response.set_accepted(true);
  response.set_message("run 20250615-103000 cancelled; 6 queued cells dropped");
  service_.SetCancelResponse(response);
  ASSERT_EQ(Run({"cancel", "--reason", "wrong grid", "--coordinator", server_->address(),
                 "--token", kToken}),
            kExitOk);
  EXPECT_EQ(out_.str(), "cancel accepted: run 20250615-103000 cancelled; 6 queued cells dropped\n");
  EXPECT_EQ(service_.last_cancel_reason(), "wrong grid");

  response.set_accepted(false);
  response.set_message("the run already finished");
  service_.SetCancelResponse(response);
  EXPECT_EQ(Run({"cancel", "--coordinator", server_->address(), "--token", kToken}), kExitError);
  EXPECT_EQ(out_.str(), "cancel refused: the run already finished\n");
}

}  // namespace
}  // namespace gop::ctl
