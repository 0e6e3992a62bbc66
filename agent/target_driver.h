#ifndef GOP_AGENT_TARGET_DRIVER_H_
#define GOP_AGENT_TARGET_DRIVER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace gop {

// The configuration one cell asks of the target: numbers only.
struct TargetConfig {
  std::string cell_id;      // e.g. "cpu2_wt3_db4_rep1"
  double cpu_limit = 0;     // cores
  int web_threads = 0;      // BOX_WEB_THREAD
  int db_pool = 0;          // BOX_DB_POOL_MAXIMUM_POOL_SIZE
  // The grid asks for empty data before this cell (drivers that cannot do
  // it ignore it; the agent's own target.yaml may also ask for it always).
  bool reset_data = false;
};

// `cpu_{c}__web_{w}__db_{d}` (cpu printed shortest: 2, 0.5): the seed's name
// for a configuration's instance, used as BOX_INSTANCE_NAME by every driver.
inline std::string InstanceName(const TargetConfig& config) {
  return absl::StrCat("cpu_", config.cpu_limit, "__web_", config.web_threads, "__db_", config.db_pool);
}

// What a started target offers the load generator and the result.
struct TargetInfo {
  std::string base_url;                  // e.g. "http://127.0.0.1:8080/fhir"
  std::string auth;                      // "" or "basic:USER:SECRET" / "bearer:TOKEN"
  std::string cpu_limit_mechanism;       // "cgroup2", "cgroup1", "affinity", "docker", "none"
  std::vector<std::string> warnings;     // e.g. "cgroups not writable, fell back to affinity"
};

// Starts, reconfigures and stops the system under test on the agent's host.
// One driver per agent, chosen by the agent's local target.yaml; the
// coordinator only ever sends numbers. Calls are made from one thread, in
// order: Start, (CpuSecondsUsed)*, Stop. Every call may block (process start,
// health waits): never call it from a gRPC reactor.
class TargetDriver {
 public:
  virtual ~TargetDriver() = default;

  // "process", "compose" or "external": announced to the coordinator.
  virtual std::string Kind() const = 0;

  // (Re)configures and starts the target for one cell and waits until it is
  // healthy or `health_timeout` passes. On failure the status message carries
  // the reason and, where there is one, the tail of the target's log.
  virtual absl::StatusOr<TargetInfo> Start(const TargetConfig& config,
                                           absl::Duration health_timeout) = 0;

  // CPU seconds the target has used since Start (cgroup accounting); an error
  // when the driver cannot tell.
  virtual absl::StatusOr<double> CpuSecondsUsed() = 0;

  // The last lines of the target's log, for a failed cell's result.
  virtual std::string LogTail(int max_lines) = 0;

  // Stops the target after a cell (drivers that keep the target running
  // between cells, as compose does, may do nothing).
  virtual absl::Status Stop() = 0;

  // Once, when the agent exits: drivers that keep the target up between
  // cells (compose) may take it down here if configured to.
  virtual absl::Status Shutdown() { return absl::OkStatus(); }
};

}  // namespace gop

#endif  // GOP_AGENT_TARGET_DRIVER_H_
