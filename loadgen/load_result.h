#ifndef GOP_LOADGEN_LOAD_RESULT_H_
#define GOP_LOADGEN_LOAD_RESULT_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/histogram.h"
#include "loadgen/load_options.h"

namespace gop::loadgen {

// Why a request did not count as a success.
enum class ErrorKind {
  kConnect,   // connect refused / unreachable / connect timeout
  kTimeout,   // no complete response within the request timeout
  kStatus,    // a response with a status the step does not expect
  kCheck,     // body check or capture failed
  kProtocol,  // malformed response, connection closed or reset mid-request
};
inline constexpr int kErrorKindCount = 5;
std::string_view ErrorKindName(ErrorKind kind);  // "connect", "timeout", ...

// Figures for one operation ("POST Patient") or for the whole load.
struct OperationStats {
  std::string name;
  // Microseconds; corrected for coordinated omission in the open model.
  // Holds every request that got a complete response (any status).
  Histogram latency;
  int64_t requests = 0;  // requests that ended (response or failure)
  int64_t errors = 0;    // of which failed (any ErrorKind)
  std::map<int, int64_t> status_counts;
  std::map<std::string, int64_t> error_kinds;  // by ErrorKindName
  int64_t bytes_sent = 0;
  int64_t bytes_received = 0;

  // Adds `other`'s figures (names are not compared).
  absl::Status Merge(const OperationStats& other);
};

// One second of the measured phase.
struct TimePoint {
  int64_t second = 0;  // since the start of the measured phase
  int64_t requests = 0;
  int64_t errors = 0;
  int64_t p50_us = 0;
  int64_t p99_us = 0;
};

// What a run measured (warm-up and prewarm excluded).
struct LoadResult {
  std::string scenario;
  Executor executor = Executor::kConstantVus;
  // Measured phase, from its start to the last response (graceful stop
  // included), in seconds: the denominator of every rate.
  double measured_seconds = 0;
  OperationStats overall;                 // name "overall"
  std::vector<OperationStats> operations; // scenario order
  // Latency timed from each request's actual send (equals overall.latency in
  // the closed model).
  Histogram latency_uncorrected;
  int64_t iterations = 0;          // iterations that ended
  int64_t dropped_iterations = 0;  // open model: could not start in time
  int64_t interrupted_iterations = 0;  // cut by the hard stop or Cancel()
  int64_t checks_passed = 0;
  int64_t checks_failed = 0;
  int max_vus_used = 0;
  bool cancelled = false;
  std::vector<TimePoint> timeline;

  double RequestsPerSecond() const {
    return measured_seconds > 0 ? overall.requests / measured_seconds : 0;
  }
};

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_LOAD_RESULT_H_
