#ifndef GOP_LOADGEN_LOAD_OPTIONS_H_
#define GOP_LOADGEN_LOAD_OPTIONS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gop::loadgen {

// How virtual users (VUs) are driven in the warm-up and measured phases.
enum class Executor {
  // Closed model: `vus` VUs, each starting its next iteration as soon as the
  // previous one ends.
  kConstantVus,
  // Open model: `rate` iterations per second whatever the server does, on at
  // most `max_vus` VUs; an iteration's first request is timed from its
  // intended start (coordinated-omission correction).
  kConstantArrivalRate,
  // Each of `vus` VUs runs `iterations` iterations, then the run ends
  // (`duration` is the upper bound).
  kPerVuIterations,
};

std::string_view ExecutorName(Executor executor);  // "constant-vus", ...
absl::StatusOr<Executor> ParseExecutor(std::string_view name);

// Everything one load run needs besides the scenario. Plain data with
// defaults; Validate() reports every problem at once.
struct LoadOptions {
  // http://host[:port][/base/path]; scenario paths are appended to it.
  std::string base_url;
  // "" (none), "basic:USER:SECRET" or "bearer:TOKEN".
  std::string auth;

  Executor executor = Executor::kConstantVus;
  int vus = 300;          // constant-vus, per-vu-iterations; open model: VUs
                          // kept ready (0 = grow on demand)
  double rate = 0;        // iterations per second (constant-arrival-rate)
  int max_vus = 0;        // open-model VU cap; 0 = max(vus, 100)
  int iterations = 1;     // per VU (per-vu-iterations)
  absl::Duration duration = absl::Seconds(30);  // measured phase
  absl::Duration warmup = absl::ZeroDuration(); // load whose figures are discarded
  absl::Duration graceful_stop = absl::Seconds(30);  // for in-flight iterations
  // Iterations per VU run before the warm-up with the per-vu-iterations
  // executor on `vus` VUs (0 = no prewarm); bounded by `prewarm_timeout`.
  int prewarm_iterations = 0;
  absl::Duration prewarm_timeout = absl::Minutes(10);
  int threads = 0;        // event-loop threads; 0 = hardware cores
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration request_timeout = absl::Seconds(60);
  // Open model: an iteration that could not start within this long of its
  // intended start (every VU busy) is dropped and counted.
  absl::Duration max_start_lag = absl::Seconds(2);
  // Read buffer per VU; responses larger than this are still read whole.
  int read_buffer_bytes = 8 * 1024;
};

// Checks ranges and combinations; the message lists every problem.
absl::Status Validate(const LoadOptions& options);

// max_vus / threads with their defaults applied.
int EffectiveMaxVus(const LoadOptions& options);
int EffectiveThreads(const LoadOptions& options);

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_LOAD_OPTIONS_H_
