#include "analysis/heatmap_svg.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "analysis/svg_document.h"
#include "common/result_file.h"

namespace gop::analysis {
namespace {

constexpr double kLeft = 110;
constexpr double kTop = 56;
constexpr double kCellH = 50;
constexpr double kBestStroke = 4;
constexpr const char* kBestColor = "#e4007c";

const char* MetricTitle(Metric metric) {
  switch (metric) {
    case Metric::kAvgRps:
      return "Requests per second";
    case Metric::kP99Latency:
      return "P99 latency (ms)";
    case Metric::kP95Latency:
      return "P95 latency (ms)";
    case Metric::kAvgLatency:
      return "Average latency (ms)";
  }
  return "";
}

const char* MetricId(Metric metric) {
  switch (metric) {
    case Metric::kAvgRps:
      return "rps";
    case Metric::kP99Latency:
      return "p99";
    case Metric::kP95Latency:
      return "p95";
    case Metric::kAvgLatency:
      return "avg";
  }
  return "";
}

const Interval* MetricInterval(const ConfigStats& c, Metric metric) {
  if (metric == Metric::kAvgRps) return &c.rps_interval;
  if (metric == Metric::kP99Latency) return &c.p99_interval;
  return nullptr;
}

}  // namespace

std::string FormatMetric(double value, Metric metric) {
  if (metric == Metric::kAvgRps) {
    return value >= 1000 ? absl::StrFormat("%.0f", value) : absl::StrFormat("%.1f", value);
  }
  return absl::StrFormat("%.2f", value);
}

std::string HeatmapSvg(const std::vector<ConfigStats>& configs, double cpu_limit, Metric metric,
                       const Pick& best) {
  std::set<int> thread_set, pool_set;
  std::vector<const ConfigStats*> here;
  double lo = 0, hi = 0;
  bool any = false;
  for (const ConfigStats& c : configs) {
    if (c.key.cpu_limit != cpu_limit) continue;
    here.push_back(&c);
    thread_set.insert(c.key.web_threads);
    pool_set.insert(c.key.db_pool);
    if (!c.ok()) continue;
    const double v = MetricValue(c, metric);
    lo = any ? std::min(lo, v) : v;
    hi = any ? std::max(hi, v) : v;
    any = true;
  }
  const std::vector<int> threads(thread_set.begin(), thread_set.end());
  const std::vector<int> pools(pool_set.begin(), pool_set.end());
  const bool higher_better = HigherIsBetter(metric);
  // 1 = best end of the scale (bright), 0 = worst end (dark).
  auto t_of = [&](double v) {
    if (hi <= lo) return 1.0;
    const double t = (v - lo) / (hi - lo);
    return higher_better ? t : 1 - t;
  };

  // Wide grids (the seed's multipliers give many distinct pool sizes) get
  // narrower cells so the picture stays readable at page width.
  const bool narrow = pools.size() > 8;
  const double kCellW = narrow ? std::max(60.0, 900.0 / pools.size()) : 88;
  const char* value_font = narrow ? " font-size=\"12\"" : "";
  const double grid_w = kCellW * pools.size();
  const double grid_h = kCellH * threads.size();
  const double legend_x = kLeft + grid_w + 36;
  const double legend_h = std::max(grid_h, 100.0);
  const double width = std::max(legend_x + 130, kLeft + 300);
  // Below the grid: column labels and axis title, then the key to the marks.
  const double key_y = kTop + std::max(grid_h + 74, legend_h + 24);
  const double height = key_y + 14;
  const std::string title = absl::StrCat(MetricTitle(metric), " \u2014 CPU limit ",
                                         FormatCpuLimit(cpu_limit));
  SvgDocument svg(width, height, title);
  svg.Text(kLeft, 28, title, "font-size=\"16\" font-weight=\"bold\"");

  // Cells.
  for (size_t row = 0; row < threads.size(); ++row) {
    for (size_t col = 0; col < pools.size(); ++col) {
      const double x = kLeft + col * kCellW;
      const double y = kTop + row * kCellH;
      const double cx = x + kCellW / 2;
      const ConfigKey key{cpu_limit, threads[row], pools[col]};
      auto it = std::find_if(here.begin(), here.end(),
                             [&](const ConfigStats* c) { return c->key == key; });
      if (it == here.end()) {
        svg.Rect(x, y, kCellW, kCellH, "#f0f0f0", "stroke=\"#ffffff\" stroke-width=\"2\"");
        svg.Text(cx, y + kCellH / 2 + 5, "N/A", "text-anchor=\"middle\" fill=\"#888888\"");
        continue;
      }
      const ConfigStats& c = **it;
      if (!c.ok()) {
        svg.Rect(x, y, kCellW, kCellH, "#fbe3e3", "stroke=\"#ffffff\" stroke-width=\"2\"");
        svg.Text(cx, y + kCellH / 2 + 5, "FAILED",
                 "text-anchor=\"middle\" fill=\"#b00020\" font-weight=\"bold\"");
        continue;
      }
      const double v = MetricValue(c, metric);
      const double t = t_of(v);
      svg.Rect(x, y, kCellW, kCellH, ScaleColor(t), "stroke=\"#ffffff\" stroke-width=\"2\"");
      const int index = static_cast<int>(&c - configs.data());
      const bool is_best = index == best.winner || (best.tie && index == best.runner_up);
      std::string note;
      if (is_best) note = best.tie ? "\u2605 tie" : "\u2605 best";
      if (const Interval* iv = MetricInterval(c, metric);
          !narrow && iv != nullptr && iv->HasSpread()) {
        absl::StrAppend(&note, note.empty() ? "" : " ", "\u00b1",
                        FormatMetric(iv->HalfWidth(), metric));
      }
      const std::string fg = TextColorOn(t);
      const double value_y = note.empty() ? y + kCellH / 2 + 5 : y + kCellH / 2 - 1;
      svg.Text(cx, value_y, FormatMetric(v, metric),
               absl::StrCat("text-anchor=\"middle\" font-weight=\"bold\" fill=\"", fg, "\"",
                            value_font));
      if (!note.empty()) {
        svg.Text(cx, y + kCellH / 2 + 15, note,
                 absl::StrCat("text-anchor=\"middle\" font-size=\"11\" fill=\"", fg, "\""));
      }
      if (is_best) {
        svg.Rect(x + kBestStroke / 2, y + kBestStroke / 2, kCellW - kBestStroke,
                 kCellH - kBestStroke, "none",
                 absl::StrCat("stroke=\"", kBestColor, "\" stroke-width=\"",
                              Coord(kBestStroke), "\""));
      }
    }
  }

  // Axes: row labels (web threads) on the left, column labels (pool) below.
  for (size_t row = 0; row < threads.size(); ++row) {
    svg.Text(kLeft - 10, kTop + row * kCellH + kCellH / 2 + 5, absl::StrCat(threads[row]),
             "text-anchor=\"end\"");
  }
  for (size_t col = 0; col < pools.size(); ++col) {
    svg.Text(kLeft + col * kCellW + kCellW / 2, kTop + grid_h + 20, absl::StrCat(pools[col]),
             "text-anchor=\"middle\"");
  }
  svg.Text(kLeft + grid_w / 2, kTop + grid_h + 44, "DB pool size",
           "text-anchor=\"middle\" font-weight=\"bold\"");
  const double mid_y = kTop + grid_h / 2;
  svg.Text(30, mid_y, "Web threads",
           absl::StrCat("text-anchor=\"middle\" font-weight=\"bold\" transform=\"rotate(-90 30 ",
                        Coord(mid_y), ")\""));

  // Colour legend: the bright (best) end on top.
  const std::string gradient_id = absl::StrCat(
      "heat-", MetricId(metric), "-cpu", absl::StrReplaceAll(FormatCpuLimit(cpu_limit), {{".", "_"}}));
  std::string stops;
  for (int i = 0; i <= 4; ++i) {
    absl::StrAppend(&stops, "<stop offset=\"", i * 25, "%\" stop-color=\"",
                    ScaleColor(1.0 - i / 4.0), "\"/>");
  }
  svg.Raw(absl::StrCat("<defs><linearGradient id=\"", gradient_id,
                       "\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">", stops,
                       "</linearGradient></defs>"));
  svg.Rect(legend_x, kTop, 18, legend_h, absl::StrCat("url(#", gradient_id, ")"),
           "stroke=\"#666666\" stroke-width=\"0.5\"");
  if (any) {
    const double best_value = higher_better ? hi : lo;
    const double worst_value = higher_better ? lo : hi;
    svg.Text(legend_x + 24, kTop + 10, FormatMetric(best_value, metric), "font-size=\"12\"");
    svg.Text(legend_x + 24, kTop + 25, "(better)", "font-size=\"11\" fill=\"#555555\"");
    svg.Text(legend_x + 24, kTop + legend_h, FormatMetric(worst_value, metric),
             "font-size=\"12\"");
  }
  svg.Text(legend_x, kTop - 10, metric == Metric::kAvgRps ? "req/s" : "ms",
           "font-size=\"12\" fill=\"#555555\"");

  // Key to the marks.
  svg.Rect(kLeft, key_y - 11, 14, 14, "none",
           absl::StrCat("stroke=\"", kBestColor, "\" stroke-width=\"3\""));
  svg.Text(kLeft + 20, key_y, "best", "font-size=\"12\"");
  svg.Rect(kLeft + 64, key_y - 11, 14, 14, "#f0f0f0", "stroke=\"#cccccc\"");
  svg.Text(kLeft + 84, key_y, "N/A = not tested", "font-size=\"12\"");
  svg.Rect(kLeft + 200, key_y - 11, 14, 14, "#fbe3e3", "stroke=\"#cccccc\"");
  svg.Text(kLeft + 220, key_y, "FAILED", "font-size=\"12\"");
  return svg.Finish();
}

}  // namespace gop::analysis
