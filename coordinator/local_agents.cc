#include "coordinator/local_agents.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace gop {

absl::StatusOr<std::vector<std::vector<int>>> SplitCpus(const std::vector<int>& cpus, int n) {
  if (n <= 0) return absl::InvalidArgumentError("--local-agents must be at least 1");
  if (static_cast<int>(cpus.size()) < n) {
    return absl::InvalidArgumentError(absl::StrCat("--local-agents ", n, " needs at least ", n,
                                                   " CPUs; this host gives gop ", cpus.size()));
  }
  std::vector<std::vector<int>> sets(n);
  const size_t base = cpus.size() / n;
  const size_t extra = cpus.size() % n;
  size_t next = 0;
  for (int i = 0; i < n; ++i) {
    const size_t take = base + (static_cast<size_t>(i) < extra ? 1 : 0);
    for (size_t k = 0; k < take; ++k) sets[i].push_back(cpus[next++]);
  }
  return sets;
}

std::string FindAgentBinary(const std::string& coordinator_binary) {
  const std::filesystem::path self = std::filesystem::absolute(coordinator_binary).parent_path();
  for (const std::filesystem::path& candidate : {self / "gop-agent", self.parent_path() / "agent" / "gop-agent"}) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "gop-agent";
}

absl::StatusOr<std::unique_ptr<LocalAgents>> LocalAgents::Start(const Options& options, CommandRunner* runner) {
  absl::StatusOr<std::vector<std::vector<int>>> sets = SplitCpus(options.host_cpus, options.count);
  if (!sets.ok()) return sets.status();
  std::unique_ptr<LocalAgents> agents(new LocalAgents());
  agents->cpu_sets_ = *sets;
  std::error_code ec;
  std::filesystem::create_directories(options.log_dir, ec);
  for (int i = 0; i < options.count; ++i) {
    const std::string id = absl::StrCat("local-", i + 1);
    CommandSpec spec;
    spec.argv = {options.agent_binary,
                 absl::StrCat("--coordinator=", options.coordinator),
                 absl::StrCat("--id=", id),
                 absl::StrCat("--cpus=", absl::StrJoin((*sets)[i], ",")),
                 absl::StrCat("--work-dir=", (options.log_dir / id).string()),
                 "--give-up-after-s=30"};
    if (!options.target_file.empty()) spec.argv.push_back(absl::StrCat("--target=", options.target_file));
    // The token goes through the environment, not argv (visible in ps).
    if (!options.token.empty()) spec.env.emplace_back("GOP_TOKEN", options.token);
    spec.output_path = (options.log_dir / (id + ".log")).string();
    spec.timeout = absl::InfiniteDuration();
    spec.die_with_parent = true;  // a killed coordinator leaves no agents behind
    absl::StatusOr<std::unique_ptr<BackgroundProcess>> p = runner->StartBackground(spec);
    if (!p.ok()) {
      return absl::Status(p.status().code(), absl::StrCat("starting local agent ", id, ": ", p.status().message()));
    }
    agents->processes_.push_back(std::move(*p));
  }
  return agents;
}

void LocalAgents::StopAll(absl::Duration grace) {
  const absl::Time deadline = absl::Now() + grace;
  for (auto& p : processes_) {
    const absl::Duration left = std::max(absl::ZeroDuration(), deadline - absl::Now());
    if (p->Running()) p->Wait(left).IgnoreError();
    if (p->Running()) p->Stop(absl::Seconds(5)).IgnoreError();
  }
  processes_.clear();
}

LocalAgents::~LocalAgents() { StopAll(absl::ZeroDuration()); }

}  // namespace gop
