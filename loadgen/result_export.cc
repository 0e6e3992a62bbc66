#include "loadgen/result_export.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/histogram_export.h"
#include "nlohmann/json.hpp"

namespace gop::loadgen {
using nlohmann::json;

namespace {

double Ms(int64_t us) { return us / 1000.0; }

json OperationJson(const OperationStats& o, double seconds) {
  json j;
  j["name"] = o.name;
  j["requests"] = o.requests;
  j["errors"] = o.errors;
  j["requests_per_second"] = seconds > 0 ? o.requests / seconds : 0.0;
  json codes = json::object();
  for (const auto& [code, n] : o.status_counts) codes[std::to_string(code)] = n;
  j["status_counts"] = codes;
  json kinds = json::object();
  for (const auto& [kind, n] : o.error_kinds) kinds[kind] = n;
  j["error_kinds"] = kinds;
  j["bytes_sent"] = o.bytes_sent;
  j["bytes_received"] = o.bytes_received;
  j["latency_ms"] = ToSummaryJson(o.latency);
  return j;
}

json CountRate(int64_t count, double seconds) {
  return json{{"count", count}, {"rate", seconds > 0 ? count / seconds : 0.0}};
}

json Trend(const Histogram& h) {
  return json{{"avg", h.Mean() / 1000.0},
              {"min", Ms(h.Min())},
              {"med", Ms(h.ValueAtPercentile(50))},
              {"max", Ms(h.Max())},
              {"p(90)", Ms(h.ValueAtPercentile(90))},
              {"p(95)", Ms(h.ValueAtPercentile(95))},
              {"p(99)", Ms(h.ValueAtPercentile(99))}};
}

json Rate(int64_t passes, int64_t fails) {
  int64_t total = passes + fails;
  return json{{"passes", passes},
              {"fails", fails},
              {"value", total > 0 ? static_cast<double>(passes) / total : 0.0}};
}

}  // namespace

std::string FileNameFor(const std::string& operation) {
  std::string out = operation;
  for (char& c : out) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') c = '_';
  }
  return out;
}

json ToSummaryJson(const LoadResult& r) {
  json j;
  j["scenario"] = r.scenario;
  j["executor"] = std::string(ExecutorName(r.executor));
  j["measured_seconds"] = r.measured_seconds;
  j["requests_per_second"] = r.RequestsPerSecond();
  j["iterations"] = r.iterations;
  j["dropped_iterations"] = r.dropped_iterations;
  j["interrupted_iterations"] = r.interrupted_iterations;
  j["checks"] = {{"passed", r.checks_passed}, {"failed", r.checks_failed}};
  j["max_vus_used"] = r.max_vus_used;
  j["cancelled"] = r.cancelled;
  j["overall"] = OperationJson(r.overall, r.measured_seconds);
  j["latency_uncorrected_ms"] = gop::ToSummaryJson(r.latency_uncorrected);
  json ops = json::array();
  for (const OperationStats& o : r.operations) ops.push_back(OperationJson(o, r.measured_seconds));
  j["operations"] = ops;
  json timeline = json::array();
  for (const TimePoint& p : r.timeline) {
    timeline.push_back({{"second", p.second},
                        {"requests", p.requests},
                        {"errors", p.errors},
                        {"p50_ms", Ms(p.p50_us)},
                        {"p99_ms", Ms(p.p99_us)}});
  }
  j["timeline"] = timeline;
  return j;
}

json ToK6SummaryJson(const LoadResult& r) {
  const double s = r.measured_seconds;
  json metrics;
  metrics["http_reqs"] = CountRate(r.overall.requests, s);
  metrics["http_req_duration"] = Trend(r.overall.latency);
  metrics["http_req_failed"] = Rate(r.overall.errors, r.overall.requests - r.overall.errors);
  metrics["checks"] = Rate(r.checks_passed, r.checks_failed);
  metrics["iterations"] = CountRate(r.iterations, s);
  metrics["dropped_iterations"] = CountRate(r.dropped_iterations, s);
  metrics["data_sent"] = CountRate(r.overall.bytes_sent, s);
  metrics["data_received"] = CountRate(r.overall.bytes_received, s);
  metrics["vus_max"] = json{{"value", r.max_vus_used}, {"min", r.max_vus_used}, {"max", r.max_vus_used}};
  json root_group = {{"name", ""}, {"path", ""}, {"id", "d41d8cd98f00b204e9800998ecf8427e"},
                     {"groups", json::object()}, {"checks", json::object()}};
  return json{{"root_group", root_group}, {"metrics", metrics}};
}

absl::Status WriteHgrmFiles(const LoadResult& r, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir.string(), ": ", ec.message()));
  auto write = [&](const std::string& name, const Histogram& h) -> absl::Status {
    std::filesystem::path path = dir / (FileNameFor(name) + ".hgrm");
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << ToHgrm(h);
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
    return absl::OkStatus();
  };
  if (absl::Status st = write("overall", r.overall.latency); !st.ok()) return st;
  if (r.executor == Executor::kConstantArrivalRate) {
    if (absl::Status st = write("overall_uncorrected", r.latency_uncorrected); !st.ok()) return st;
  }
  for (const OperationStats& o : r.operations) {
    if (absl::Status st = write(o.name, o.latency); !st.ok()) return st;
  }
  return absl::OkStatus();
}

std::string FormatTextSummary(const LoadResult& r) {
  std::string out;
  absl::StrAppendFormat(&out, "scenario %s, %s, %.1f s measured%s\n", r.scenario,
                        ExecutorName(r.executor), r.measured_seconds,
                        r.cancelled ? " (cancelled)" : "");
  absl::StrAppendFormat(&out, "%-36s %10s %10s %9s %9s %9s %9s %8s\n", "operation", "requests",
                        "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors");
  auto line = [&](const OperationStats& o) {
    const Histogram& h = o.latency;
    absl::StrAppendFormat(&out, "%-36s %10d %10.1f %9.2f %9.2f %9.2f %9.2f %8d\n", o.name,
                          o.requests, r.measured_seconds > 0 ? o.requests / r.measured_seconds : 0,
                          Ms(h.ValueAtPercentile(50)), Ms(h.ValueAtPercentile(90)),
                          Ms(h.ValueAtPercentile(99)), Ms(h.Max()), o.errors);
  };
  if (r.operations.size() > 1) {
    for (const OperationStats& o : r.operations) line(o);
  }
  line(r.overall);
  absl::StrAppendFormat(&out, "iterations %d", r.iterations);
  if (r.executor == Executor::kConstantArrivalRate) {
    absl::StrAppendFormat(&out, ", dropped %d, uncorrected p99 %.2f ms", r.dropped_iterations,
                          Ms(r.latency_uncorrected.ValueAtPercentile(99)));
  }
  if (r.interrupted_iterations > 0) absl::StrAppendFormat(&out, ", interrupted %d", r.interrupted_iterations);
  absl::StrAppendFormat(&out, ", checks %d passed / %d failed\n", r.checks_passed, r.checks_failed);
  if (!r.overall.error_kinds.empty()) {
    out += "errors:";
    for (const auto& [kind, n] : r.overall.error_kinds) absl::StrAppendFormat(&out, " %s=%d", kind, n);
    out += "\n";
  }
  return out;
}

}  // namespace gop::loadgen
