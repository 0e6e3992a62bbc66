#include "analysis/html_report.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "analysis/csv_tables.h"
#include "analysis/heatmap_svg.h"
#include "analysis/svg_document.h"
#include "common/result_file.h"

namespace gop::analysis {
namespace {

constexpr const char* kStyle = R"css(
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; margin: 0;
       background: #f6f7f9; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 10px; border-bottom: 2px solid #e4e6ea; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 8px; }
.sub { color: #666; margin: 0 0 18px; }
.cards { display: flex; flex-wrap: wrap; gap: 14px; }
.card { flex: 1 1 300px; border: 1px solid #d9dce1; border-radius: 8px; padding: 12px 16px;
        background: #fbfcfd; }
.card h3 { margin: 0 0 6px; font-size: 14px; text-transform: uppercase; letter-spacing: .04em;
           color: #555; }
.card .cfg { font-size: 22px; font-weight: bold; }
.card .fig { font-size: 14px; margin-top: 2px; }
.card .note { font-size: 13px; color: #555; margin-top: 6px; }
.tie { color: #8a5300; font-weight: bold; }
.cfg .tie { font-size: 17px; }
.cpu { margin-top: 10px; font-weight: bold; font-size: 15px; }
.warn { background: #fff6e0; border: 1px solid #f0d48a; border-radius: 6px; padding: 8px 14px; }
.warn li { margin: 3px 0; }
.fail { color: #b00020; font-weight: bold; }
.muted { color: #777; }
.pics { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
.pics svg { max-width: 100%; height: auto; border: 1px solid #eceef1; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0 12px; }
th, td { border: 1px solid #dde0e4; padding: 4px 8px; text-align: right; vertical-align: top; }
th { background: #eef0f3; }
td.l, th.l { text-align: left; }
tr:nth-child(even) td { background: #fafbfc; }
tr.best td { background: #fdf0f7; }
pre { background: #f3f4f6; padding: 10px; border-radius: 6px; font-size: 12px; overflow-x: auto; }
.defs { font-size: 13px; color: #555; }
)css";

std::string Esc(absl::string_view s) { return XmlEscape(s); }

std::string Config(const ConfigStats& c) {
  return absl::StrCat(c.key.web_threads, c.key.web_threads == 1 ? " web thread" : " web threads",
                      ", DB pool ", c.key.db_pool);
}

std::string WithInterval(double value, const Interval& iv, Metric metric) {
  std::string s = FormatMetric(value, metric);
  if (iv.HasSpread()) {
    absl::StrAppend(&s, " \u00b1 ", FormatMetric(iv.HalfWidth(), metric));
  }
  return s;
}

std::string PickCard(const std::vector<ConfigStats>& configs, const Pick& pick,
                     const char* goal, const char* rule, Metric metric) {
  std::string out = absl::StrCat("<div class=\"card\"><h3>", goal, "</h3>");
  if (pick.winner < 0) {
    return out + "<div class=\"muted\">no successful configuration</div></div>";
  }
  const ConfigStats& w = configs[pick.winner];
  absl::StrAppend(&out, "<div class=\"cfg\">", w.key.web_threads,
                  w.key.web_threads == 1 ? " thread" : " threads", " \u00d7 pool ",
                  w.key.db_pool);
  if (pick.tie) {
    const ConfigStats& r = configs[pick.runner_up];
    absl::StrAppend(&out, " <span class=\"tie\">or ", r.key.web_threads,
                    r.key.web_threads == 1 ? " thread" : " threads", " \u00d7 pool ",
                    r.key.db_pool, "</span>");
  }
  absl::StrAppend(&out, "</div>");
  absl::StrAppend(&out, "<div class=\"fig\">", WithInterval(w.rps, w.rps_interval, Metric::kAvgRps),
                  " req/s \u00b7 p99 ", WithInterval(w.p99_ms, w.p99_interval, Metric::kP99Latency),
                  " ms</div>");
  if (pick.runner_up >= 0) {
    const ConfigStats& r = configs[pick.runner_up];
    const Interval& wi = metric == Metric::kAvgRps ? w.rps_interval : w.p99_interval;
    const std::string runner = absl::StrCat(
        Config(r), " (", WithInterval(MetricValue(r, metric),
                                      metric == Metric::kAvgRps ? r.rps_interval : r.p99_interval,
                                      metric),
        metric == Metric::kAvgRps ? " req/s" : " ms p99", ")");
    if (pick.tie) {
      absl::StrAppend(&out, "<div class=\"note tie\">Tie with ", Esc(runner),
                      ": the 95% intervals overlap, so the data cannot tell them apart. "
                      "Either is a good choice; more repetitions could separate them.</div>");
    } else if (wi.HasSpread()) {
      absl::StrAppend(&out, "<div class=\"note\">Ahead of the runner-up, ", Esc(runner),
                      "; the 95% intervals do not overlap.</div>");
    } else {
      absl::StrAppend(&out, "<div class=\"note\">Runner-up: ", Esc(runner),
                      ". One repetition only: no confidence interval.</div>");
    }
  }
  absl::StrAppend(&out, "<div class=\"note muted\">", rule, "</div></div>");
  return out;
}

std::string Percent(int64_t part, int64_t whole) {
  if (whole <= 0) return "0%";
  return absl::StrFormat("%.2f%%", 100.0 * part / whole);
}

}  // namespace

std::string RenderHtmlReport(const ReportInput& in) {
  const std::vector<ConfigStats>& configs = *in.configs;
  const LoadedResults& loaded = *in.loaded;
  std::string h;
  h.reserve(1 << 20);
  absl::StrAppend(&h,
                  "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<title>Game of Pools \u2014 results</title><style>",
                  kStyle, "</style></head><body><main>\n");

  // Header line: what was analysed.
  int failed = 0, as_given = 0;
  for (const ConfigStats& c : configs) {
    failed += c.ok() ? 0 : 1;
    as_given += c.ok() && c.percentiles_as_given ? 1 : 0;
  }
  std::optional<absl::Time> first, last;
  std::set<std::string> scenarios, executors;
  for (const CellRecord& r : loaded.records) {
    if (r.finished.has_value()) {
      first = first.has_value() ? std::min(*first, *r.finished) : *r.finished;
      last = last.has_value() ? std::max(*last, *r.finished) : *r.finished;
    }
    if (!r.scenario.empty()) scenarios.insert(r.scenario);
    if (!r.executor.empty()) executors.insert(r.executor);
  }
  absl::StrAppend(&h, "<h1>Game of Pools \u2014 results</h1><p class=\"sub\">",
                  loaded.records.size(), " result files, ", configs.size(), " configurations (",
                  failed, " failed), ", in.recommendations->size(), " CPU limit",
                  in.recommendations->size() == 1 ? "" : "s");
  if (!scenarios.empty()) {
    absl::StrAppend(&h, " \u00b7 scenario ", Esc(absl::StrJoin(scenarios, ", ")));
  }
  if (last.has_value()) {
    absl::StrAppend(&h, " \u00b7 finished ",
                    absl::FormatTime("%Y-%m-%d %H:%M UTC", *last, absl::UTCTimeZone()));
  }
  absl::StrAppend(&h, "</p>\n");

  // 1. The recommendation.
  absl::StrAppend(&h, "<h2>Recommendation</h2>\n");
  for (const CpuRecommendation& rec : *in.recommendations) {
    absl::StrAppend(&h, "<div class=\"cpu\">CPU limit ", FormatCpuLimit(rec.cpu_limit),
                    "</div><div class=\"cards\">");
    absl::StrAppend(&h, PickCard(configs, rec.throughput, "Throughput",
                                 "Highest requests per second.", Metric::kAvgRps));
    absl::StrAppend(&h, PickCard(configs, rec.latency, "Latency", "Lowest p99 latency.",
                                 Metric::kP99Latency));
    absl::StrAppend(
        &h, PickCard(configs, rec.balanced, "Balanced",
                     absl::StrCat("Highest requests per second among configurations whose p99 "
                                  "is at most 1.25 \u00d7 the lowest (\u2264 ",
                                  Fixed2(rec.balanced_p99_limit_ms), " ms).")
                         .c_str(),
                     Metric::kAvgRps));
    absl::StrAppend(&h, "</div>\n");
  }
  absl::StrAppend(&h,
                  "<p class=\"defs\">Percentiles come from latency histograms merged over every "
                  "repetition and agent, never from averaged percentiles. \u00b1 is the 95% "
                  "confidence interval (Student t) of the per-repetition figures.</p>\n");

  // 2. Problems worth knowing before reading on.
  std::vector<std::string> warnings;
  for (const CorruptFile& f : loaded.corrupt) {
    warnings.push_back(absl::StrCat("<b>Corrupt result file</b> <code>", Esc(f.file),
                                    "</code>: ", Esc(f.reason), " (left out)."));
  }
  for (const ConfigStats& c : configs) {
    if (!c.ok()) {
      warnings.push_back(absl::StrCat("<span class=\"fail\">FAILED</span> CPU ",
                                      FormatCpuLimit(c.key.cpu_limit), ", ", Esc(Config(c)),
                                      ": ", Esc(absl::StrJoin(c.failure_reasons, "; "))));
    } else if (c.runs_failed > 0) {
      warnings.push_back(absl::StrCat("CPU ", FormatCpuLimit(c.key.cpu_limit), ", ",
                                      Esc(Config(c)), ": ", c.runs_failed,
                                      " repetition(s) failed: ",
                                      Esc(absl::StrJoin(c.failure_reasons, "; "))));
    }
    for (const std::string& w : c.warnings) {
      warnings.push_back(absl::StrCat("CPU ", FormatCpuLimit(c.key.cpu_limit), ", ",
                                      Esc(Config(c)), ": ", Esc(w)));
    }
  }
  if (as_given > 0) {
    warnings.push_back(absl::StrCat(
        as_given,
        " configuration(s) come from k6 summaries without histograms: their percentiles are "
        "k6's, used as given (marked \u2020 below)."));
  }
  for (const std::string& w : in.warnings) warnings.push_back(Esc(w));
  if (!warnings.empty()) {
    absl::StrAppend(&h, "<h2>Warnings</h2><div class=\"warn\"><ul>");
    for (const std::string& w : warnings) absl::StrAppend(&h, "<li>", w, "</li>");
    absl::StrAppend(&h, "</ul></div>\n");
  }

  // 3. Pictures per CPU limit.
  for (const CpuPictures& p : in.pictures) {
    absl::StrAppend(&h, "<h2>CPU limit ", FormatCpuLimit(p.cpu_limit), "</h2>\n<div class=\"pics\">",
                    p.rps_heatmap, p.p99_heatmap, "</div>\n<div class=\"pics\">",
                    p.rps_line_chart, p.latency_spectrum, "</div>\n");
  }

  // 4. Tables.
  absl::StrAppend(&h,
                  "<h2>All configurations</h2><table><tr><th>CPU</th><th>Web threads</th>"
                  "<th>DB pool</th><th>Multipliers<br>(web \u00d7 db)</th><th>Runs</th>"
                  "<th>req/s</th><th>p99 ms</th><th>p95 ms</th><th>p50 ms</th><th>avg ms</th>"
                  "<th>Requests</th><th>Errors</th><th class=\"l\">Agents</th></tr>\n");
  std::set<int> recommended;
  for (const CpuRecommendation& rec : *in.recommendations) {
    for (const Pick* p : {&rec.throughput, &rec.latency, &rec.balanced}) {
      if (p->winner >= 0) recommended.insert(p->winner);
    }
  }
  for (size_t i = 0; i < configs.size(); ++i) {
    const ConfigStats& c = configs[i];
    const std::string mult =
        c.web_thread_multiplier > 0
            ? absl::StrCat(c.web_thread_multiplier, " \u00d7 ", c.db_pool_multiplier)
            : "\u2013";
    absl::StrAppend(&h, "<tr", recommended.contains(static_cast<int>(i)) ? " class=\"best\"" : "",
                    "><td>", FormatCpuLimit(c.key.cpu_limit), "</td><td>", c.key.web_threads,
                    "</td><td>", c.key.db_pool, "</td><td>", mult, "</td><td>", c.runs_ok,
                    c.runs_failed > 0 ? absl::StrCat(" (+", c.runs_failed, " failed)") : "",
                    "</td>");
    if (!c.ok()) {
      absl::StrAppend(&h, "<td colspan=\"7\" class=\"l fail\">FAILED: ",
                      Esc(absl::StrJoin(c.failure_reasons, "; ")), "</td>");
    } else {
      const std::string dagger = c.percentiles_as_given ? " \u2020" : "";
      absl::StrAppend(&h, "<td>", WithInterval(c.rps, c.rps_interval, Metric::kAvgRps),
                      "</td><td>", WithInterval(c.p99_ms, c.p99_interval, Metric::kP99Latency),
                      dagger, "</td><td>", Fixed2(c.p95_ms), dagger, "</td><td>",
                      c.latency.has_value() ? Fixed2(c.p50_ms) : "\u2013", "</td><td>",
                      Fixed2(c.avg_ms), dagger, "</td><td>", c.requests, "</td><td>", c.errors,
                      " (", Percent(c.errors, c.requests), ")</td>");
    }
    absl::StrAppend(&h, "<td class=\"l\">", Esc(absl::StrJoin(c.agents, ", ")), "</td></tr>\n");
  }
  absl::StrAppend(&h, "</table>\n");
  if (as_given > 0) {
    absl::StrAppend(&h, "<p class=\"defs\">\u2020 k6 percentiles as given (no histogram).</p>\n");
  }

  // Per-operation figures of the recommended configurations.
  for (int index : recommended) {
    const ConfigStats& c = configs[index];
    if (c.operations.empty()) continue;
    absl::StrAppend(&h, "<h3>Operations \u2014 CPU ", FormatCpuLimit(c.key.cpu_limit), ", ",
                    Esc(Config(c)),
                    "</h3><table><tr><th class=\"l\">Operation</th><th>Requests</th>"
                    "<th>Errors</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th></tr>");
    for (const OperationStats& op : c.operations) {
      auto ms = [&](double p) {
        return op.latency.has_value() ? Fixed2(op.latency->ValueAtPercentile(p) / 1000.0)
                                      : std::string("\u2013");
      };
      absl::StrAppend(&h, "<tr><td class=\"l\">", Esc(op.name), "</td><td>", op.requests,
                      "</td><td>", op.errors, "</td><td>", ms(50), "</td><td>", ms(99),
                      "</td><td>",
                      op.latency.has_value() ? Fixed2(op.latency->Max() / 1000.0) : "\u2013",
                      "</td></tr>");
    }
    absl::StrAppend(&h, "</table>\n");
  }

  // 5. Run settings and agents.
  absl::StrAppend(&h, "<h2>Run settings</h2><table>");
  auto setting = [&](const char* name, const std::string& value) {
    absl::StrAppend(&h, "<tr><th class=\"l\">", name, "</th><td class=\"l\">", Esc(value),
                    "</td></tr>");
  };
  setting("Result directory", in.result_dir);
  if (!scenarios.empty()) setting("Scenario", absl::StrJoin(scenarios, ", "));
  if (!executors.empty()) setting("Executor", absl::StrJoin(executors, ", "));
  std::set<double> durations;
  std::set<int> vus;
  std::set<double> rates;
  for (const CellRecord& r : loaded.records) {
    if (r.duration_s > 0) durations.insert(r.duration_s);
    if (r.vus > 0) vus.insert(r.vus);
    if (r.rate > 0) rates.insert(r.rate);
  }
  if (!durations.empty()) setting("Measured duration (s)", absl::StrJoin(durations, ", "));
  if (!vus.empty()) setting("Virtual users", absl::StrJoin(vus, ", "));
  if (!rates.empty()) setting("Rate (iterations/s)", absl::StrJoin(rates, ", "));
  if (first.has_value() && last.has_value()) {
    setting("Cells finished", absl::StrCat(
                                  absl::FormatTime("%Y-%m-%d %H:%M:%S", *first, absl::UTCTimeZone()),
                                  " \u2013 ",
                                  absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", *last,
                                                   absl::UTCTimeZone())));
  }
  absl::StrAppend(&h, "</table>\n");
  if (in.settings->found) {
    absl::StrAppend(&h, "<h3>grid.yaml</h3><pre>", Esc(in.settings->grid_yaml), "</pre>\n");
  } else {
    absl::StrAppend(&h, "<p class=\"muted\">No grid.yaml next to the result directory.</p>\n");
  }

  struct AgentInfo {
    int cells = 0;
    int failed = 0;
    std::set<std::string> mechanisms;
  };
  std::map<std::string, AgentInfo> agents;
  for (const CellRecord& r : loaded.records) {
    AgentInfo& a = agents[r.agent_id.empty() ? "(not recorded)" : r.agent_id];
    ++a.cells;
    a.failed += r.ok ? 0 : 1;
    if (!r.cpu_limit_mechanism.empty()) a.mechanisms.insert(r.cpu_limit_mechanism);
  }
  absl::StrAppend(&h,
                  "<h2>Agents</h2><table><tr><th class=\"l\">Agent</th><th>Cells</th>"
                  "<th>Failed</th><th class=\"l\">CPU limit mechanism</th></tr>");
  for (const auto& [id, a] : agents) {
    absl::StrAppend(&h, "<tr><td class=\"l\">", Esc(id), "</td><td>", a.cells, "</td><td>",
                    a.failed, "</td><td class=\"l\">", Esc(absl::StrJoin(a.mechanisms, ", ")),
                    "</td></tr>");
  }
  absl::StrAppend(&h, "</table>\n");

  // 6. Files.
  absl::StrAppend(&h, "<h2>Files</h2><p class=\"defs\">");
  for (size_t i = 0; i < in.output_files.size(); ++i) {
    absl::StrAppend(&h, i == 0 ? "" : " \u00b7 ", "<a href=\"", Esc(in.output_files[i]), "\">",
                    Esc(in.output_files[i]), "</a>");
  }
  absl::StrAppend(&h, "</p>\n<p class=\"muted\">Generated by gop-analyze from the result files "
                      "alone; run it again on the same directory to regenerate.</p>\n"
                      "</main></body></html>\n");
  return h;
}

}  // namespace gop::analysis
