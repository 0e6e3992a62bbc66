#include "coordinator/coordinator_metrics.h"

#include "absl/strings/str_cat.h"
#include "prometheus/exposer.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace gop {

absl::StatusOr<std::unique_ptr<CoordinatorMetrics>> CoordinatorMetrics::Create(const std::string& listen) {
  std::unique_ptr<CoordinatorMetrics> m(new CoordinatorMetrics());
  try {
    m->exposer_ = std::make_unique<prometheus::Exposer>(listen, /*num_threads=*/1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen, ": ", e.what()));
  }
  const std::vector<int> ports = m->exposer_->GetListeningPorts();
  m->port_ = ports.empty() ? 0 : ports.front();
  m->registry_ = std::make_shared<prometheus::Registry>();
  m->cells_ = &prometheus::BuildGauge().Name("gop_cells").Help("Cells of the run by state").Register(*m->registry_);
  m->cells_total_ =
      &prometheus::BuildGauge().Name("gop_cells_total").Help("Cells in the run").Register(*m->registry_);
  m->agents_connected_ =
      &prometheus::BuildGauge().Name("gop_agents_connected").Help("Agents connected now").Register(*m->registry_);
  m->current_cell_ = &prometheus::BuildGauge()
                          .Name("gop_agent_current_cell")
                          .Help("1 for the cell each agent is running")
                          .Register(*m->registry_);
  m->agent_rps_ = &prometheus::BuildGauge()
                       .Name("gop_agent_requests_per_second")
                       .Help("Live request rate of each agent's load")
                       .Register(*m->registry_);
  m->agent_p99_ = &prometheus::BuildGauge()
                       .Name("gop_agent_p99_seconds")
                       .Help("Live p99 latency of each agent's load (last interval)")
                       .Register(*m->registry_);
  m->exposer_->RegisterCollectable(m->registry_);
  return m;
}

CoordinatorMetrics::~CoordinatorMetrics() = default;

void CoordinatorMetrics::Update(const v1::RunStatus& status, int agents_connected) {
  absl::MutexLock lock(&mu_);
  cells_->Add({{"state", "queued"}}).Set(status.cells_queued());
  cells_->Add({{"state", "running"}}).Set(status.cells_running());
  cells_->Add({{"state", "done"}}).Set(status.cells_done());
  cells_->Add({{"state", "failed"}}).Set(status.cells_failed());
  cells_total_->Add({}).Set(status.cells_total());
  agents_connected_->Add({}).Set(agents_connected);
  for (const v1::AgentStatus& a : status.agents()) {
    const std::string& agent = a.agent_id();
    auto it = current_cell_of_.find(agent);
    if (it != current_cell_of_.end() && it->second != a.current_cell_id()) {
      current_cell_->Remove(&current_cell_->Add({{"agent", agent}, {"cell", it->second}}));
      current_cell_of_.erase(it);
    }
    if (!a.current_cell_id().empty()) {
      current_cell_->Add({{"agent", agent}, {"cell", a.current_cell_id()}}).Set(1);
      current_cell_of_[agent] = a.current_cell_id();
    }
    agent_rps_->Add({{"agent", agent}}).Set(a.requests_per_second());
    agent_p99_->Add({{"agent", agent}}).Set(a.p99_us() / 1e6);
  }
}

}  // namespace gop
