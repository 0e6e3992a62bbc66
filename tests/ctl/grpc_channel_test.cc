#include "common/grpc_channel.h"

#include <filesystem>
#include <memory>

#include "common/auth.h"
#include "gmock/gmock.h"
#include "gop/v1/coordinator.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/ctl/fake_coordinator.h"
#include "tests/ctl/test_certificates.h"

namespace gop {
namespace {

using ::gop::testing::FakeCoordinator;
using ::gop::testing::Plain;
using ::gop::testing::TestCertificates;
using ::gop::testing::TestServer;
using ::testing::HasSubstr;

grpc::Status GetStatus(const ChannelOptions& options, v1::RunStatus* out = nullptr) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeChannel(options);
  if (!channel.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(channel.status().message()));
  auto stub = v1::Coordinator::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  AddToken(&context, options.token);
  v1::RunStatus status;
  grpc::Status result = stub->GetStatus(&context, v1::GetStatusRequest(), &status);
  if (out != nullptr) *out = status;
  return result;
}

// One set of certificates (openssl) for the suite.
class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto certs = TestCertificates::Create();
    ASSERT_TRUE(certs.ok()) << certs.status();
    certs_ = new TestCertificates(*std::move(certs));
  }
  static void TearDownTestSuite() {
    if (certs_ != nullptr) std::filesystem::remove_all(certs_->dir);
    delete certs_;
    certs_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(certs_, nullptr); }

  void StartServer(std::string_view client_ca = "") {
    auto credentials = MakeServerCredentials(certs_->server_cert, certs_->server_key, client_ca);
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    v1::RunStatus status;
    status.set_run_id("tls-run");
    service_.SetStatus(status);
    auto server = TestServer::Start(&service_, *credentials);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }
  ChannelOptions Client(const std::string& ca) const {
    ChannelOptions options;
    options.target = server_->address();
    options.tls = true;
    options.tls_ca_file = ca;
    return options;
  }

  static TestCertificates* certs_;
  FakeCoordinator service_;
  std::unique_ptr<TestServer> server_;
};
TestCertificates* TlsTest::certs_ = nullptr;

TEST_F(TlsTest, ClientTrustingTheCaConnects) {
  StartServer();
  v1::RunStatus status;
  const grpc::Status result = GetStatus(Client(certs_->ca_cert), &status);
  ASSERT_TRUE(result.ok()) << result.error_message();
  EXPECT_EQ(status.run_id(), "tls-run");
}

TEST_F(TlsTest, ClientWithWrongCaIsRefused) {
  StartServer();
  const grpc::Status result = GetStatus(Client(certs_->wrong_ca_cert));
  EXPECT_EQ(result.error_code(), grpc::StatusCode::UNAVAILABLE) << result.error_message();
  EXPECT_EQ(service_.get_status_calls(), 0);
}

TEST_F(TlsTest, PlaintextClientIsRefused) {
  StartServer();
  const grpc::Status result = GetStatus(Plain(server_->address()));
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(service_.get_status_calls(), 0);
}

TEST_F(TlsTest, ServerNameOverrideIsChecked) {
  StartServer();
  ChannelOptions options = Client(certs_->ca_cert);
  options.tls_server_name = "localhost";  // in the SAN
  EXPECT_TRUE(GetStatus(options).ok());
  options.tls_server_name = "elsewhere.example";  // not in the SAN
  EXPECT_EQ(GetStatus(options).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, MutualTlsNeedsAClientCertificate) {
  StartServer(certs_->ca_cert);
  ChannelOptions options = Client(certs_->ca_cert);
  EXPECT_FALSE(GetStatus(options).ok()) << "no client certificate";
  options.tls_cert_file = certs_->client_cert;
  options.tls_key_file = certs_->client_key;
  const grpc::Status result = GetStatus(options);
  EXPECT_TRUE(result.ok()) << result.error_message();
  EXPECT_EQ(service_.get_status_calls(), 1);
}

TEST_F(TlsTest, TokenStillCheckedUnderTls) {
  FakeCoordinator guarded("tls-token");
  auto credentials = MakeServerCredentials(certs_->server_cert, certs_->server_key);
  ASSERT_TRUE(credentials.ok());
  auto server = TestServer::Start(&guarded, *credentials);
  ASSERT_TRUE(server.ok());
  ChannelOptions options;
  options.target = (*server)->address();
  options.tls = true;
  options.tls_ca_file = certs_->ca_cert;
  options.token = "wrong";
  EXPECT_EQ(GetStatus(options).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  options.token = "tls-token";
  EXPECT_TRUE(GetStatus(options).ok());
}

TEST(MakeChannelTest, RejectsBadOptions) {
  EXPECT_FALSE(MakeChannel({}).ok()) << "no target";
  ChannelOptions files_without_tls = Plain("127.0.0.1:1");
  files_without_tls.tls_ca_file = "/x";
  EXPECT_FALSE(MakeChannel(files_without_tls).ok());
  ChannelOptions missing_ca = Plain("127.0.0.1:1");
  missing_ca.tls = true;
  missing_ca.tls_ca_file = "/nonexistent/ca.pem";
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeChannel(missing_ca);
  ASSERT_FALSE(channel.ok());
  EXPECT_THAT(std::string(channel.status().message()), HasSubstr("/nonexistent/ca.pem"));
  ChannelOptions cert_without_key = Plain("127.0.0.1:1");
  cert_without_key.tls = true;
  cert_without_key.tls_cert_file = "/x";
  EXPECT_FALSE(MakeChannel(cert_without_key).ok());
}

TEST(MakeServerCredentialsTest, RejectsMissingFiles) {
  EXPECT_FALSE(MakeServerCredentials("", "").ok());
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials("/nonexistent/server.pem", "/nonexistent/server.key");
  ASSERT_FALSE(credentials.ok());
  EXPECT_THAT(std::string(credentials.status().message()), HasSubstr("/nonexistent/server.pem"));
}

}  // namespace
}  // namespace gop
