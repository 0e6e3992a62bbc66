// The concurrency model, observed from outside: at most BOX_WEB_THREAD handlers run at once,
// at most BOX_DB_POOL_MAXIMUM_POOL_SIZE connections exist, pool waits show in the metrics
// and end in 503 after BOX_DB_POOL_CONNECTION_TIMEOUT.
//
// Handlers are made to block deterministically: the test holds a row lock on a patient
// and every request updates that patient, so each handler sits in PostgreSQL holding its
// worker thread and its connection until the test lets go.
#include <libpq-fe.h>

#include <atomic>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "tests/minibox/minibox_fixture.h"

namespace gop::minibox {
namespace {

class RowLock {
 public:
  RowLock(const testing::PgConnInfo& db, const std::string& table, const std::string& id) {
    conn_ = PQconnectdb(db.ConnString().c_str());
    EXPECT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
    PQclear(PQexec(conn_, "BEGIN"));
    PGresult* r = PQexec(conn_, absl::StrCat("SELECT 1 FROM ", table, " WHERE id = '", id,
                                             "' FOR UPDATE").c_str());
    EXPECT_EQ(PQntuples(r), 1);
    PQclear(r);
  }
  void Release() {
    if (conn_ == nullptr) return;
    PQclear(PQexec(conn_, "COMMIT"));
    PQfinish(conn_);
    conn_ = nullptr;
  }
  ~RowLock() { Release(); }

 private:
  PGconn* conn_ = nullptr;
};

class MiniboxConcurrencyTest : public MiniboxTest {
 protected:
  int threads_ = 3;
  int pool_ = 6;
  absl::Duration timeout_ = absl::Seconds(30);
  void Configure(Config& c) override {
    c.web_threads = threads_;
    c.db_pool_size = pool_;
    c.db_pool_timeout = timeout_;
  }

  // Waits (bounded) until `pred` holds.
  template <typename Pred>
  bool Eventually(Pred pred, absl::Duration limit = absl::Seconds(20)) {
    absl::Time deadline = absl::Now() + limit;
    while (absl::Now() < deadline) {
      if (pred()) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return pred();
  }
  int SqlInt(const std::string& sql) {
    std::vector<std::string> rows = Sql(sql);
    return rows.empty() ? -1 : std::stoi(rows[0]);
  }
  int MiniboxConnections() {
    return SqlInt("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'minibox' "
                  "AND datname = current_database()");
  }
  int MiniboxLockWaiters() {
    return SqlInt("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'minibox' "
                  "AND datname = current_database() AND wait_event_type = 'Lock'");
  }
  std::string M(const std::string& name) { return name + R"({instance_name="minibox"})"; }

  // Fires `n` concurrent updates of Patient/hot; statuses land in `statuses`.
  std::vector<std::thread> FireUpdates(int n, std::vector<int>* statuses, std::atomic<int>* done) {
    statuses->assign(n, 0);
    std::vector<std::thread> ts;
    for (int i = 0; i < n; ++i) {
      ts.emplace_back([this, i, statuses, done] {
        testing::HttpClient c("127.0.0.1", server_->port(), absl::Seconds(60));
        absl::StatusOr<testing::HttpResponse> r =
            c.Put("/fhir/Patient/hot", R"({"resourceType":"Patient","active":true})");
        (*statuses)[i] = r.ok() ? r->status : -1;
        if (r.ok() && r->status == 503) {
          EXPECT_EQ(nlohmann::json::parse(r->body)["resourceType"], "OperationOutcome");
        }
        ++*done;
      });
    }
    return ts;
  }
};

TEST_F(MiniboxConcurrencyTest, AtMostWebThreadHandlersAndPoolSizeConnections) {
  CreateOk("Patient", {{"resourceType", "Patient"}, {"id", "hot"}});
  RowLock lock(db_, "patient", "hot");
  std::vector<int> statuses;
  std::atomic<int> done{0};
  std::vector<std::thread> ts = FireUpdates(10, &statuses, &done);

  // 3 handlers block in PostgreSQL, the other 7 requests queue for a worker.
  ASSERT_TRUE(Eventually([&] { return Metric(M("minibox_worker_queued")) == 7; }));
  ASSERT_TRUE(Eventually([&] { return MiniboxLockWaiters() == threads_; }));
  EXPECT_EQ(Metric(M("minibox_worker_busy")), threads_);
  EXPECT_EQ(Metric(M("hikari_active_count")), threads_);
  EXPECT_LE(MiniboxConnections(), pool_);
  EXPECT_EQ(done.load(), 0);

  lock.Release();
  for (std::thread& t : ts) t.join();
  for (int s : statuses) EXPECT_EQ(s, 200);
  EXPECT_EQ(Metric(M("minibox_worker_busy_max")), threads_);
  EXPECT_LE(MiniboxConnections(), pool_);
  EXPECT_EQ(Metric(M("minibox_worker_queued")), 0);
}

class MiniboxPoolExhaustionTest : public MiniboxConcurrencyTest {
 protected:
  void Configure(Config& c) override {
    threads_ = 6;
    pool_ = 2;
    timeout_ = absl::Milliseconds(1500);
    MiniboxConcurrencyTest::Configure(c);
  }
};

TEST_F(MiniboxPoolExhaustionTest, WaitsShowInMetricsThen503) {
  CreateOk("Patient", {{"resourceType", "Patient"}, {"id", "hot"}});
  double waits_before = Metric(M("hikari_acquire_wait_seconds_count"));
  RowLock lock(db_, "patient", "hot");
  std::vector<int> statuses;
  std::atomic<int> done{0};
  std::vector<std::thread> ts = FireUpdates(6, &statuses, &done);

  // 2 handlers hold the 2 connections; 4 wait for the pool, visibly.
  ASSERT_TRUE(Eventually([&] {
    return MiniboxLockWaiters() == pool_ || done.load() > 0;
  }));
  bool saw_pending = Eventually([&] {
    return Metric(M("hikari_pending_count")) == 4 || done.load() > 0;
  });
  EXPECT_TRUE(saw_pending);
  EXPECT_EQ(Metric(M("hikari_active_count")), pool_);
  EXPECT_EQ(Metric(M("hikari_max_size")), pool_);
  EXPECT_LE(MiniboxConnections(), pool_);

  // After the timeout the 4 waiters get 503 while the lock is still held.
  ASSERT_TRUE(Eventually([&] { return done.load() == 4; }));
  lock.Release();
  for (std::thread& t : ts) t.join();
  int ok = 0, unavailable = 0;
  for (int s : statuses) {
    ok += s == 200;
    unavailable += s == 503;
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(unavailable, 4);
  EXPECT_EQ(Metric(M("hikari_timeout_total")), 4);
  EXPECT_GE(Metric(M("hikari_acquire_wait_seconds_count")) - waits_before, 6);
  EXPECT_EQ(Metric(M("hikari_pending_count")), 0);
  testing::HttpResponse m = Get("/metrics");
  EXPECT_THAT(m.body, ::testing::HasSubstr(R"(method="PUT",route="/:type/:id",status="503")"));
  EXPECT_LE(MiniboxConnections(), pool_);
}

}  // namespace
}  // namespace gop::minibox
