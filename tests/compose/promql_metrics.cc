#include "tests/compose/promql_metrics.h"

#include <cctype>
#include <fstream>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gop::testing {
namespace {

bool IdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
bool IdentChar(char c) { return IdentStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

const std::set<std::string>& Keywords() {
  static const auto* k = new std::set<std::string>{
      "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
      "group_left", "group_right", "inf", "nan", "atan2", "Inf", "NaN",
      // Aggregation operators may be followed by `by (...)` rather than `(`.
      "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
      "bottomk", "topk", "quantile"};
  return *k;
}
const std::set<std::string>& GroupingKeywords() {
  static const auto* k = new std::set<std::string>{"by", "without", "on", "ignoring",
                                                    "group_left", "group_right"};
  return *k;
}

}  // namespace

absl::StatusOr<std::set<std::string>> MetricNamesInPromQL(const std::string& expr) {
  std::set<std::string> names;
  const size_t n = expr.size();
  size_t i = 0;
  int paren_depth = 0;
  auto skip_space = [&](size_t j) {
    while (j < n && std::isspace(static_cast<unsigned char>(expr[j]))) ++j;
    return j;
  };
  // Skips from an opening bracket to just past its match, honouring strings.
  auto skip_group = [&](size_t j, char open, char close) -> absl::StatusOr<size_t> {
    int depth = 0;
    for (; j < n; ++j) {
      char c = expr[j];
      if (c == '"' || c == '\'' || c == '`') {
        size_t end = expr.find(c, j + 1);
        while (end != std::string::npos && c != '`' && expr[end - 1] == '\\') {
          end = expr.find(c, end + 1);
        }
        if (end == std::string::npos) return absl::InvalidArgumentError("unterminated string");
        j = end;
      } else if (c == open) {
        ++depth;
      } else if (c == close && --depth == 0) {
        return j + 1;
      }
    }
    return absl::InvalidArgumentError(absl::StrCat("unbalanced '", std::string(1, open), "'"));
  };

  while (i < n) {
    char c = expr[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '"' || c == '\'' || c == '`') {
      size_t close = expr.find(c, i + 1);
      while (close != std::string::npos && c != '`' && expr[close - 1] == '\\') {
        close = expr.find(c, close + 1);
      }
      if (close == std::string::npos) return absl::InvalidArgumentError("unterminated string");
      i = close + 1;
    } else if (c == '{') {
      absl::StatusOr<size_t> end = skip_group(i, '{', '}');
      if (!end.ok()) return end.status();
      i = *end;
    } else if (c == '[') {
      absl::StatusOr<size_t> end = skip_group(i, '[', ']');
      if (!end.ok()) return end.status();
      i = *end;
    } else if (c == '$') {  // Grafana variable
      ++i;
      while (i < n && (IdentChar(expr[i]) || expr[i] == '{' || expr[i] == '}')) ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(expr[i + 1])))) {
      // Numbers, and durations after `offset` (5m, 1h30m).
      while (i < n && (std::isalnum(static_cast<unsigned char>(expr[i])) || expr[i] == '.')) ++i;
    } else if (IdentStart(c)) {
      size_t start = i;
      while (i < n && IdentChar(expr[i])) ++i;
      std::string word = expr.substr(start, i - start);
      size_t next = skip_space(i);
      bool call = next < n && expr[next] == '(';
      if (GroupingKeywords().count(word) && call) {
        absl::StatusOr<size_t> end = skip_group(next, '(', ')');
        if (!end.ok()) return end.status();
        i = *end;
      } else if (call || Keywords().count(word)) {
        // function or aggregation name, or operator keyword
      } else {
        names.insert(word);
      }
    } else {
      if (c == '(') ++paren_depth;
      if (c == ')' && --paren_depth < 0) return absl::InvalidArgumentError("unbalanced ')'");
      ++i;
    }
  }
  if (paren_depth != 0) return absl::InvalidArgumentError("unbalanced '('");
  if (names.empty()) return absl::InvalidArgumentError("names no metric");
  return names;
}

bool IsAllowedMetric(const std::string& name, const std::set<std::string>& allowed) {
  if (allowed.count(name)) return true;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    if (absl::EndsWith(name, suffix) &&
        allowed.count(name.substr(0, name.size() - std::char_traits<char>::length(suffix)))) {
      return true;
    }
  }
  return false;
}

