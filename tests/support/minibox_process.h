#ifndef GOP_TESTS_SUPPORT_MINIBOX_PROCESS_H_
#define GOP_TESTS_SUPPORT_MINIBOX_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/support/pg_cluster.h"

namespace gop::testing {

struct MiniboxProcessOptions {
  PgConnInfo db;                  // BOX_DB_HOST/PORT/DATABASE/USER
  int web_threads = 4;            // BOX_WEB_THREAD
  int pool_size = 8;              // BOX_DB_POOL_MAXIMUM_POOL_SIZE
  int pool_timeout_ms = 30000;    // BOX_DB_POOL_CONNECTION_TIMEOUT
  int port = 0;                   // BOX_WEB_PORT; 0 = ephemeral
  // More variables, e.g. BOX_ROOT_CLIENT_SECRET, BOX_METRICS_PORT; override the above.
  std::map<std::string, std::string> extra_env;
  // Default: $GOP_BINARY_DIR/minibox/minibox (env var, else the compile-time value).
  std::string binary;
  absl::Duration startup_timeout = absl::Seconds(60);
};

// The real minibox binary as a child process. Start() returns once it printed its
// "minibox listening on ..." line and /health answered 200. The destructor sends
// SIGTERM (SIGKILL after 10 s) and reaps it. The child's stdout and stderr go to this
// process's stderr. Not thread-safe.
class MiniboxProcess {
 public:
  static absl::StatusOr<std::unique_ptr<MiniboxProcess>> Start(
      const MiniboxProcessOptions& options);
  ~MiniboxProcess();
  MiniboxProcess(const MiniboxProcess&) = delete;
  MiniboxProcess& operator=(const MiniboxProcess&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" (append "/fhir/Patient" etc.).
  std::string base_url() const;
  pid_t pid() const { return pid_; }

  // SIGTERM, then waits up to `timeout`; returns the exit code (128+signal if killed).
  absl::StatusOr<int> Stop(absl::Duration timeout = absl::Seconds(10));

  // The path Start() uses when options.binary is empty.
  static std::string DefaultBinary();

 private:
  MiniboxProcess() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  int stdout_fd_ = -1;
  std::thread drainer_;
};

// Runs minibox with exactly `env` (plus PATH) and waits for it to exit; returns the exit
// code and everything it printed (stdout + stderr). For configuration-error tests.
struct ProcessOutcome {
  int exit_code = -1;
  std::string output;
};
absl::StatusOr<ProcessOutcome> RunMiniboxToExit(const std::map<std::string, std::string>& env,
                                                absl::Duration timeout = absl::Seconds(30));

}  // namespace gop::testing

#endif  // GOP_TESTS_SUPPORT_MINIBOX_PROCESS_H_
