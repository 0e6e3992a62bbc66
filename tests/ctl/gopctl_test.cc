// The built gopctl binary as a child process against a real gRPC server.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/grpc_channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ctl/child_process.h"
#include "tests/ctl/fake_coordinator.h"
#include "tests/ctl/test_certificates.h"

namespace gop::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kToken[] = "binary-token";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}
const std::string kGopctl = std::string(GOP_BINARY_DIR) + "/ctl/gopctl";

// The test's own environment must not leak a coordinator or token in.
const ChildProcess::EnvChanges kCleanEnv = {{"GOP_COORDINATOR", std::nullopt},
                                            {"GOP_TOKEN", std::nullopt}};

class GopctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_.SetStatus(CannedRunningStatus());
    auto server = TestServer::Start(&service_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }
  ProcessResult Gopctl(std::vector<std::string> args, ChildProcess::EnvChanges env = kCleanEnv) {
    args.insert(args.begin(), kGopctl);
    absl::StatusOr<ProcessResult> result = RunProcess(args, env);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : ProcessResult{};
  }

  FakeCoordinator service_{kToken};
  std::unique_ptr<TestServer> server_;
};

TEST_F(GopctlTest, StatusPrintsRunCellsAgentsFailuresAndWarnings) {
  ProcessResult r = Gopctl({"status", "--coordinator", server_->address(), "--token", kToken});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, StartsWith("run 20250615-103000  RUNNING  started "));
  // Apart from "started ... ago" (real clock here), the golden view.
  const std::string golden = ReadFile(std::string(GOP_TESTDATA_DIR) + "/status.golden");
  EXPECT_EQ(r.output.substr(r.output.find('\n')), golden.substr(golden.find('\n')));
}

TEST_F(GopctlTest, CoordinatorAndTokenComeFromTheEnvironment) {
  ProcessResult r = Gopctl({"status", "--json"},
                           {{"GOP_COORDINATOR", server_->address()}, {"GOP_TOKEN", kToken}});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"run_id\": \"20250615-103000\""));
}

TEST_F(GopctlTest, WatchPrintsLinesAndExitsWithTheFinalState) {
  service_.SetWatchScript({CannedRunningStatus(), CannedProgressStatus(), CannedFinishedStatus()});
  ProcessResult r = Gopctl({"watch", "--coordinator", server_->address(), "--token", kToken});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("RUNNING: 11/20 done"));
  EXPECT_THAT(r.output, HasSubstr("RUNNING: 17/20 done"));
  EXPECT_THAT(r.output, HasSubstr("FINISHED: 19/20 done"));
  EXPECT_THAT(r.output, HasSubstr("run 20250615-103000 ended: FINISHED\n"));
  EXPECT_THAT(r.output, Not(HasSubstr("\x1b[2J"))) << "no screen clearing into a pipe";
  EXPECT_EQ(service_.get_status_calls(), 0);
  EXPECT_EQ(service_.watch_calls(), 1);

  service_.SetWatchScript({CannedFinishedStatus(v1::RUN_STATE_FAILED)});
  r = Gopctl({"watch", "--coordinator", server_->address(), "--token", kToken});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("ended: FAILED"));
}

TEST_F(GopctlTest, CtrlCEndsAWatchCleanly) {
  service_.SetWatchScript({CannedRunningStatus()}, /*hold_open=*/true);
  auto child = ChildProcess::Start(
      {kGopctl, "watch", "--coordinator", server_->address(), "--token", kToken}, kCleanEnv);
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE((*child)->WaitForOutput("RUNNING: 11/20 done", absl::Seconds(30))) << (*child)->output();
  (*child)->Signal(SIGINT);
  absl::StatusOr<int> code = (*child)->Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 130) << (*child)->output();
  EXPECT_THAT((*child)->output(), HasSubstr("gopctl: interrupted\n"));
}

TEST_F(GopctlTest, WrongTokenIsRefusedClearly) {
  ProcessResult r = Gopctl({"status", "--coordinator", server_->address(), "--token", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "gopctl: the coordinator at " + server_->address() +
                          " refused the token: wrong token\n");
}

TEST_F(GopctlTest, UnreachableCoordinatorFailsClearly) {
  const std::string target = "127.0.0.1:" + std::to_string(UnusedPort());
  ProcessResult r = Gopctl({"status", "--coordinator", target});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, StartsWith("gopctl: cannot reach coordinator at " + target + ": "));
  EXPECT_EQ(r.output.find('\n'), r.output.size() - 1) << "one line";
}

TEST_F(GopctlTest, CancelPrintsTheAnswer) {
  v1::CancelRunResponse response;
  response.set_accepted(true);
  response.set_message("cancelling");
  service_.SetCancelResponse(response);
  ProcessResult r = Gopctl(
      {"cancel", "--coordinator", server_->address(), "--token", kToken, "--reason", "enough"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "cancel accepted: cancelling\n");
  EXPECT_EQ(service_.last_cancel_reason(), "enough");
}

TEST_F(GopctlTest, UsageErrorsExitTwo) {
  ProcessResult r = Gopctl({"stauts"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("unknown command 'stauts'"));
  r = Gopctl({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("usage: gopctl"));
}

TEST(GopctlTlsTest, RightCaConnectsWrongCaIsRefused) {
  auto certs = TestCertificates::Create();
  ASSERT_TRUE(certs.ok()) << certs.status();
  FakeCoordinator service(kToken);
  service.SetStatus(CannedRunningStatus());
  auto credentials = MakeServerCredentials(certs->server_cert, certs->server_key);
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  auto server = TestServer::Start(&service, *credentials);
  ASSERT_TRUE(server.ok());
  const std::string target = (*server)->address();

  auto ok = RunProcess({kGopctl, "status", "--coordinator", target, "--token", kToken, "--tls",
                        "--tls-ca", certs->ca_cert},
                       kCleanEnv);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->exit_code, 0) << ok->output;
  EXPECT_THAT(ok->output, StartsWith("run 20250615-103000"));

  auto wrong = RunProcess({kGopctl, "status", "--coordinator", target, "--token", kToken, "--tls",
                           "--tls-ca", certs->wrong_ca_cert},
                          kCleanEnv);
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->exit_code, 1);
  EXPECT_THAT(wrong->output, StartsWith("gopctl: cannot reach coordinator at " + target + ": "));
  EXPECT_THAT(wrong->output, HasSubstr("TLS handshake failed"));
  EXPECT_EQ(service.get_status_calls(), 1);
  std::filesystem::remove_all(certs->dir);
}

}  // namespace
}  // namespace gop::testing
