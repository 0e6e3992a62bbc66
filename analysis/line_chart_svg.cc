#include "analysis/line_chart_svg.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/svg_document.h"
#include "common/result_file.h"

namespace gop::analysis {
namespace {

constexpr double kWidth = 556;
constexpr double kHeight = 400;
constexpr double kLeft = 80;
constexpr double kRight = 430;
constexpr double kTop = 50;
constexpr double kBottom = 330;

std::string TickLabel(double v) {
  return v == static_cast<int64_t>(v) ? absl::StrCat(static_cast<int64_t>(v))
                                      : absl::StrFormat("%.1f", v);
}

}  // namespace

std::string RpsLineChartSvg(const std::vector<ConfigStats>& configs, double cpu_limit) {
  std::map<int, std::vector<const ConfigStats*>> by_pool;  // pool -> points by threads
  double x_lo = 0, x_hi = 0, y_hi = 0;
  bool any = false;
  for (const ConfigStats& c : configs) {
    if (c.key.cpu_limit != cpu_limit || !c.ok()) continue;
    by_pool[c.key.db_pool].push_back(&c);
    const double x = c.key.web_threads;
    x_lo = any ? std::min(x_lo, x) : x;
    x_hi = any ? std::max(x_hi, x) : x;
    y_hi = std::max(y_hi, std::max(c.rps, c.rps_interval.high));
    any = true;
  }
  // Ticks at the thread counts tested; a margin keeps end points off the axes.
  std::set<int> thread_ticks;
  for (const auto& [pool, points] : by_pool) {
    for (const ConfigStats* c : points) thread_ticks.insert(c->key.web_threads);
  }
  const double pad = std::max((x_hi - x_lo) * 0.06, 0.3);
  const double x_min = x_lo - pad;
  const double x_max = x_hi + pad;
  const std::vector<double> y_ticks = NiceTicks(0, y_hi > 0 ? y_hi * 1.05 : 1, 5);
  const double y_max = y_ticks.back();
  auto px = [&](double x) { return kLeft + (x - x_min) / (x_max - x_min) * (kRight - kLeft); };
  auto py = [&](double y) { return kBottom - y / y_max * (kBottom - kTop); };

  const std::string title = absl::StrCat("Requests per second by web threads \u2014 CPU limit ",
                                         FormatCpuLimit(cpu_limit));
  SvgDocument svg(kWidth, kHeight, title);
  svg.Text(kLeft, 28, title, "font-size=\"16\" font-weight=\"bold\"");

  for (double t : y_ticks) {
    svg.Line(kLeft, py(t), kRight, py(t), "#e6e6e6");
    svg.Text(kLeft - 8, py(t) + 4, TickLabel(t), "text-anchor=\"end\" font-size=\"12\"");
  }
  for (int t : thread_ticks) {
    svg.Line(px(t), kBottom, px(t), kBottom + 5, "#333333");
    svg.Text(px(t), kBottom + 20, TickLabel(t), "text-anchor=\"middle\" font-size=\"12\"");
  }
  svg.Line(kLeft, kBottom, kRight, kBottom, "#333333");
  svg.Line(kLeft, kTop, kLeft, kBottom, "#333333");
  svg.Text((kLeft + kRight) / 2, kBottom + 48, "Web threads",
           "text-anchor=\"middle\" font-weight=\"bold\"");
  const double mid_y = (kTop + kBottom) / 2;
  svg.Text(22, mid_y, "Requests per second",
           absl::StrCat("text-anchor=\"middle\" font-weight=\"bold\" transform=\"rotate(-90 22 ",
                        Coord(mid_y), ")\""));

  int series = 0;
  for (auto& [pool, points] : by_pool) {
    std::sort(points.begin(), points.end(), [](const ConfigStats* a, const ConfigStats* b) {
      return a->key.web_threads < b->key.web_threads;
    });
    const std::string color = SeriesColor(series);
    std::vector<std::pair<double, double>> line;
    for (const ConfigStats* c : points) line.emplace_back(px(c->key.web_threads), py(c->rps));
    const char* dash = series >= kSeriesColors ? "stroke-dasharray=\"6 3\"" : "";
    if (line.size() > 1) svg.Polyline(line, color, 2, dash);
    for (const ConfigStats* c : points) {
      const double x = px(c->key.web_threads);
      if (c->rps_interval.HasSpread()) {
        const double lo = py(std::max(0.0, c->rps_interval.low));
        const double hi = py(c->rps_interval.high);
        svg.Line(x, lo, x, hi, color, 1.5);
        svg.Line(x - 4, lo, x + 4, lo, color, 1.5);
        svg.Line(x - 4, hi, x + 4, hi, color, 1.5);
      }
      svg.Circle(x, py(c->rps), 4, color);
    }
    const double ly = kTop + 10 + series * 22;
    svg.Line(kRight + 20, ly, kRight + 44, ly, color, 2, dash);
    svg.Circle(kRight + 32, ly, 4, color);
    svg.Text(kRight + 52, ly + 4, absl::StrCat("DB pool ", pool), "font-size=\"12\"");
    ++series;
  }
  if (!any) {
    svg.Text((kLeft + kRight) / 2, mid_y, "no successful configuration",
             "text-anchor=\"middle\" fill=\"#888888\"");
  }
  return svg.Finish();
}

}  // namespace gop::analysis