const std::set<std::string>& GopMetricNames() {
  static const auto* names = new std::set<std::string>{
      "gop_cells", "gop_cells_total", "gop_agents_connected", "gop_agent_current_cell",
      "gop_agent_requests_per_second", "gop_agent_p99_seconds"};
  return *names;
}

const std::set<std::string>& MiniboxMetricNames() {
  static const auto* names = new std::set<std::string>{
      "aidbox_http_request_duration_seconds",  // histogram: method, route, status
      "hikari_active_count", "hikari_idle_count", "hikari_pending_count", "hikari_max_size",
      "hikari_acquire_wait_seconds",  // histogram
      "hikari_timeout_total", "minibox_worker_threads", "minibox_worker_busy",
      "minibox_worker_busy_max", "minibox_worker_queued"};
  return *names;
}

const std::set<std::string>& DocumentedExternalMetricNames() {
  static const auto* names = new std::set<std::string>{
      // Aidbox metrics server: HTTP
      "aidbox_http_request_duration_seconds_bucket", "aidbox_http_request_duration_seconds_count",
      "aidbox_http_request_duration_seconds_sum", "aidbox_http_request_wait_seconds_bucket",
      "aidbox_http_request_wait_seconds_count", "aidbox_http_request_wait_seconds_sum",
      // Aidbox: PostgreSQL
      "pg_requests_total", "pg_inserts_total", "pg_updates_total", "pg_deletes_total",
      "pg_blks_hit", "pg_blks_read", "pg_tup_fetched", "pg_tup_returned", "pg_errors_total",
      "pg_activity_count", "pg_idx_scan", "pg_seq_scan", "pg_stat_statements_total_calls",
      "pg_stat_statements_stddev_execution_time", "pg_stat_statements_mean_execution_time",
      "pg_table_size", "pg_database_size", "pg_activity_max",
      // Aidbox: Hikari connection pool
      "hikari_active_count", "hikari_idle_count", "hikari_acquire_created_seconds_bucket",
      "hikari_acquire_created_seconds_count", "hikari_acquire_created_seconds_sum",
      "hikari_acquired_total", "hikari_acquire_wait_seconds_bucket",
      "hikari_acquire_wait_seconds_sum", "hikari_acquire_used_seconds_bucket", "hikari_max_size",
      // Aidbox: JVM
      "jvm_gc_time", "jvm_gc_count", "jvm_heap_memory", "jvm_non_heap_memory",
      "jvm_thread_count", "jvm_thread_peak_count", "jvm_thread_daemon_count",
      "jvm_available_processors_size", "jvm_max_memory_size", "jvm_total_memory_size",
      // cAdvisor (container metrics)
      "container_cpu_usage_seconds_total", "container_spec_cpu_quota",
      "container_spec_cpu_period", "container_memory_working_set_bytes",
      // Prometheus itself
      "up"};
  return *names;
}

absl::StatusOr<std::vector<DashboardQuery>> LoadDashboardQueries(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  nlohmann::json dash;
  try {
    dash = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", e.what()));
  }
  std::vector<DashboardQuery> out;
  if (!dash.contains("panels") || !dash["panels"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": no panels array"));
  }
  std::vector<const nlohmann::json*> panels;
  for (const auto& p : dash["panels"]) {
    panels.push_back(&p);
    if (p.contains("panels")) {
      for (const auto& nested : p["panels"]) panels.push_back(&nested);
    }
  }
  for (const nlohmann::json* p : panels) {
    if (!p->contains("targets")) continue;
    std::string title = p->value("title", "(untitled)");
    std::string panel_uid;
    if (p->contains("datasource") && (*p)["datasource"].is_object()) {
      panel_uid = (*p)["datasource"].value("uid", "");
    }
    for (const auto& t : (*p)["targets"]) {
      DashboardQuery q;
      q.panel_title = title;
      q.ref_id = t.value("refId", "?");
      q.expr = t.value("expr", "");
      q.datasource_uid = panel_uid;
      if (t.contains("datasource") && t["datasource"].is_object()) {
        q.datasource_uid = t["datasource"].value("uid", panel_uid);
      }
      out.push_back(std::move(q));
    }
  }
  return out;
}

}  // namespace gop::testing
