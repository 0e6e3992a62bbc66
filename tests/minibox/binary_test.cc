// The real `minibox` executable: env configuration, ready line, signals, exit codes.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/http_client.h"
#include "tests/support/minibox_process.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/free_port.h"

namespace gop::minibox {
namespace {

using ::testing::HasSubstr;

int FreePort() { return ::gop::testing::UnusedLoopbackPort(); }

class MiniboxBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<testing::PgConnInfo> db = testing::CreateTestDatabase("minibox_bin");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *db;
  }
  testing::PgConnInfo db_;
};

TEST_F(MiniboxBinaryTest, ServesFhirAndStopsCleanlyOnSigterm) {
  testing::MiniboxProcessOptions o;
  o.db = db_;
  o.web_threads = 2;
  o.pool_size = 3;
  absl::StatusOr<std::unique_ptr<testing::MiniboxProcess>> p = testing::MiniboxProcess::Start(o);
  ASSERT_TRUE(p.ok()) << p.status();
  testing::HttpClient client("127.0.0.1", (*p)->port());
  absl::StatusOr<testing::HttpResponse> r =
      client.Post("/fhir/Patient", R"({"resourceType":"Patient"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 201);
  absl::StatusOr<testing::HttpResponse> m = client.Get("/metrics");
  ASSERT_TRUE(m.ok());
  EXPECT_THAT(m->body, HasSubstr(R"(minibox_worker_threads{instance_name="minibox"} 2)"));
  EXPECT_THAT(m->body, HasSubstr(R"(hikari_max_size{instance_name="minibox"} 3)"));
  absl::StatusOr<int> code = (*p)->Stop();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
}

TEST_F(MiniboxBinaryTest, AuthInstanceNameAndSeparateMetricsPort) {
  testing::MiniboxProcessOptions o;
  o.db = db_;
  int metrics_port = FreePort();
  o.extra_env = {{"BOX_ROOT_CLIENT_SECRET", "pw"},
                 {"BOX_INSTANCE_NAME", "box-7"},
                 {"BOX_METRICS_PORT", std::to_string(metrics_port)}};
  absl::StatusOr<std::unique_ptr<testing::MiniboxProcess>> p = testing::MiniboxProcess::Start(o);
  ASSERT_TRUE(p.ok()) << p.status();
  testing::HttpClient client("127.0.0.1", (*p)->port());
  EXPECT_EQ(client.Get("/fhir/Patient")->status, 401);
  testing::HttpRequest authed{"GET", "/fhir/Patient", {{"Authorization", "Basic cm9vdDpwdw=="}}, ""};
  EXPECT_EQ(client.Send(authed)->status, 200);
  testing::HttpClient metrics("127.0.0.1", metrics_port);
  absl::StatusOr<testing::HttpResponse> m = metrics.Get("/metrics");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->status, 200);
  EXPECT_THAT(m->body, HasSubstr(R"(hikari_max_size{instance_name="box-7"} 8)"));
}

TEST(MiniboxBinaryConfigTest, InvalidValuesExit2WithOneMessage) {
  absl::StatusOr<testing::ProcessOutcome> out = testing::RunMiniboxToExit(
      {{"BOX_WEB_THREAD", "-1"}, {"BOX_DB_POOL_CONNECTION_TIMEOUT", "soon"}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->exit_code, 2);
  EXPECT_THAT(out->output, HasSubstr("BOX_WEB_THREAD"));
  EXPECT_THAT(out->output, HasSubstr("BOX_DB_POOL_CONNECTION_TIMEOUT"));
  EXPECT_EQ(std::count(out->output.begin(), out->output.end(), '\n'), 1);
}

TEST(MiniboxBinaryConfigTest, UnreachableDatabaseExits1) {
  absl::StatusOr<testing::ProcessOutcome> out = testing::RunMiniboxToExit(
      {{"BOX_DB_HOST", "127.0.0.1"}, {"BOX_DB_PORT", "1"}, {"BOX_WEB_PORT", "0"},
       {"BOX_DB_POOL_CONNECTION_TIMEOUT", "100"}},
      absl::Seconds(40));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->exit_code, 1);
  EXPECT_THAT(out->output, HasSubstr("PostgreSQL"));
}

}  // namespace
}  // namespace gop::minibox
