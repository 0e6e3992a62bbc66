// PostgreSQL going away and coming back: 503 while it is down, recovery after, with the
// broken pooled connections replaced. Uses a private cluster (restarting the shared one
// would disturb other tests).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "minibox/minibox_server.h"
#include "tests/support/http_client.h"
#include "tests/support/pg_cluster.h"

namespace gop::minibox {
namespace {

TEST(MiniboxPgRestartTest, Answers503WhileDownAndRecovers) {
  absl::StatusOr<std::unique_ptr<testing::PrivatePgCluster>> cluster =
      testing::PrivatePgCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  testing::PgConnInfo db = (*cluster)->conn_info();
  Config c;
  c.web_port = 0;
  c.web_threads = 2;
  c.db_pool_size = 3;
  c.db_pool_timeout = absl::Seconds(5);
  c.db_host = db.host;
  c.db_port = db.port;
  c.db_name = db.dbname;
  c.db_user = db.user;
  absl::StatusOr<std::unique_ptr<MiniboxServer>> server = MiniboxServer::Create(c);
  ASSERT_TRUE(server.ok()) << server.status();
  testing::HttpClient client("127.0.0.1", (*server)->port());

  // Fill the pool with several open connections.
  for (int i = 0; i < 6; ++i) {
    absl::StatusOr<testing::HttpResponse> r =
        client.Put("/fhir/Patient/p" + std::to_string(i), R"({"resourceType":"Patient"})");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 201) << r->body;
  }

  ASSERT_TRUE((*cluster)->Stop().ok());
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<testing::HttpResponse> r = client.Get("/fhir/Patient/p1");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 503) << r->body;
    EXPECT_EQ(nlohmann::json::parse(r->body)["resourceType"], "OperationOutcome");
  }
  absl::StatusOr<testing::HttpResponse> health = client.Get("/health");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);  // the process itself is fine

  ASSERT_TRUE((*cluster)->Restart().ok());
  for (int i = 0; i < 6; ++i) {
    absl::StatusOr<testing::HttpResponse> r = client.Get("/fhir/Patient/p" + std::to_string(i));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << r->body;
  }
  absl::StatusOr<testing::HttpResponse> created =
      client.Post("/fhir/Patient", R"({"resourceType":"Patient"})");
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->status, 201);
  server->reset();
}

// A restart while connections sit idle in the pool: the stale ones are discarded.
TEST(MiniboxPgRestartTest, StaleIdleConnectionsAreReplaced) {
  absl::StatusOr<std::unique_ptr<testing::PrivatePgCluster>> cluster =
      testing::PrivatePgCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  testing::PgConnInfo db = (*cluster)->conn_info();
  Config c;
  c.web_port = 0;
  c.web_threads = 2;
  c.db_pool_size = 2;
  c.db_host = db.host;
  c.db_port = db.port;
  c.db_name = db.dbname;
  c.db_user = db.user;
  absl::StatusOr<std::unique_ptr<MiniboxServer>> server = MiniboxServer::Create(c);
  ASSERT_TRUE(server.ok()) << server.status();
  testing::HttpClient client("127.0.0.1", (*server)->port());
  ASSERT_EQ(client.Put("/fhir/Patient/x", R"({"resourceType":"Patient"})")->status, 201);
  ASSERT_TRUE((*cluster)->Stop().ok());
  ASSERT_TRUE((*cluster)->Restart().ok());
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<testing::HttpResponse> r = client.Get("/fhir/Patient/x");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << r->body;
  }
  server->reset();
}

}  // namespace
}  // namespace gop::minibox
