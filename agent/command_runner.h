#ifndef GOP_AGENT_COMMAND_RUNNER_H_
#define GOP_AGENT_COMMAND_RUNNER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gop {

// What to run. No shell is involved: argv[0] is looked up in the PATH of the
// child's environment (after `env` is applied) unless it contains a '/'.
struct CommandSpec {
  std::vector<std::string> argv;

  // Environment: the parent's (unless clear_env), minus `unset_env`, plus
  // `env` (later entries win).
  bool clear_env = false;
  std::vector<std::string> unset_env;
  std::vector<std::pair<std::string, std::string>> env;

  std::string working_dir;  // "" = the parent's

  // Run(): the child (and its process group) gets SIGTERM when this passes,
  // then SIGKILL after `kill_grace`. Ignored by StartBackground().
  absl::Duration timeout = absl::Minutes(5);
  absl::Duration kill_grace = absl::Seconds(5);

  // Run(): how much of the end of stdout and stderr to keep, in bytes each.
  size_t output_tail_bytes = 64 * 1024;

  // StartBackground(): where the child's stdout and stderr go (appended);
  // "" = /dev/null. Run() always captures them through pipes.
  std::string output_path;

  // Optional hooks applied in the child between fork and exec, for the
  // process target driver: CPU affinity (core ids; empty = inherit) and a
  // cgroup to join (path of its `cgroup.procs`; the child writes "0" into it,
  // which moves itself, so it never runs a cycle outside the cgroup).
  std::vector<int> cpu_affinity;
  std::string join_cgroup_procs;

  // The child leads a new process group, so a timeout or Stop() also reaches
  // its own children (a compose plugin, a shell's jobs).
  bool new_process_group = true;

  // Kill the child (SIGKILL) when the thread that started it dies, even by
  // `kill -9` of this process, so a dead agent leaves no target behind.
  // Start and stop such a child from one long-lived thread.
  bool die_with_parent = false;
};

// How a command ended.
struct CommandResult {
  int exit_code = -1;        // valid when term_signal == 0
  int term_signal = 0;       // signal that ended it, 0 = exited
  bool timed_out = false;    // we killed it because CommandSpec::timeout passed
  std::string stdout_tail;   // last output_tail_bytes of stdout
  std::string stderr_tail;   // last output_tail_bytes of stderr

  bool ok() const { return term_signal == 0 && exit_code == 0 && !timed_out; }
  // "exit code 3", "killed by signal 9", "timed out after 5s (killed by signal 15)".
  std::string Describe() const;
};

// A long-running child started by CommandRunner::StartBackground(). Not
// thread-safe: one owner drives it. The destructor stops the child (SIGTERM,
// then SIGKILL) if it is still running, so none outlives its owner.
class BackgroundProcess {
 public:
  virtual ~BackgroundProcess() = default;

  virtual pid_t pid() const = 0;

  // Reaps the child if it has exited; true while it runs.
  virtual bool Running() = 0;

  // Waits up to `timeout` for the child to exit by itself. DeadlineExceeded
  // if it is still running then.
  virtual absl::StatusOr<CommandResult> Wait(absl::Duration timeout) = 0;

  // SIGTERM to the child (its process group when it leads one), SIGKILL
  // after `grace`, then reaps it. Idempotent: returns the first ending.
  virtual absl::StatusOr<CommandResult> Stop(absl::Duration grace) = 0;
};

// Runs external commands. The real one forks and execs; tests of code that
// only needs canned answers may substitute their own.
class CommandRunner {
 public:
  virtual ~CommandRunner() = default;

  // Runs to completion (or timeout), stdin from /dev/null, capturing the
  // tail of stdout and stderr. A non-zero exit is not an error here (it is in
  // the result); errors are failures to start it at all (NotFound for a
  // missing program, Internal for fork/exec failures).
  virtual absl::StatusOr<CommandResult> Run(const CommandSpec& spec) = 0;

  // Starts a child that keeps running; stdin from /dev/null, stdout and
  // stderr to spec.output_path.
  virtual absl::StatusOr<std::unique_ptr<BackgroundProcess>> StartBackground(
      const CommandSpec& spec) = 0;
};

// fork/exec on this host. Thread-safe; children are reaped by pid only.
class PosixCommandRunner : public CommandRunner {
 public:
  absl::StatusOr<CommandResult> Run(const CommandSpec& spec) override;
  absl::StatusOr<std::unique_ptr<BackgroundProcess>> StartBackground(
      const CommandSpec& spec) override;
};

// The last `max_lines` lines of `text` (a trailing newline does not count as
// an extra empty line).
std::string LastLines(const std::string& text, int max_lines);

// The last `max_lines` lines of the file at `path`, reading at most its last
// `max_bytes`; "" when it cannot be read.
std::string FileTail(const std::string& path, int max_lines,
                     size_t max_bytes = 256 * 1024);

}  // namespace gop

#endif  // GOP_AGENT_COMMAND_RUNNER_H_
