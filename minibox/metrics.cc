#include "minibox/metrics.h"

#include <prometheus/text_serializer.h>

#include "absl/strings/str_cat.h"

namespace gop::minibox {
namespace {

prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
          0.25,   0.5,   1.0,    2.5,   5.0,  10.0,  30.0};
}

}  // namespace

Metrics::Metrics(const std::string& instance_name)
    : registry_(std::make_shared<prometheus::Registry>()) {
  const prometheus::Labels constant = {{"instance_name", instance_name}};
  http_duration_ = &prometheus::BuildHistogram()
                        .Name("aidbox_http_request_duration_seconds")
                        .Help("HTTP request duration, from full request read to response "
                              "handed to the socket")
                        .Labels(constant)
                        .Register(*registry_);
  auto gauge = [&](const char* name, const char* help) {
    return &prometheus::BuildGauge().Name(name).Help(help).Labels(constant).Register(
        *registry_).Add({});
  };
  pool_.active = gauge("hikari_active_count", "Database connections in use");
  pool_.idle = gauge("hikari_idle_count", "Open database connections not in use");
  pool_.pending = gauge("hikari_pending_count", "Threads waiting for a database connection");
  pool_.max_size = gauge("hikari_max_size", "BOX_DB_POOL_MAXIMUM_POOL_SIZE");
  pool_.acquire_wait = &prometheus::BuildHistogram()
                            .Name("hikari_acquire_wait_seconds")
                            .Help("Time a worker waited for a database connection")
                            .Labels(constant)
                            .Register(*registry_)
                            .Add({}, LatencyBuckets());
  pool_.timeouts = &prometheus::BuildCounter()
                        .Name("hikari_timeout_total")
                        .Help("Connection acquisitions that timed out (answered 503)")
                        .Labels(constant)
                        .Register(*registry_)
                        .Add({});
  workers_.threads = gauge("minibox_worker_threads", "BOX_WEB_THREAD worker threads");
  workers_.busy = gauge("minibox_worker_busy", "Worker threads running a handler");
  workers_.busy_max = gauge("minibox_worker_busy_max",
                            "Most worker threads ever running handlers at once");
  workers_.queued = gauge("minibox_worker_queued", "Requests waiting for a worker thread");
}

void Metrics::ObserveRequest(const std::string& method, const std::string& route, int status,
                             double seconds) {
  std::string key = absl::StrCat(method, " ", route, " ", status);
  prometheus::Histogram* h = nullptr;
  {
    absl::MutexLock lock(&mu_);
    auto it = http_by_key_.find(key);
    if (it == http_by_key_.end()) {
      h = &http_duration_->Add(
          {{"method", method}, {"route", route}, {"status", std::to_string(status)}},
          LatencyBuckets());
      http_by_key_.emplace(std::move(key), h);
    } else {
      h = it->second;
    }
  }
  h->Observe(seconds);
}

std::string Metrics::Serialize() const {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(registry_->Collect());
}

}  // namespace gop::minibox
