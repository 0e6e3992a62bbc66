#ifndef GOP_LOADGEN_LOAD_RUNNER_H_
#define GOP_LOADGEN_LOAD_RUNNER_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/histogram.h"
#include "loadgen/load_options.h"
#include "loadgen/load_result.h"
#include "loadgen/scenario.h"

namespace gop::loadgen {

enum class Phase { kPrewarm, kWarmup, kMeasuring };
std::string_view PhaseName(Phase phase);  // "prewarm", "warmup", "measuring"

// About once a second while a run goes.
struct ProgressSample {
  Phase phase = Phase::kPrewarm;
  absl::Duration elapsed;      // within the phase
  absl::Duration phase_total;  // planned length (prewarm: its timeout);
                               // measuring includes no graceful stop
  double rps = 0;              // responses per second over the last interval
  int64_t requests = 0;        // cumulative in the measured phase
  int64_t errors = 0;          // cumulative in the measured phase
  Histogram interval_latency;  // µs, the last interval only
};

// Runs one load: optional prewarm (per-vu-iterations), warm-up, measured
// phase, graceful stop, hard stop. Threads each run their own event loop;
// VUs are state machines on keep-alive connections.
class LoadRunner {
 public:
  // Validates the options and resolves the target host. No traffic yet.
  static absl::StatusOr<std::unique_ptr<LoadRunner>> Create(Scenario scenario,
                                                            LoadOptions options);
  ~LoadRunner();
  LoadRunner(const LoadRunner&) = delete;
  LoadRunner& operator=(const LoadRunner&) = delete;

  // Blocks until the run ends (or Cancel()). Fails fast (within the connect
  // timeout) when the target does not accept connections. `on_progress` (may
  // be empty) is called about once a second from the calling thread, never
  // from an I/O thread. Call once.
  absl::StatusOr<LoadResult> Run(std::function<void(const ProgressSample&)> on_progress);

  // Hard-stops a running Run() soon (within a few ms); the result then has
  // `cancelled` set. Thread-safe; may be called before or after Run().
  void Cancel();

 private:
  class Impl;
  explicit LoadRunner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_LOAD_RUNNER_H_
