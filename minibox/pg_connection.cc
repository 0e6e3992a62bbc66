#include "absl/strings/string_view.h"
#include "minibox/pg_connection.h"

#include <poll.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace gop::minibox {

int PgResult::affected() const {
  const char* n = PQcmdTuples(res_.get());
  return (n == nullptr || *n == '\0') ? 0 : std::atoi(n);
}

absl::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Connect(
    const PgConnectParams& p) {
  std::string port = std::to_string(p.port);
  std::string timeout = std::to_string(p.connect_timeout_seconds);
  // Keyword arrays, not a conninfo string: nothing needs quoting.
  const char* keys[] = {"host",    "port",     "dbname",           "user",
                        "password", "application_name", "connect_timeout", "options",
                        nullptr};
  const char* values[] = {p.host.c_str(),     port.c_str(),
                          p.dbname.c_str(),   p.user.c_str(),
                          p.password.c_str(), p.application_name.c_str(),
                          timeout.c_str(),    "-c TimeZone=UTC -c client_min_messages=warning",
                          nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 0);
  if (conn == nullptr) return absl::ResourceExhaustedError("libpq: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg(absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn)));
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL at ", p.host,
                                               ":", p.port, ": ", msg));
  }
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() { PQfinish(conn_); }

absl::Status PgConnection::ErrorFrom(PGresult* res, absl::string_view what) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state != nullptr ? state : "";
  std::string msg(absl::StripTrailingAsciiWhitespace(
      res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn_)));
  if (msg.empty()) msg = PQerrorMessage(conn_);
  if (res != nullptr) PQclear(res);
  if (broken()) {
    return absl::UnavailableError(absl::StrCat("database connection lost: ", msg));
  }
  if (last_sqlstate_ == kUniqueViolation) return absl::AlreadyExistsError(msg);
  // Class 08 (connection exception) and 57P (operator intervention: shutdown).
  if (last_sqlstate_.rfind("08", 0) == 0 || last_sqlstate_.rfind("57P", 0) == 0) {
    return absl::UnavailableError(absl::StrCat("database unavailable: ", msg));
  }
  // Class 22 (data exception): a value PostgreSQL refuses, e.g. "\u0000" in jsonb.
  if (last_sqlstate_.rfind("22", 0) == 0) return absl::InvalidArgumentError(msg);
  return absl::InternalError(absl::StrCat(what, " failed [", last_sqlstate_, "]: ", msg));
}

absl::StatusOr<PgResult> PgConnection::Exec(const std::string& sql,
                                            const std::vector<const char*>& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = absl::StrCat("s", prepared_.size());
    PGresult* res = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
    if (res == nullptr || PQresultStatus(res) != PGRES_COMMAND_OK) {
      return ErrorFrom(res, "prepare");
    }
    PQclear(res);
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  PGresult* res = PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()),
                                 params.data(), nullptr, nullptr, 0);
  ExecStatusType st = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) return ErrorFrom(res, "query");
  last_sqlstate_.clear();
  return PgResult(res);
}

absl::Status PgConnection::ExecSimple(const std::string& sql) {
  PGresult* res = PQexec(conn_, sql.c_str());
  ExecStatusType st = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) return ErrorFrom(res, sql);
  PQclear(res);
  last_sqlstate_.clear();
  return absl::OkStatus();
}

bool PgConnection::DiedWhileIdle() {
  if (broken()) return true;
  pollfd pfd{PQsocket(conn_), POLLIN, 0};
  if (poll(&pfd, 1, 0) <= 0) return false;
  // Readable while idle: a termination notice or EOF (or a harmless notice).
  if (PQconsumeInput(conn_) == 0) return true;
  while (PGnotify* n = PQnotifies(conn_)) PQfreemem(n);
  return broken();
}

bool PgConnection::in_transaction() const {
  PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

}  // namespace gop::minibox
