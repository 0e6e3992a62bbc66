#ifndef GOP_TESTS_MINIBOX_MINIBOX_FIXTURE_H_
#define GOP_TESTS_MINIBOX_MINIBOX_FIXTURE_H_

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "minibox/config.h"
#include "minibox/minibox_server.h"
#include "tests/support/http_client.h"
#include "tests/support/pg_cluster.h"

namespace gop::minibox {

// An in-process minibox (real HTTP on an ephemeral loopback port) over a fresh database
// of the shared test cluster. Subclasses tweak the config in Configure().
class MiniboxTest : public ::testing::Test {
 protected:
  virtual void Configure(Config& /*config*/) {}

  void SetUp() override {
    absl::StatusOr<testing::PgConnInfo> db = testing::CreateTestDatabase("minibox");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *db;
    config_.web_port = 0;
    config_.web_threads = 4;
    config_.db_pool_size = 4;
    config_.db_pool_timeout = absl::Seconds(10);
    config_.db_host = db_.host;
    config_.db_port = db_.port;
    config_.db_name = db_.dbname;
    config_.db_user = db_.user;
    Configure(config_);
    absl::StatusOr<std::unique_ptr<MiniboxServer>> server = MiniboxServer::Create(config_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    client_ = std::make_unique<testing::HttpClient>("127.0.0.1", server_->port());
  }

  void TearDown() override { server_.reset(); }

  testing::HttpResponse Send(const testing::HttpRequest& r) {
    absl::StatusOr<testing::HttpResponse> res = client_->Send(r);
    EXPECT_TRUE(res.ok()) << res.status();
    return res.ok() ? *res : testing::HttpResponse{};
  }
  testing::HttpResponse Get(const std::string& target) {
    testing::HttpRequest r;
    r.target = target;
    return Send(r);
  }
  testing::HttpResponse Post(const std::string& target, const std::string& body) {
    testing::HttpRequest r{"POST", target, {}, body};
    return Send(r);
  }
  testing::HttpResponse Put(const std::string& target, const std::string& body,
                            const std::string& if_match = "") {
    testing::HttpRequest r{"PUT", target, {}, body};
    if (!if_match.empty()) r.headers.emplace_back("If-Match", if_match);
    return Send(r);
  }
  testing::HttpResponse Delete(const std::string& target) {
    testing::HttpRequest r{"DELETE", target, {}, ""};
    return Send(r);
  }

  static nlohmann::json Json(const testing::HttpResponse& r) {
    return nlohmann::json::parse(r.body, nullptr, false);
  }
  // The response is an OperationOutcome (what every error must carry).
  static bool IsOutcome(const testing::HttpResponse& r) {
    nlohmann::json j = Json(r);
    return j.is_object() && j.value("resourceType", "") == "OperationOutcome" &&
           j["issue"].is_array() && !j["issue"].empty();
  }
  // Creates a resource and returns its id.
  std::string CreateOk(const std::string& type, const nlohmann::json& resource) {
    testing::HttpResponse r = Post("/fhir/" + type, resource.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Json(r).value("id", "");
  }
  std::vector<std::string> Sql(const std::string& sql) {
    absl::StatusOr<std::vector<std::string>> rows = testing::QueryColumn(db_, sql);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<std::string>{};
  }
  // Value of one sample line of /metrics ("name{labels}" exact prefix), or -1.
  double Metric(const std::string& series) {
    testing::HttpResponse r = Get("/metrics");
    std::istringstream in(r.body);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    }
    return -1;
  }

  testing::PgConnInfo db_;
  Config config_;
  std::unique_ptr<MiniboxServer> server_;
  std::unique_ptr<testing::HttpClient> client_;
};

}  // namespace gop::minibox

#endif  // GOP_TESTS_MINIBOX_MINIBOX_FIXTURE_H_
