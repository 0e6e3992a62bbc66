#ifndef GOP_MINIBOX_PG_CONNECTION_H_
#define GOP_MINIBOX_PG_CONNECTION_H_

#include <libpq-fe.h>

#include <memory>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace gop::minibox {

struct PgConnectParams {
  std::string host;
  int port = 5432;
  std::string dbname;
  std::string user;
  std::string password;
  std::string application_name = "minibox";
  int connect_timeout_seconds = 5;
};

// A query result (text format). Move-only; frees the PGresult.
class PgResult {
 public:
  explicit PgResult(PGresult* res) : res_(res, &PQclear) {}
  int rows() const { return PQntuples(res_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }
  absl::string_view Get(int row, int col) const {
    return absl::string_view(PQgetvalue(res_.get(), row, col),
                            PQgetlength(res_.get(), row, col));
  }
  // Rows changed by INSERT/UPDATE/DELETE without RETURNING.
  int affected() const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> res_;
};

// SQLSTATE of the last failure, for callers that react to specific errors.
inline constexpr absl::string_view kUniqueViolation = "23505";

// One libpq connection, used by one thread at a time (handed out by PgPool).
// Statements are prepared once per connection, keyed by their SQL text, and always run
// with parameters: values never become SQL text.
class PgConnection {
 public:
  static absl::StatusOr<std::unique_ptr<PgConnection>> Connect(const PgConnectParams& params);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs `sql` with text parameters ($1..$n; nullptr = NULL). Errors: Unavailable when
  // the connection broke (then broken() is true), AlreadyExists on unique violation,
  // Internal otherwise (message carries the SQLSTATE and server message).
  absl::StatusOr<PgResult> Exec(const std::string& sql,
                                const std::vector<const char*>& params = {});
  // Simple-protocol statement without parameters (BEGIN, COMMIT, DDL).
  absl::Status ExecSimple(const std::string& sql);

  // SQLSTATE of the last failed statement ("" when none).
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }
  // True when the server closed the connection while it sat idle (restart, terminate):
  // cheap non-blocking check made before handing out an idle connection.
  bool DiedWhileIdle();
  // Inside a transaction block (or a failed one).
  bool in_transaction() const;
  // Server process id (pg_stat_activity.pid).
  int backend_pid() const { return PQbackendPID(conn_); }

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  absl::Status ErrorFrom(PGresult* res, absl::string_view what);

  PGconn* conn_;
  absl::flat_hash_map<std::string, std::string> prepared_;  // SQL text -> statement name
  std::string last_sqlstate_;
};

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_PG_CONNECTION_H_
