#ifndef GOP_TESTS_CTL_CHILD_PROCESS_H_
#define GOP_TESTS_CTL_CHILD_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gop::testing {

// A child process whose stdout and stderr go into one pipe that the test
// reads. Every wait is bounded; the destructor kills a child still running.
class ChildProcess {
 public:
  // Environment changes on top of the test's own: a value sets, nullopt unsets.
  using EnvChanges = std::map<std::string, std::optional<std::string>>;

  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv,
                                                             const EnvChanges& env = {});
  ~ChildProcess();

  // Reads until the output so far contains `text`; false on EOF or timeout.
  bool WaitForOutput(const std::string& text, absl::Duration timeout);
  void Signal(int signal);
  // Reads all output and reaps the child: its exit code, or 128 + signal.
  // Kills it (SIGKILL) when it runs past `timeout`, and says so.
  absl::StatusOr<int> Wait(absl::Duration timeout);
  const std::string& output() const { return output_; }

 private:
  ChildProcess(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  // Appends what is readable within `timeout`; false at EOF.
  bool ReadSome(absl::Duration timeout);

  pid_t pid_;
  int fd_;
  bool reaped_ = false;
  std::string output_;
};

// Starts, waits (bounded) and returns {exit code, output}.
struct ProcessResult {
  int exit_code = -1;
  std::string output;
};
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         const ChildProcess::EnvChanges& env = {},
                                         absl::Duration timeout = absl::Seconds(60));

}  // namespace gop::testing

#endif  // GOP_TESTS_CTL_CHILD_PROCESS_H_
