#include "common/result_file.h"

#include <cmath>
#include <initializer_list>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gop/v1/histogram.pb.h"

namespace gop {
namespace {

using nlohmann::json;

std::string ExecutorName(v1::Executor executor) {
  switch (executor) {
    case v1::EXECUTOR_CONSTANT_VUS:
      return "constant-vus";
    case v1::EXECUTOR_CONSTANT_ARRIVAL_RATE:
      return "constant-arrival-rate";
    case v1::EXECUTOR_PER_VU_ITERATIONS:
      return "per-vu-iterations";
    default:
      return "";
  }
}

std::string EncodeHistogram(const v1::Histogram& proto) {
  return absl::Base64Escape(proto.SerializeAsString());
}

json StatusCountsJson(const google::protobuf::Map<int32_t, int64_t>& counts) {
  json out = json::object();
  for (const auto& [status, n] : counts) out[absl::StrCat(status)] = n;
  return out;
}

json ErrorKindsJson(const google::protobuf::Map<std::string, int64_t>& kinds) {
  json out = json::object();
  for (const auto& [kind, n] : kinds) out[kind] = n;
  return out;
}

// k6's --summary-export figures for http_req_duration, in milliseconds.
json DurationJson(const Histogram& h) {
  auto ms = [](int64_t us) { return static_cast<double>(us) / 1000.0; };
  return json{{"avg", h.Mean() / 1000.0},
              {"min", ms(h.Min())},
              {"med", ms(h.ValueAtPercentile(50))},
              {"max", ms(h.Max())},
              {"p(90)", ms(h.ValueAtPercentile(90))},
              {"p(95)", ms(h.ValueAtPercentile(95))},
              {"p(99)", ms(h.ValueAtPercentile(99))}};
}

// ---- parsing helpers: tolerant of the seed's variants -----------------------

const json* Find(const json& obj, std::initializer_list<const char*> keys) {
  if (!obj.is_object()) return nullptr;
  for (const char* key : keys) {
    auto it = obj.find(key);
    if (it != obj.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

// A number, or a string holding one (the seed wrote some settings as strings).
std::optional<double> Number(const json& obj, std::initializer_list<const char*> keys) {
  const json* v = Find(obj, keys);
  if (v == nullptr) return std::nullopt;
  if (v->is_number()) return v->get<double>();
  if (v->is_string()) {
    double d;
    if (absl::SimpleAtod(v->get<std::string>(), &d)) return d;
  }
  return std::nullopt;
}

std::string String(const json& obj, std::initializer_list<const char*> keys) {
  const json* v = Find(obj, keys);
  if (v == nullptr) return "";
  if (v->is_string()) return v->get<std::string>();
  return v->dump();
}

absl::StatusOr<Histogram> DecodeHistogram(const json& value, const std::string& what) {
  if (!value.is_string()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": not a base64 string"));
  }
  std::string bytes;
  if (!absl::Base64Unescape(value.get<std::string>(), &bytes)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": invalid base64"));
  }
  v1::Histogram proto;
  if (!proto.ParseFromString(bytes)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": not a gop.v1.Histogram"));
  }
  absl::StatusOr<Histogram> h = Histogram::FromProto(proto);
  if (!h.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", h.status().message()));
  }
  return h;
}

template <typename K>
absl::Status ParseCounts(const json* obj, std::map<K, int64_t>* out, const std::string& what) {
  if (obj == nullptr) return absl::OkStatus();
  if (!obj->is_object()) return absl::InvalidArgumentError(absl::StrCat(what, ": not an object"));
  for (const auto& [key, value] : obj->items()) {
    if (!value.is_number_integer()) {
      return absl::InvalidArgumentError(absl::StrCat(what, ".", key, ": not an integer"));
    }
    if constexpr (std::is_same_v<K, int>) {
      int status;
      if (!absl::SimpleAtoi(key, &status)) {
        return absl::InvalidArgumentError(absl::StrCat(what, ": bad status code ", key));
      }
      (*out)[status] = value.template get<int64_t>();
    } else {
      (*out)[key] = value.template get<int64_t>();
    }
  }
  return absl::OkStatus();
}

// The k6 summary's metrics object: raw_metrics itself, or its "metrics" member
// (a full --summary-export file).
const json& K6Metrics(const json& raw) {
  if (const json* m = Find(raw, {"metrics"}); m != nullptr && m->is_object()) return *m;
  return raw;
}

// One k6 metric's figures, with or without handleSummary's "values" nesting.
const json* K6Metric(const json& metrics, const char* name) {
  const json* m = Find(metrics, {name});
  if (m == nullptr || !m->is_object()) return nullptr;
  if (const json* values = Find(*m, {"values"}); values != nullptr && values->is_object()) {
    return values;
  }
  return m;
}

