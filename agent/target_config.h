#ifndef GOP_AGENT_TARGET_CONFIG_H_
#define GOP_AGENT_TARGET_CONFIG_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agent/compose_driver.h"

namespace gop {

// The agent's local target.yaml, parsed and validated. (The per-cell numbers
// are `TargetConfig` in target_driver.h; this is what the agent's owner
// configures once: what to run and how to reach it.)
//
//   kind: process            # process | compose | external
//   process:                 # settings of the chosen kind, in a section of its name
//     command: [/opt/gop/minibox, --flag]   # or one string split on spaces
//     env: {BOX_DB_HOST: 127.0.0.1, BOX_DB_PORT: 5432}
//     port: 0                # 0 = a free port, passed as BOX_WEB_PORT
//     health_timeout: 60s    # or a number of seconds
//     reset_data: true
//   compose: {dir: /srv/gop/compose, ...}   # see ParseComposeDriverConfig
//   external: {url: http://10.0.0.5:8080/fhir, auth: "basic:u:s"}
//
// Sections for kinds other than the chosen one are validated too (so a
// switch of `kind` does not uncover old mistakes) but otherwise unused.

enum class TargetKind { kProcess, kCompose, kExternal };
absl::string_view TargetKindName(TargetKind kind);

// `process:`: a command the agent starts per cell (default: minibox).
struct ProcessTargetSettings {
  // argv; empty = minibox found next to the agent (see ResolveTargetCommand).
  std::vector<std::string> command;
  // Extra environment (BOX_DB_HOST, ...); the cell's BOX_WEB_THREAD,
  // BOX_DB_POOL_MAXIMUM_POOL_SIZE, BOX_INSTANCE_NAME and BOX_WEB_PORT win
  // over these.
  std::vector<std::pair<std::string, std::string>> env;
  std::string working_dir;  // "" = the agent's
  // Where the target listens; port 0 = a free loopback port per start.
  std::string host = "127.0.0.1";
  int port = 0;
  std::string health_path = "/health";
  std::string base_path = "/fhir";  // FHIR base handed to the load generator
  // Used when Start() is given a zero health timeout.
  absl::Duration health_timeout = absl::Seconds(60);
  // SIGTERM, then SIGKILL after this.
  absl::Duration stop_grace = absl::Seconds(10);
  // Truncate every table in the `public` schema of the BOX_DB_* database
  // before each start, so cells do not see each other's data.
  bool reset_data = false;
  // "" | "basic:USER:SECRET" | "bearer:TOKEN". Empty with BOX_ROOT_CLIENT_SECRET
  // in env means "basic:root:<secret>" (minibox's root client).
  std::string auth;
  // Where target logs go; "" = a fresh directory under $TMPDIR.
  std::string work_dir;
  // How the CPU limit is applied: "auto" (cgroup2, cgroup1, then affinity),
  // or one of "cgroup2", "cgroup1", "affinity" to allow only that.
  std::string cpu_limit = "auto";
  // Also pin the target to the agent's own CPU set (local agents split the
  // host's cores between them).
  bool pin_to_agent_cpus = true;
};

// `external:`: a running server gop neither starts nor reconfigures.
struct ExternalTargetSettings {
  std::string url;   // FHIR base, http://
  std::string auth;  // as ProcessTargetSettings::auth
};

struct TargetSettings {
  TargetKind kind = TargetKind::kProcess;
  ProcessTargetSettings process;
  ComposeDriverConfig compose;  // meaningful when kind == kCompose
  ExternalTargetSettings external;
};

// Parses target.yaml text. Every problem is reported in one InvalidArgument,
// one per line as "<file_name>:LINE:COLUMN: message", sorted by position.
absl::StatusOr<TargetSettings> ParseTargetSettings(absl::string_view yaml_text,
                                                   absl::string_view file_name);

// Reads and parses the file at `path`.
absl::StatusOr<TargetSettings> LoadTargetSettings(const std::string& path);

// True for "", "basic:USER:SECRET" (USER non-empty) and "bearer:TOKEN".
bool IsValidAuth(absl::string_view auth);

}  // namespace gop

#endif  // GOP_AGENT_TARGET_CONFIG_H_
