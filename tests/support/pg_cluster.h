#ifndef GOP_TESTS_SUPPORT_PG_CLUSTER_H_
#define GOP_TESTS_SUPPORT_PG_CLUSTER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace gop::testing {

// Where a test's PostgreSQL listens. Trust auth: no password.
struct PgConnInfo {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string user = "postgres";
  std::string dbname = "postgres";

  // libpq key=value form, e.g. "host=127.0.0.1 port=5432 user=postgres dbname=x".
  std::string ConnString() const;
};

// The cluster shared by this test process. Uses $GOP_TEST_PG_DIR (the ctest fixture's
// cluster, started there by scripts/pg-cluster.sh if not yet running); otherwise starts a
// private cluster on first use, stopped at process exit. Thread-safe.
absl::StatusOr<PgConnInfo> SharedPgCluster();

// A fresh, empty database on the shared cluster with a unique name starting with
// `prefix` (lower-cased, non [a-z0-9_] replaced by '_'). Never dropped: the cluster is
// throwaway.
absl::StatusOr<PgConnInfo> CreateTestDatabase(std::string_view prefix);

// Runs one SQL statement (no parameters) and returns the first column of every row.
// For test assertions (pg_stat_activity, EXPLAIN, counts).
absl::StatusOr<std::vector<std::string>> QueryColumn(const PgConnInfo& conn,
                                                     const std::string& sql);

// A cluster owned by one test (for tests that restart or stop PostgreSQL, which must not
// disturb the shared one). Stopped and removed in the destructor.
class PrivatePgCluster {
 public:
  static absl::StatusOr<std::unique_ptr<PrivatePgCluster>> Start();
  ~PrivatePgCluster();
  PrivatePgCluster(const PrivatePgCluster&) = delete;
  PrivatePgCluster& operator=(const PrivatePgCluster&) = delete;

  PgConnInfo conn_info() const { return info_; }
  // pg_ctl stop / start on the same port and data.
  absl::Status Stop();
  absl::Status Restart();

 private:
  PrivatePgCluster(std::string dir, PgConnInfo info) : dir_(std::move(dir)), info_(info) {}
  std::string dir_;
  PgConnInfo info_;
};

}  // namespace gop::testing

#endif  // GOP_TESTS_SUPPORT_PG_CLUSTER_H_