std::optional<absl::Time> ParseTimestamp(const json& doc) {
  const json* ts = Find(doc, {"timestamp"});
  if (ts == nullptr || !ts->is_string()) return std::nullopt;
  const std::string text = ts->get<std::string>();
  absl::Time t;
  std::string err;
  for (const char* format : {"%Y-%m-%dT%H:%M:%E*S%Ez", "%Y-%m-%dT%H:%M:%E*SZ",
                             "%Y-%m-%dT%H:%M:%E*S", "%Y%m%dT%H%M%SZ", "%Y%m%d_%H%M%S"}) {
    if (absl::ParseTime(format, text, absl::UTCTimeZone(), &t, &err)) return t;
  }
  return std::nullopt;
}

absl::Status ParseGopSection(const json& gop, CellRecord* record) {
  if (!gop.is_object()) return absl::InvalidArgumentError("gop: not an object");
  record->cell_id = String(gop, {"cell_id"});
  record->attempt = static_cast<int>(Number(gop, {"attempt"}).value_or(0));
  record->agent_id = String(gop, {"agent_id"});
  if (!record->ok) {
    std::string reason = String(gop, {"failure_reason"});
    if (!reason.empty()) record->failure_reason = reason;
  }
  record->target_logs = String(gop, {"target_logs"});
  record->measured_seconds = Number(gop, {"measured_seconds"}).value_or(record->measured_seconds);
  record->cpu_limit_mechanism = String(gop, {"cpu_limit_mechanism"});
  record->target_cpu_seconds = Number(gop, {"target_cpu_seconds"}).value_or(0);
  record->iterations = static_cast<int64_t>(Number(gop, {"iterations"}).value_or(0));
  record->dropped_iterations =
      static_cast<int64_t>(Number(gop, {"dropped_iterations"}).value_or(0));
  if (auto n = Number(gop, {"requests"})) record->requests = static_cast<int64_t>(*n);
  if (auto n = Number(gop, {"errors"})) record->errors = static_cast<int64_t>(*n);
  if (const json* w = Find(gop, {"warnings"}); w != nullptr && w->is_array()) {
    for (const json& item : *w) {
      if (item.is_string()) record->warnings.push_back(item.get<std::string>());
    }
  }
  if (absl::Status s = ParseCounts(Find(gop, {"status_counts"}), &record->status_counts,
                                   "gop.status_counts");
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          ParseCounts(Find(gop, {"error_kinds"}), &record->error_kinds, "gop.error_kinds");
      !s.ok()) {
    return s;
  }
  if (const json* h = Find(gop, {"histogram"})) {
    absl::StatusOr<Histogram> hist = DecodeHistogram(*h, "gop.histogram");
    if (!hist.ok()) return hist.status();
    record->latency = *std::move(hist);
  }
  if (const json* h = Find(gop, {"histogram_uncorrected"})) {
    absl::StatusOr<Histogram> hist = DecodeHistogram(*h, "gop.histogram_uncorrected");
    if (!hist.ok()) return hist.status();
    record->latency_uncorrected = *std::move(hist);
  }
  if (const json* ops = Find(gop, {"operations"})) {
    if (!ops->is_array()) return absl::InvalidArgumentError("gop.operations: not an array");
    for (const json& op : *ops) {
      OperationRecord out;
      out.name = String(op, {"name"});
      const std::string what = absl::StrCat("gop.operations[", out.name, "]");
      out.requests = static_cast<int64_t>(Number(op, {"requests"}).value_or(0));
      out.errors = static_cast<int64_t>(Number(op, {"errors"}).value_or(0));
      if (absl::Status s = ParseCounts(Find(op, {"status_counts"}), &out.status_counts, what);
          !s.ok()) {
        return s;
      }
      if (absl::Status s = ParseCounts(Find(op, {"error_kinds"}), &out.error_kinds, what);
          !s.ok()) {
        return s;
      }
      if (const json* h = Find(op, {"histogram"})) {
        absl::StatusOr<Histogram> hist = DecodeHistogram(*h, what + ".histogram");
        if (!hist.ok()) return hist.status();
        out.latency = *std::move(hist);
      }
      record->operations.push_back(std::move(out));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string FormatCpuLimit(double cpu_limit) { return absl::StrCat(cpu_limit); }

std::string ResultFileName(const v1::CellConfig& cell, absl::Time finished) {
  return absl::StrCat("test_cpu", FormatCpuLimit(cell.cpu_limit()), "_wt", cell.web_threads(),
                      "_db", cell.db_pool(), "_rep", cell.repetition(), "_",
                      absl::FormatTime("%Y%m%dT%H%M%SZ", finished, absl::UTCTimeZone()),
                      ".json");
}

json RenderResultFile(const v1::CellConfig& cell, const v1::CellResult& result,
                      absl::Time finished) {
  const v1::LoadSpec& load = cell.load();
  json configuration = {
      {"cpu_limit", cell.cpu_limit()},
      {"web_threads", cell.web_threads()},
      {"db_pool_size", cell.db_pool()},
      {"web_thread_multiplier", cell.web_thread_multiplier()},
      {"db_pool_multiplier", cell.db_pool_multiplier()},
      {"repetition", cell.repetition()},
      {"vus", load.vus()},
      {"rate", load.rate()},
      {"executor", ExecutorName(load.executor())},
      {"scenario", load.scenario()},
      {"duration_s", static_cast<double>(load.duration_ms()) / 1000.0},
  };

  const v1::OperationStats& overall = result.overall();
  const double seconds = result.measured_seconds();
  const double rps = seconds > 0 ? static_cast<double>(overall.requests()) / seconds : 0.0;
  std::optional<Histogram> latency;
  if (overall.has_latency()) {
    absl::StatusOr<Histogram> h = Histogram::FromProto(overall.latency());
    if (h.ok()) latency = *std::move(h);
  }

  json raw = {{"http_reqs", {{"count", overall.requests()}, {"rate", rps}}},
              {"iterations",
               {{"count", result.iterations()},
                {"rate", seconds > 0 ? static_cast<double>(result.iterations()) / seconds : 0.0}}},
              {"checks",
               {{"passes", overall.requests() - overall.errors()}, {"fails", overall.errors()}}}};
  if (latency.has_value()) raw["http_req_duration"] = DurationJson(*latency);

  json k6 = {{"status", result.ok() ? "success" : "failed"},
             {"avg_rps", rps},
             {"p99_latency_ms",
              latency.has_value()
                  ? json(static_cast<double>(latency->ValueAtPercentile(99)) / 1000.0)
                  : json(nullptr)},
             {"raw_metrics", raw}};
  if (!result.ok()) k6["error"] = result.failure_reason();

  json gop = {
      {"cell_id", result.cell_id().empty() ? cell.cell_id() : result.cell_id()},
      {"attempt", result.attempt()},
      {"agent_id", result.agent_id()},
      {"failure_reason", result.failure_reason()},
      {"target_logs", result.target_logs()},
      {"measured_seconds", seconds},
      {"cpu_limit_mechanism", result.cpu_limit_mechanism()},
      {"target_cpu_seconds", result.target_cpu_seconds()},
      {"warnings", json::array()},
      {"iterations", result.iterations()},
      {"dropped_iterations", result.dropped_iterations()},
      {"requests", overall.requests()},
      {"errors", overall.errors()},
      {"status_counts", StatusCountsJson(overall.status_counts())},
      {"error_kinds", ErrorKindsJson(overall.error_kinds())},
      {"operations", json::array()},
      {"timeline", json::array()},
  };
  for (const std::string& w : result.warnings()) gop["warnings"].push_back(w);
  if (overall.has_latency()) gop["histogram"] = EncodeHistogram(overall.latency());
  if (result.has_latency_uncorrected()) {
    gop["histogram_uncorrected"] = EncodeHistogram(result.latency_uncorrected());
  }
  for (const v1::OperationStats& op : result.operations()) {
    json o = {{"name", op.name()},
              {"requests", op.requests()},
              {"errors", op.errors()},
              {"status_counts", StatusCountsJson(op.status_counts())},
              {"error_kinds", ErrorKindsJson(op.error_kinds())}};
    if (op.has_latency()) o["histogram"] = EncodeHistogram(op.latency());
    gop["operations"].push_back(std::move(o));
  }
  for (const v1::TimePoint& p : result.timeline()) {
    gop["timeline"].push_back({{"second", p.second()},
                               {"requests", p.requests()},
                               {"errors", p.errors()},
                               {"p50_us", p.p50_us()},
                               {"p99_us", p.p99_us()}});
  }

  return json{{"timestamp", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", finished, absl::UTCTimeZone())},
              {"configuration", std::move(configuration)},
              {"k6_results", std::move(k6)},
              {"gop", std::move(gop)}};
}

absl::StatusOr<CellRecord> ParseResultFile(const json& doc) {
  if (!doc.is_object()) return absl::InvalidArgumentError("not a JSON object");
  const json* config = Find(doc, {"configuration", "config"});
  if (config == nullptr || !config->is_object()) {
    return absl::InvalidArgumentError("missing \"configuration\" object");
  }
  CellRecord record;
  std::optional<double> cpu = Number(*config, {"cpu_limit", "cpus", "cpu", "cpu_limits"});
  std::optional<double> wt = Number(*config, {"web_threads", "web_thread", "box_web_thread"});
  std::optional<double> db =
      Number(*config, {"db_pool_size", "db_pool", "db_pool_maximum_pool_size", "pool_size"});
  std::string missing;
  if (!cpu.has_value()) absl::StrAppend(&missing, " cpu_limit");
  if (!wt.has_value()) absl::StrAppend(&missing, " web_threads");
  if (!db.has_value()) absl::StrAppend(&missing, " db_pool_size");
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("configuration lacks:", missing));
  }
  if (*cpu <= 0 || *wt < 1 || *db < 1 || *wt != std::floor(*wt) || *db != std::floor(*db)) {
    return absl::InvalidArgumentError(
        absl::StrCat("configuration out of range: cpu_limit=", *cpu, " web_threads=", *wt,
                     " db_pool_size=", *db));
  }
  record.cpu_limit = *cpu;
  record.web_threads = static_cast<int>(*wt);
  record.db_pool = static_cast<int>(*db);
  record.web_thread_multiplier = Number(*config, {"web_thread_multiplier", "web_multiplier"}).value_or(0);
  record.db_pool_multiplier = Number(*config, {"db_pool_multiplier", "db_multiplier"}).value_or(0);
  record.repetition = static_cast<int>(Number(*config, {"repetition", "rep"}).value_or(1));
  record.vus = static_cast<int>(Number(*config, {"vus", "k6_vus"}).value_or(0));
  record.rate = Number(*config, {"rate"}).value_or(0);
  record.executor = String(*config, {"executor"});
  record.scenario = String(*config, {"scenario"});
  record.duration_s = Number(*config, {"duration_s"}).value_or(0);
  record.finished = ParseTimestamp(doc);

  const json* k6 = Find(doc, {"k6_results", "results"});
  if (k6 == nullptr || !k6->is_object()) {
    return absl::InvalidArgumentError("missing \"k6_results\" object");
  }
  const std::string status = String(*k6, {"status"});
  record.ok = status.empty() || status == "success" || status == "ok";
  if (!record.ok) {
    record.failure_reason = String(*k6, {"error", "failure_reason", "message"});
    if (record.failure_reason.empty()) record.failure_reason = absl::StrCat("status ", status);
  }

  static const json kEmpty = json::object();
  const json* raw = Find(*k6, {"raw_metrics"});
  const json& metrics = K6Metrics(raw != nullptr ? *raw : kEmpty);
  const json* reqs = K6Metric(metrics, "http_reqs");
  const json* duration = K6Metric(metrics, "http_req_duration");

  std::optional<double> rps = Number(*k6, {"avg_rps", "rps"});
  if (!rps.has_value() && reqs != nullptr) rps = Number(*reqs, {"rate"});
  record.rps = rps.value_or(0);
  if (reqs != nullptr) {
    record.requests = static_cast<int64_t>(Number(*reqs, {"count"}).value_or(0));
    std::optional<double> rate = Number(*reqs, {"rate"});
    if (rate.has_value() && *rate > 0) record.measured_seconds = record.requests / *rate;
  }
  if (const json* checks = K6Metric(metrics, "checks")) {
    record.errors = static_cast<int64_t>(Number(*checks, {"fails"}).value_or(0));
  }
  if (const json* failed = K6Metric(metrics, "http_req_failed")) {
    if (auto passes = Number(*failed, {"passes"})) record.errors = static_cast<int64_t>(*passes);
  }

  record.given_p99_ms = Number(*k6, {"p99_latency_ms"});
  if (duration != nullptr) {
    if (!record.given_p99_ms.has_value()) record.given_p99_ms = Number(*duration, {"p(99)"});
    record.given_p95_ms = Number(*duration, {"p(95)"});
    record.given_avg_ms = Number(*duration, {"avg"});
  }

  if (const json* gop = Find(doc, {"gop"})) {
    if (absl::Status s = ParseGopSection(*gop, &record); !s.ok()) return s;
  }
  if (record.ok && record.latency.has_value() && record.latency->TotalCount() == 0) {
    // Nothing was measured: a configuration cannot win with an empty histogram.
    record.ok = false;
    record.failure_reason = "no request completed in the measured phase";
  }
  if (record.ok && !record.latency.has_value()) {
    record.percentiles_as_given = true;
    if (!record.given_p99_ms.has_value()) {
      return absl::InvalidArgumentError(
          "k6_results has neither a histogram nor a p99 latency");
    }
  }
  if (record.measured_seconds > 0 && record.requests > 0 && !rps.has_value()) {
    record.rps = record.requests / record.measured_seconds;
  }
  return record;
}

}  // namespace gop
