#ifndef GOP_AGENT_PROCESS_DRIVER_H_
#define GOP_AGENT_PROCESS_DRIVER_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/command_runner.h"
#include "agent/cpu_limiter.h"
#include "agent/target_config.h"
#include "agent/target_driver.h"

namespace gop {

// What a ProcessDriver needs from its surroundings. The pointers must
// outlive the driver.
struct ProcessDriverDeps {
  CommandRunner* runner = nullptr;
  // In production: SystemCpuLimiter(CpuLimiterOptionsFor(settings)), so
  // that target.yaml's `cpu_limit:` choice is honoured.
  CpuLimiter* cpu_limiter = nullptr;
  // The agent's share of the host's cores; empty = every core the agent may
  // use. The target is pinned to it when settings.pin_to_agent_cpus.
  std::vector<int> cpu_set;
};

// The limiter options that process.cpu_limit asks for: "auto" tries
// cgroup2, cgroup1, then affinity; "cgroup2"/"cgroup1" allow only that
// version (Start() fails when it is unusable); "affinity" skips cgroups.
CpuLimiterOptions CpuLimiterOptionsFor(const ProcessTargetSettings& settings);

// The default target command when target.yaml names none: `minibox` next
// to the agent binary (installed layout), `../minibox/minibox` (build
// tree), else `minibox` on PATH. `agent_exe` is the agent's own path
// ("" = /proc/self/exe).
std::vector<std::string> DefaultTargetCommand(const std::string& agent_exe = "");

// A free TCP port on 127.0.0.1 (bound and released; a tiny race remains).
absl::StatusOr<int> PickFreePort();

// Truncates every table in the `public` schema of the database that the
// BOX_DB_* variables in `env` name (libpq; unset ones take libpq's
// defaults).
absl::Status ResetTargetData(const std::vector<std::pair<std::string, std::string>>& env);

// The `process` target: per cell, starts the configured command (default
// minibox) with the cell's BOX_WEB_THREAD, BOX_DB_POOL_MAXIMUM_POOL_SIZE,
// BOX_INSTANCE_NAME and BOX_WEB_PORT, under a CPU limit that is in force
// before the command's first instruction (the child joins its cgroup
// between fork and exec), logs to `<work_dir>/<cell>.log`, and waits for
// GET health_path to answer 200. Stop() sends SIGTERM to the process group,
// SIGKILL after stop_grace, reaps it and removes the cgroup.
// Not thread-safe: the agent drives it from one thread.
class ProcessDriver : public TargetDriver {
 public:
  // Resolves the command (default minibox; InvalidArgument naming the
  // places looked at when there is none) and creates the work dir.
  static absl::StatusOr<std::unique_ptr<ProcessDriver>> Create(ProcessTargetSettings settings,
                                                               ProcessDriverDeps deps);
  // Stops a still running target.
  ~ProcessDriver() override;

  std::string Kind() const override { return "process"; }
  // Stops a target still running from an earlier Start() first. A zero
  // `health_timeout` means settings.health_timeout. On failure the process
  // is gone, the cgroup removed, and the message ends with the log tail.
  absl::StatusOr<TargetInfo> Start(const TargetConfig& config,
                                   absl::Duration health_timeout) override;
  absl::StatusOr<double> CpuSecondsUsed() override;
  std::string LogTail(int max_lines) override;
  absl::Status Stop() override;

  // For tests and diagnostics: the running target's pid (-1 when none), its
  // CPU limit (nullptr when none), the current log file.
  pid_t pid() const;
  const CpuLimit* cpu_limit() const { return limit_.get(); }
  const std::string& log_path() const { return log_path_; }
  const ProcessTargetSettings& settings() const { return settings_; }

 private:
  ProcessDriver(ProcessTargetSettings settings, ProcessDriverDeps deps)
      : settings_(std::move(settings)), deps_(std::move(deps)) {}

  // Polls health until 200, the process exits, or `timeout` passes.
  absl::Status WaitHealthy(const std::string& url, absl::Duration timeout);
  // Stops the process and removes the cgroup; `why` plus the log tail.
  absl::Status FailStart(absl::Status why);

  const ProcessTargetSettings settings_;
  const ProcessDriverDeps deps_;
  std::unique_ptr<BackgroundProcess> process_;
  std::unique_ptr<CpuLimit> limit_;
  std::string log_path_;
  // CPU seconds of the last target, kept after Stop() for late readers.
  double last_cpu_seconds_ = -1;
};

}  // namespace gop

#endif  // GOP_AGENT_PROCESS_DRIVER_H_
