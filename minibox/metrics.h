#ifndef GOP_MINIBOX_METRICS_H_
#define GOP_MINIBOX_METRICS_H_

#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/synchronization/mutex.h"
#include "absl/container/flat_hash_map.h"

namespace gop::minibox {

// The connection pool's instruments (Hikari's names). Null pointers are allowed in
// tests that do not care.
struct PoolMetrics {
  prometheus::Gauge* active = nullptr;    // hikari_active_count
  prometheus::Gauge* idle = nullptr;      // hikari_idle_count
  prometheus::Gauge* pending = nullptr;   // hikari_pending_count
  prometheus::Gauge* max_size = nullptr;  // hikari_max_size
  prometheus::Histogram* acquire_wait = nullptr;  // hikari_acquire_wait_seconds
  prometheus::Counter* timeouts = nullptr;        // hikari_timeout_total
};

// The worker pool's instruments.
struct WorkerMetrics {
  prometheus::Gauge* threads = nullptr;   // minibox_worker_threads
  prometheus::Gauge* busy = nullptr;      // minibox_worker_busy
  prometheus::Gauge* busy_max = nullptr;  // minibox_worker_busy_max (high-water mark)
  prometheus::Gauge* queued = nullptr;    // minibox_worker_queued
};

// Every metric minibox exports, in one registry. All families carry the constant label
// instance_name=<BOX_INSTANCE_NAME>. Thread-safe.
class Metrics {
 public:
  explicit Metrics(const std::string& instance_name);

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }
  PoolMetrics pool() const { return pool_; }
  WorkerMetrics workers() const { return workers_; }

  // aidbox_http_request_duration_seconds{method,route,status}.
  void ObserveRequest(const std::string& method, const std::string& route, int status,
                      double seconds);

  // Prometheus text exposition format of the whole registry.
  std::string Serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Histogram>* http_duration_;
  PoolMetrics pool_;
  WorkerMetrics workers_;
  absl::Mutex mu_;
  // Cache of label combinations -> histogram, so the hot path skips Family::Add.
  absl::flat_hash_map<std::string, prometheus::Histogram*> http_by_key_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_METRICS_H_
