#include "common/auth.h"

#include <memory>

#include "common/grpc_channel.h"
#include "gmock/gmock.h"
#include "gop/v1/coordinator.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/ctl/fake_coordinator.h"

namespace gop {
namespace {

using ::gop::testing::FakeCoordinator;
using ::gop::testing::Plain;
using ::gop::testing::TestServer;
using ::testing::HasSubstr;
using ::testing::Optional;

TEST(TokenMatchesTest, EqualTokensMatch) {
  EXPECT_TRUE(TokenMatches("s3cret", "s3cret"));
  EXPECT_TRUE(TokenMatches("", ""));
}

TEST(TokenMatchesTest, AnyDifferenceRefuses) {
  EXPECT_FALSE(TokenMatches("s3cret", "s3creT"));  // last byte
  EXPECT_FALSE(TokenMatches("s3cret", "X3cret"));  // first byte
  EXPECT_FALSE(TokenMatches("s3cret", "s3cre"));   // prefix
  EXPECT_FALSE(TokenMatches("s3cret", "s3crets")); // longer
  EXPECT_FALSE(TokenMatches("s3cret", ""));
  EXPECT_FALSE(TokenMatches("", "x"));
  // A presented token equal to expected plus NULs must not match by padding.
  EXPECT_FALSE(TokenMatches("ab", std::string_view("ab\0", 3)));
  EXPECT_FALSE(TokenMatches(std::string_view("ab\0", 3), "ab"));
}

TEST(TokenMatchesTest, EveryBytePositionMatters) {
  const std::string expected(64, 'k');
  for (size_t i = 0; i < expected.size(); ++i) {
    std::string presented = expected;
    presented[i] ^= 0x01;
    EXPECT_FALSE(TokenMatches(expected, presented)) << "byte " << i;
  }
}

// The token over a real call: AddToken on the client, PresentedToken and
// CheckToken in a callback service on the server.
class AuthOverGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = TestServer::Start(&service_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel = MakeChannel(Plain(server_->address()));
    ASSERT_TRUE(channel.ok()) << channel.status();
    stub_ = v1::Coordinator::NewStub(*channel);
  }

  grpc::Status Call(std::string_view token) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    AddToken(&context, token);
    v1::RunStatus status;
    return stub_->GetStatus(&context, v1::GetStatusRequest(), &status);
  }

  FakeCoordinator service_{"the-token"};
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<v1::Coordinator::Stub> stub_;
};

TEST_F(AuthOverGrpcTest, RightTokenIsAccepted) {
  EXPECT_TRUE(Call("the-token").ok());
  EXPECT_THAT(service_.last_presented_token(), Optional(std::string("the-token")));
  EXPECT_EQ(service_.refused_calls(), 0);
}

TEST_F(AuthOverGrpcTest, WrongTokenIsRefused) {
  const grpc::Status status = Call("not-the-token");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(), "wrong token");
  EXPECT_EQ(service_.refused_calls(), 1);
  EXPECT_EQ(service_.get_status_calls(), 0);
}

TEST_F(AuthOverGrpcTest, MissingTokenIsRefused) {
  const grpc::Status status = Call("");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("no token presented"));
  EXPECT_EQ(service_.last_presented_token(), std::nullopt);
}

TEST(AuthNoTokenConfiguredTest, AnyCallerIsAccepted) {
  FakeCoordinator service("");
  auto server = TestServer::Start(&service);
  ASSERT_TRUE(server.ok());
  auto channel = MakeChannel(Plain((*server)->address()));
  ASSERT_TRUE(channel.ok());
  auto stub = v1::Coordinator::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  AddToken(&context, "whatever");
  v1::RunStatus status;
  EXPECT_TRUE(stub->GetStatus(&context, v1::GetStatusRequest(), &status).ok());
}

}  // namespace
}  // namespace gop
