#ifndef GOP_AGENT_AGENT_METRICS_H_
#define GOP_AGENT_AGENT_METRICS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "agent/cell_executor.h"

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace gop {

// An agent's own /metrics (gop-agent --metrics-listen), what a Prometheus on
// the agent's host sees even when the coordinator is far away:
//   gop_agent_phase{agent,cell}             the running cell's phase (gop.v1.Phase number)
//   gop_agent_live_requests_per_second{agent}
//   gop_agent_live_p99_seconds{agent}
//   gop_agent_cells_total{agent,outcome="ok|failed"}
// It wraps the agent's CellExecutor, so the agent itself knows nothing of it.
class MeteredExecutor : public CellExecutor {
 public:
  // Serves /metrics on `listen` ("HOST:PORT"). `inner` must outlive this.
  static absl::StatusOr<std::unique_ptr<MeteredExecutor>> Create(const std::string& listen,
                                                                 const std::string& agent_id, CellExecutor* inner);
  ~MeteredExecutor() override;

  v1::CellResult Execute(const v1::Assign& assign, ProgressSink* progress,
                         const std::atomic<bool>* cancelled) override;

 private:
  class Impl;
  explicit MeteredExecutor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gop

#endif  // GOP_AGENT_AGENT_METRICS_H_
