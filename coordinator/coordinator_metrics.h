#ifndef GOP_COORDINATOR_COORDINATOR_METRICS_H_
#define GOP_COORDINATOR_COORDINATOR_METRICS_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gop/v1/status.pb.h"

namespace prometheus {
class Exposer;
class Registry;
template <typename T>
class Family;
class Gauge;
}  // namespace prometheus

namespace gop {

// The coordinator's Prometheus metrics, served at /metrics:
//   gop_cells{state="queued|running|done|failed"}, gop_cells_total,
//   gop_agents_connected, gop_agent_current_cell{agent,cell} (1 while running),
//   gop_agent_requests_per_second{agent}, gop_agent_p99_seconds{agent}.
// Thread-safe.
class CoordinatorMetrics {
 public:
  // Serves /metrics on `listen` ("HOST:PORT"; port 0 picks a free one).
  static absl::StatusOr<std::unique_ptr<CoordinatorMetrics>> Create(const std::string& listen);
  ~CoordinatorMetrics();

  void Update(const v1::RunStatus& status, int agents_connected);
  int port() const { return port_; }

 private:
  CoordinatorMetrics() = default;

  std::unique_ptr<prometheus::Exposer> exposer_;
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>* cells_ = nullptr;
  prometheus::Family<prometheus::Gauge>* cells_total_ = nullptr;
  prometheus::Family<prometheus::Gauge>* agents_connected_ = nullptr;
  prometheus::Family<prometheus::Gauge>* current_cell_ = nullptr;
  prometheus::Family<prometheus::Gauge>* agent_rps_ = nullptr;
  prometheus::Family<prometheus::Gauge>* agent_p99_ = nullptr;
  int port_ = 0;

  absl::Mutex mu_;
  // Label set of each agent's current-cell gauge, to remove it when it changes.
  std::map<std::string, std::string> current_cell_of_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gop

#endif  // GOP_COORDINATOR_COORDINATOR_METRICS_H_
