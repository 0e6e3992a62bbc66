#ifndef GOP_AGENT_CPU_LIMITER_H_
#define GOP_AGENT_CPU_LIMITER_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/command_runner.h"

namespace gop {

// Throttling counters of a CFS bandwidth-limited cgroup (its cpu.stat).
struct CpuThrottling {
  int64_t periods = 0;            // enforcement periods with activity
  int64_t throttled_periods = 0;  // periods in which the quota ran out
  double throttled_seconds = 0;   // total time the group was held back
};

// One CPU limit, set up for one target process before it starts. Typical
// use: limiter.Limit(...), ApplyTo(&spec), runner.StartBackground(spec),
// Attach(pid), CpuSecondsUsed()*, stop and reap the process, Release().
// Not thread-safe: one owner drives it.
class CpuLimit {
 public:
  virtual ~CpuLimit() = default;

  // "cgroup2", "cgroup1", "affinity", or "none" (no limit asked for).
  virtual std::string mechanism() const = 0;
  // Why the limit is weaker than asked (e.g. the affinity fallback rounds
  // 0.5 CPU up to a whole core). Empty when it is exactly as asked.
  virtual std::vector<std::string> warnings() const = 0;

  // Sets the pre-exec hooks of `spec` (cgroup to join, CPUs to run on), so
  // the child is limited before it runs a single instruction of the target.
  virtual void ApplyTo(CommandSpec* spec) const = 0;

  // After the child started: moves it into hierarchies the pre-exec hook
  // cannot reach (cgroup v1 cpuacct mounted apart from cpu) and remembers it
  // for /proc accounting.
  virtual absl::Status Attach(pid_t pid) = 0;

  // CPU seconds the target (and its descendants) used since it started:
  // cgroup accounting where there is a cgroup, else /proc/<pid>/stat
  // (utime + stime + reaped children), which only works while it runs.
  virtual absl::StatusOr<double> CpuSecondsUsed() = 0;

  // The cgroup's throttling counters; Unavailable without a cgroup.
  virtual absl::StatusOr<CpuThrottling> Throttling() const = 0;

  // The cgroup directory holding the target ("" without one).
  virtual std::string cgroup_dir() const = 0;

  // Removes the cgroup(s). Call after the target has been reaped (a cgroup
  // with processes cannot be removed). Idempotent; the destructor calls it
  // too, ignoring errors.
  virtual absl::Status Release() = 0;
};

// Sets up CPU limits for target processes.
class CpuLimiter {
 public:
  virtual ~CpuLimiter() = default;

  // A limit of `cpus` cores (fractional allowed; <= 0 = unlimited) for a
  // process to be named after `name` (e.g. the cell id; sanitized). The
  // target also runs only on `cpu_set` (core ids) when it is not empty.
  virtual absl::StatusOr<std::unique_ptr<CpuLimit>> Limit(double cpus,
                                                          const std::vector<int>& cpu_set,
                                                          absl::string_view name) = 0;

  // Removes limits left behind by agents that died without cleaning up
  // (kill -9), killing the targets still running in them. Returns how many
  // were removed. Call once at agent start.
  virtual absl::StatusOr<int> CleanUpStale() { return 0; }
};

struct CpuLimiterOptions {
  // Which mechanisms may be used, tried in this order. With both cgroup
  // versions off (or unusable) the limit falls back to CPU affinity with a
  // loud warning: sched_setaffinity to ceil(cpus) CPUs.
  bool allow_cgroup2 = true;
  bool allow_cgroup1 = true;
  // Where to find the cgroup mounts and the agent's own cgroups; tests point
  // these at a fake tree.
  std::string mountinfo_path = "/proc/self/mountinfo";
  std::string self_cgroup_path = "/proc/self/cgroup";
  // Directory created under the agent's own cgroup (in each hierarchy) that
  // holds one child cgroup per target. Several agents may share it.
  std::string parent_name = "gop";
  // CFS period; the quota is cpus x period (at least 1 ms).
  int64_t period_us = 100000;
};

// Limits through the kernel: cgroup v2 `cpu.max` where the cpu controller
// is available in the unified hierarchy, else cgroup v1 `cpu.cfs_quota_us`
// (with `cpuacct.usage` for accounting), else CPU affinity. Each failed
// attempt's reason is kept in the warnings of an affinity fallback.
// Thread-safe (child cgroup names are unique per call).
class SystemCpuLimiter : public CpuLimiter {
 public:
  explicit SystemCpuLimiter(CpuLimiterOptions options = {});

  absl::StatusOr<std::unique_ptr<CpuLimit>> Limit(double cpus, const std::vector<int>& cpu_set,
                                                  absl::string_view name) override;
  // Child cgroups are named "<name>-<agent pid>-<n>": those whose agent pid
  // is gone are stale.
  absl::StatusOr<int> CleanUpStale() override;

  const CpuLimiterOptions& options() const { return options_; }

 private:
  const CpuLimiterOptions options_;
};

// The CPUs this process may run on (sched_getaffinity), ascending.
std::vector<int> CurrentCpuSet();

// Where a cgroup hierarchy of this process lives: the directory of the
// process's own cgroup in it. Empty `controller` = the unified (v2)
// hierarchy. NotFound when it is not mounted.
absl::StatusOr<std::string> OwnCgroupDir(const std::string& mountinfo_path,
                                         const std::string& self_cgroup_path,
                                         absl::string_view controller);

}  // namespace gop

#endif  // GOP_AGENT_CPU_LIMITER_H_
