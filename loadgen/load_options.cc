#include "loadgen/load_options.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "loadgen/sv.h"
#include "absl/strings/str_join.h"

namespace gop::loadgen {

std::string_view ExecutorName(Executor executor) {
  switch (executor) {
    case Executor::kConstantVus:
      return "constant-vus";
    case Executor::kConstantArrivalRate:
      return "constant-arrival-rate";
    case Executor::kPerVuIterations:
      return "per-vu-iterations";
  }
  return "unknown";
}

absl::StatusOr<Executor> ParseExecutor(std::string_view name) {
  for (Executor e : {Executor::kConstantVus, Executor::kConstantArrivalRate,
                     Executor::kPerVuIterations}) {
    if (name == ExecutorName(e)) return e;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown executor \"", Sv(name),
      "\" (constant-vus, constant-arrival-rate, per-vu-iterations)"));
}

absl::Status Validate(const LoadOptions& o) {
  std::vector<std::string> problems;
  if (!absl::StartsWith(o.base_url, "http://")) {
    problems.push_back(o.base_url.empty()
                           ? "url is required"
                           : absl::StrCat("url must start with http:// (got \"",
                                          o.base_url, "\")"));
  }
  if (!o.auth.empty() && !absl::StartsWith(o.auth, "basic:") &&
      !absl::StartsWith(o.auth, "bearer:")) {
    problems.push_back("auth must be basic:USER:SECRET or bearer:TOKEN");
  }
  if (absl::StartsWith(o.auth, "basic:") &&
      o.auth.find(':', 6) == std::string::npos) {
    problems.push_back("auth basic: needs USER:SECRET");
  }
  switch (o.executor) {
    case Executor::kConstantVus:
      if (o.vus < 1) problems.push_back("vus must be at least 1");
      break;
    case Executor::kConstantArrivalRate:
      if (!(o.rate > 0)) problems.push_back("rate must be above 0 for constant-arrival-rate");
      if (o.vus < 0) problems.push_back("vus must not be negative");
      if (o.max_vus < 0) problems.push_back("max-vus must not be negative");
      if (o.max_vus > 0 && o.vus > o.max_vus) problems.push_back("vus must not exceed max-vus");
      if (o.max_start_lag <= absl::ZeroDuration())
        problems.push_back("max-start-lag must be positive");
      break;
    case Executor::kPerVuIterations:
      if (o.vus < 1) problems.push_back("vus must be at least 1");
      if (o.iterations < 1) problems.push_back("iterations must be at least 1");
      break;
  }
  if (o.executor != Executor::kConstantArrivalRate && o.rate != 0) {
    problems.push_back("rate applies to constant-arrival-rate only");
  }
  if (o.duration <= absl::ZeroDuration()) problems.push_back("duration must be positive");
  if (o.warmup < absl::ZeroDuration()) problems.push_back("warmup must not be negative");
  if (o.graceful_stop < absl::ZeroDuration())
    problems.push_back("graceful-stop must not be negative");
  if (o.prewarm_iterations < 0) problems.push_back("prewarm-iterations must not be negative");
  if (o.prewarm_timeout <= absl::ZeroDuration())
    problems.push_back("prewarm timeout must be positive");
  if (o.threads < 0 || o.threads > 256) problems.push_back("threads must be 0..256");
  if (o.connect_timeout <= absl::ZeroDuration())
    problems.push_back("connect-timeout must be positive");
  if (o.request_timeout <= absl::ZeroDuration())
    problems.push_back("timeout must be positive");
  if (o.read_buffer_bytes < 1024 || o.read_buffer_bytes > (1 << 24))
    problems.push_back("read buffer must be 1 KiB .. 16 MiB");
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
}

int EffectiveMaxVus(const LoadOptions& o) {
  if (o.max_vus > 0) return o.max_vus;
  return std::max(o.vus, 100);
}

int EffectiveThreads(const LoadOptions& o) {
  if (o.threads > 0) return o.threads;
  unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

}  // namespace gop::loadgen
