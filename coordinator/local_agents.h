#ifndef GOP_COORDINATOR_LOCAL_AGENTS_H_
#define GOP_COORDINATOR_LOCAL_AGENTS_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/command_runner.h"

namespace gop {

// Splits `cpus` into `n` disjoint, contiguous sets as evenly as possible.
// Fails when there are fewer CPUs than agents.
absl::StatusOr<std::vector<std::vector<int>>> SplitCpus(const std::vector<int>& cpus, int n);

// gop-agent child processes on this host (--local-agents N), each owning a
// disjoint share of the host's CPUs. Stopped (SIGTERM, then SIGKILL) when
// destroyed.
class LocalAgents {
 public:
  struct Options {
    int count = 0;
    std::string agent_binary;       // gop-agent
    std::string coordinator;        // 127.0.0.1:PORT
    std::string token;
    std::string target_file;        // "" = the agent's default (minibox)
    std::filesystem::path log_dir;  // one log per agent
    std::vector<int> host_cpus;
  };

  static absl::StatusOr<std::unique_ptr<LocalAgents>> Start(const Options& options, CommandRunner* runner);
  ~LocalAgents();

  // Waits up to `grace` for the agents to leave on their own, then stops them.
  void StopAll(absl::Duration grace);
  const std::vector<std::vector<int>>& cpu_sets() const { return cpu_sets_; }

 private:
  LocalAgents() = default;
  std::vector<std::unique_ptr<BackgroundProcess>> processes_;
  std::vector<std::vector<int>> cpu_sets_;
};

// The gop-agent binary next to `coordinator_binary` (same dir, or ../agent/
// in a build tree), or "gop-agent" from PATH.
std::string FindAgentBinary(const std::string& coordinator_binary);

}  // namespace gop

#endif  // GOP_COORDINATOR_LOCAL_AGENTS_H_
