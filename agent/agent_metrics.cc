#include "agent/agent_metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/histogram.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace gop {

class MeteredExecutor::Impl : public ProgressSink {
 public:
  Impl(std::unique_ptr<prometheus::Exposer> exposer, std::string agent_id, CellExecutor* inner)
      : exposer_(std::move(exposer)), agent_id_(std::move(agent_id)), inner_(inner) {
    registry_ = std::make_shared<prometheus::Registry>();
    phase_ = &prometheus::BuildGauge()
                  .Name("gop_agent_phase")
                  .Help("Phase of the cell the agent is running (gop.v1.Phase number)")
                  .Register(*registry_);
    rps_ = &prometheus::BuildGauge()
                .Name("gop_agent_live_requests_per_second")
                .Help("Request rate of the agent's load over the last interval")
                .Register(*registry_)
                .Add({{"agent", agent_id_}});
    p99_ = &prometheus::BuildGauge()
                .Name("gop_agent_live_p99_seconds")
                .Help("p99 latency of the agent's load over the last interval")
                .Register(*registry_)
                .Add({{"agent", agent_id_}});
    cells_ = &prometheus::BuildCounter()
                  .Name("gop_agent_cells_total")
                  .Help("Cells this agent finished, by outcome")
                  .Register(*registry_);
    exposer_->RegisterCollectable(registry_);
  }

  v1::CellResult Execute(const v1::Assign& assign, ProgressSink* progress, const std::atomic<bool>* cancelled) {
    {
      absl::MutexLock lock(&mu_);
      downstream_ = progress;
      cell_gauge_ = &phase_->Add({{"agent", agent_id_}, {"cell", assign.cell().cell_id()}});
    }
    v1::CellResult result = inner_->Execute(assign, this, cancelled);
    absl::MutexLock lock(&mu_);
    phase_->Remove(cell_gauge_);
    cell_gauge_ = nullptr;
    downstream_ = nullptr;
    rps_->Set(0);
    p99_->Set(0);
    cells_->Add({{"agent", agent_id_}, {"outcome", result.ok() ? "ok" : "failed"}}).Increment();
    return result;
  }

  void Report(const v1::Progress& progress) override {
    ProgressSink* downstream = nullptr;
    {
      absl::MutexLock lock(&mu_);
      if (cell_gauge_ != nullptr) cell_gauge_->Set(progress.phase());
      rps_->Set(progress.requests_per_second());
      if (progress.has_interval_latency()) {
        if (absl::StatusOr<Histogram> h = Histogram::FromProto(progress.interval_latency()); h.ok()) {
          p99_->Set(h->ValueAtPercentile(99) / 1e6);
        }
      }
      downstream = downstream_;
    }
    if (downstream != nullptr) downstream->Report(progress);
  }

 private:
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::shared_ptr<prometheus::Registry> registry_;
  const std::string agent_id_;
  CellExecutor* inner_;
  prometheus::Family<prometheus::Gauge>* phase_ = nullptr;
  prometheus::Gauge* rps_ = nullptr;
  prometheus::Gauge* p99_ = nullptr;
  prometheus::Family<prometheus::Counter>* cells_ = nullptr;

  absl::Mutex mu_;
  ProgressSink* downstream_ ABSL_GUARDED_BY(mu_) = nullptr;
  prometheus::Gauge* cell_gauge_ ABSL_GUARDED_BY(mu_) = nullptr;
};

absl::StatusOr<std::unique_ptr<MeteredExecutor>> MeteredExecutor::Create(const std::string& listen,
                                                                         const std::string& agent_id,
                                                                         CellExecutor* inner) {
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(listen, /*num_threads=*/1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen, ": ", e.what()));
  }
  return std::unique_ptr<MeteredExecutor>(
      new MeteredExecutor(std::make_unique<Impl>(std::move(exposer), agent_id, inner)));
}

MeteredExecutor::MeteredExecutor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MeteredExecutor::~MeteredExecutor() = default;

v1::CellResult MeteredExecutor::Execute(const v1::Assign& assign, ProgressSink* progress,
                                        const std::atomic<bool>* cancelled) {
  return impl_->Execute(assign, progress, cancelled);
}

}  // namespace gop
