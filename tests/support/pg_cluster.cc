#include "tests/support/pg_cluster.h"

#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"

namespace gop::testing {
namespace {

std::string ScriptPath() {
  const char* src = std::getenv("GOP_SOURCE_DIR");
  return absl::StrCat(src != nullptr ? src : GOP_SOURCE_DIR, "/scripts/pg-cluster.sh");
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

absl::Status RunScript(const std::string& verb, const std::string& dir) {
  std::string cmd =
      absl::StrCat(ShellQuote(ScriptPath()), " ", verb, " ", ShellQuote(dir), " >&2");
  int rc = std::system(cmd.c_str());
  if (rc != 0) {
    return absl::InternalError(absl::StrCat("`", cmd, "` failed with status ", rc));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ReadPort(const std::string& dir) {
  std::ifstream in(dir + "/port");
  int port = 0;
  if (!(in >> port) || port <= 0) {
    return absl::NotFoundError(absl::StrCat("no port file in ", dir));
  }
  return port;
}

absl::StatusOr<std::string> MakeTempDir() {
  // Directly under /tmp so the postgres user can traverse to it.
  std::string tmpl = "/tmp/gop-pg-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    return absl::InternalError("mkdtemp failed");
  }
  chmod(tmpl.c_str(), 0755);
  return tmpl;
}

std::string& PrivateDir() {
  static std::string* dir = new std::string();  // never destroyed: used by atexit
  return *dir;
}

void StopPrivateCluster() {
  if (!PrivateDir().empty()) {
    RunScript("stop", PrivateDir()).IgnoreError();
  }
}

absl::StatusOr<PgConnInfo> StartShared() {
  const char* env_dir = std::getenv("GOP_TEST_PG_DIR");
  std::string dir;
  if (env_dir != nullptr && *env_dir != '\0') {
    dir = env_dir;
    if (!ReadPort(dir).ok()) {
      // Run outside the ctest fixture: start (idempotently) the cluster it names.
      if (absl::Status s = RunScript("start", dir); !s.ok()) return s;
    }
  } else {
    absl::StatusOr<std::string> tmp = MakeTempDir();
    if (!tmp.ok()) return tmp.status();
    dir = *tmp;
    PrivateDir() = dir;
    if (absl::Status s = RunScript("start", dir); !s.ok()) return s;
    std::atexit(StopPrivateCluster);
  }
  absl::StatusOr<int> port = ReadPort(dir);
  if (!port.ok()) return port.status();
  PgConnInfo info;
  info.port = *port;
  return info;
}

}  // namespace

std::string PgConnInfo::ConnString() const {
  return absl::StrCat("host=", host, " port=", port, " user=", user, " dbname=", dbname,
                      " connect_timeout=10");
}

absl::StatusOr<PgConnInfo> SharedPgCluster() {
  static absl::Mutex* mu = new absl::Mutex();
  static auto* shared = new absl::StatusOr<PgConnInfo>(absl::UnknownError("unset"));
  static bool started = false;
  absl::MutexLock lock(mu);
  if (!started) {
    *shared = StartShared();
    started = true;
  }
  return *shared;
}

absl::StatusOr<std::vector<std::string>> QueryColumn(const PgConnInfo& info,
                                                     const std::string& sql) {
  PGconn* conn = PQconnectdb(info.ConnString().c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("connect: ", msg));
  }
  PGresult* res = PQexec(conn, sql.c_str());
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    std::string msg = PQerrorMessage(conn);
    PQclear(res);
    PQfinish(conn);
    return absl::InternalError(absl::StrCat(sql, ": ", msg));
  }
  std::vector<std::string> rows;
  if (st == PGRES_TUPLES_OK) {
    for (int i = 0; i < PQntuples(res); ++i) rows.emplace_back(PQgetvalue(res, i, 0));
  }
  PQclear(res);
  PQfinish(conn);
  return rows;
}

absl::StatusOr<PgConnInfo> CreateTestDatabase(std::string_view prefix) {
  absl::StatusOr<PgConnInfo> shared = SharedPgCluster();
  if (!shared.ok()) return shared.status();
  static std::atomic<int> counter{0};
  std::string name;
  for (char c : absl::AsciiStrToLower(std::string(prefix))) {
    name += (absl::ascii_isalnum(c) || c == '_') ? c : '_';
  }
  if (name.empty() || absl::ascii_isdigit(name[0])) name = "t_" + name;
  name = name.substr(0, 40);
  std::random_device rd;
  absl::StrAppend(&name, "_", getpid(), "_", counter++, "_", rd() % 100000);
  absl::StatusOr<std::vector<std::string>> r =
      QueryColumn(*shared, absl::StrCat("CREATE DATABASE \"", name, "\""));
  if (!r.ok()) return r.status();
  PgConnInfo info = *shared;
  info.dbname = name;
  return info;
}

absl::StatusOr<std::unique_ptr<PrivatePgCluster>> PrivatePgCluster::Start() {
  absl::StatusOr<std::string> dir = MakeTempDir();
  if (!dir.ok()) return dir.status();
  if (absl::Status s = RunScript("start", *dir); !s.ok()) return s;
  absl::StatusOr<int> port = ReadPort(*dir);
  if (!port.ok()) return port.status();
  PgConnInfo info;
  info.port = *port;
  return std::unique_ptr<PrivatePgCluster>(new PrivatePgCluster(*dir, info));
}

PrivatePgCluster::~PrivatePgCluster() { RunScript("stop", dir_).IgnoreError(); }

absl::Status PrivatePgCluster::Stop() { return RunScript("halt", dir_); }

absl::Status PrivatePgCluster::Restart() { return RunScript("start", dir_); }

}  // namespace gop::testing
