#ifndef GOP_LOADGEN_RUN_CONTEXT_H_
#define GOP_LOADGEN_RUN_CONTEXT_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

#include "boost/asio/ip/tcp.hpp"
#include "common/histogram.h"
#include "loadgen/load_options.h"
#include "loadgen/load_result.h"
#include "loadgen/request_builder.h"
#include "loadgen/scenario.h"

namespace gop::loadgen {

// Monotonic nanoseconds; the engine's only clock.
inline int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What every worker reads during a run; immutable once the run starts.
struct RunContext {
  const Scenario* scenario = nullptr;
  const RequestBuilder* requests = nullptr;
  boost::asio::ip::tcp::endpoint endpoint;
  int threads = 1;
  int64_t connect_timeout_ns = 0;
  int64_t request_timeout_ns = 0;
  int64_t max_start_lag_ns = 0;
  int read_buffer_bytes = 8192;
};

// One phase of load as one worker sees it (its share of VUs and rate).
struct PhasePlan {
  Executor executor = Executor::kConstantVus;
  int vus = 0;          // this worker's VUs (closed model, per-vu-iterations;
                        // kept ready in the open model)
  int max_vus = 0;      // open model cap for this worker
  double rate = 0;      // open model: iterations per second for this worker
  int64_t first_offset_ns = 0;  // open model: this worker's first intended start
  int iterations = 0;   // per-vu-iterations
  bool record = false;  // false in prewarm
  int64_t start_ns = 0;
  int64_t measure_start_ns = 0;  // responses from here on are recorded
  int64_t measure_end_ns = 0;    // no iteration starts after this
  int64_t hard_stop_ns = 0;      // in-flight work is cut here
};

// Hot-path counters of one operation on one worker thread.
struct OperationCounters {
  Histogram latency;
  int64_t requests = 0;
  int64_t errors = 0;
  int64_t bytes_sent = 0;
  int64_t bytes_received = 0;
  std::array<int64_t, 600> status{};  // by HTTP status code
  std::array<int64_t, kErrorKindCount> error_kinds{};
};

// Everything one worker measured in the measured phase. Owned by the worker
// thread; read by others only after the thread stopped.
struct WorkerStats {
  std::vector<OperationCounters> operations;
  Histogram uncorrected;
  int64_t iterations = 0;
  int64_t dropped_iterations = 0;
  int64_t interrupted_iterations = 0;
  int64_t checks_passed = 0;
  int64_t checks_failed = 0;
  int64_t last_response_ns = 0;
  // Cumulative measured requests/errors, kept for cheap progress reads.
  int64_t requests = 0;
  int64_t errors = 0;
};

// Figures of the last progress interval (all phases).
struct IntervalStats {
  Histogram latency;
  int64_t requests = 0;
  int64_t errors = 0;
};

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_RUN_CONTEXT_H_
