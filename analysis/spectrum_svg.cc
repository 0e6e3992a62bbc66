#include "analysis/spectrum_svg.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/svg_document.h"

namespace gop::analysis {
namespace {

constexpr double kWidth = 556;
constexpr double kTop = 50;
constexpr double kLeft = 80;
constexpr double kRight = 516;
constexpr double kPlotHeight = 280;
constexpr int kStepsPerDecade = 20;

// 0 -> 0%, 1 -> 90%, 2 -> 99%, 3 -> 99.9%, ...
std::string PercentLabel(int decades) {
  if (decades == 0) return "0%";
  if (decades == 1) return "90%";
  if (decades == 2) return "99%";
  return absl::StrCat("99.", std::string(decades - 2, '9'), "%");
}

std::string TickLabel(double v) {
  if (v == 0) return "0";
  return std::abs(v) >= 10 ? absl::StrFormat("%.0f", v) : absl::StrFormat("%.3g", v);
}

}  // namespace

std::string LatencySpectrumSvg(const std::vector<SpectrumSeries>& series, absl::string_view title) {
  int64_t max_count = 1;
  double y_hi = 0;
  for (const SpectrumSeries& s : series) {
    if (s.histogram == nullptr || s.histogram->TotalCount() == 0) continue;
    max_count = std::max(max_count, s.histogram->TotalCount());
    y_hi = std::max(y_hi, s.histogram->Max() / 1000.0);
  }
  const int decades =
      std::clamp(static_cast<int>(std::ceil(std::log10(static_cast<double>(max_count)))), 2, 6);
  const std::vector<double> y_ticks = NiceTicks(0, y_hi > 0 ? y_hi * 1.05 : 1, 5);
  const double y_max = y_ticks.back();
  const double bottom = kTop + kPlotHeight;
  const double legend_top = bottom + 62;
  const double height = legend_top + 22 * std::max<size_t>(series.size(), 1) + 10;
  auto px = [&](double x) { return kLeft + x / decades * (kRight - kLeft); };
  auto py = [&](double ms) { return bottom - ms / y_max * kPlotHeight; };

  SvgDocument svg(kWidth, height, title);
  svg.Text(kLeft, 28, title, "font-size=\"16\" font-weight=\"bold\"");
  for (double t : y_ticks) {
    svg.Line(kLeft, py(t), kRight, py(t), "#e6e6e6");
    svg.Text(kLeft - 8, py(t) + 4, TickLabel(t), "text-anchor=\"end\" font-size=\"12\"");
  }
  for (int d = 0; d <= decades; ++d) {
    svg.Line(px(d), kTop, px(d), bottom, "#e6e6e6");
    svg.Text(px(d), bottom + 20, PercentLabel(d), "text-anchor=\"middle\" font-size=\"12\"");
  }
  svg.Line(kLeft, bottom, kRight, bottom, "#333333");
  svg.Line(kLeft, kTop, kLeft, bottom, "#333333");
  svg.Text((kLeft + kRight) / 2, bottom + 44, "Percentile (log scale of 1/(1\u2212p))",
           "text-anchor=\"middle\" font-weight=\"bold\"");
  const double mid_y = (kTop + bottom) / 2;
  svg.Text(22, mid_y, "Latency (ms)",
           absl::StrCat("text-anchor=\"middle\" font-weight=\"bold\" transform=\"rotate(-90 22 ",
                        Coord(mid_y), ")\""));

  bool drawable = false;
  for (const SpectrumSeries& s : series) {
    drawable |= s.histogram != nullptr && s.histogram->TotalCount() > 0;
  }
  if (!drawable) {
    svg.Text((kLeft + kRight) / 2, mid_y,
             series.empty() ? "no successful configuration"
                            : "no latency histograms (k6 percentiles as given: see the tables)",
             "text-anchor=\"middle\" fill=\"#888888\"");
  }
  for (size_t i = 0; i < series.size(); ++i) {
    const SpectrumSeries& s = series[i];
    const std::string color = SeriesColor(static_cast<int>(i));
    const double ly = legend_top + 22 * i;
    if (s.histogram == nullptr || s.histogram->TotalCount() == 0) {
      svg.Text(kLeft + 30, ly + 4, absl::StrCat(s.label, " (no histogram: not drawn)"),
               "font-size=\"12\" fill=\"#888888\"");
      continue;
    }
    const Histogram& h = *s.histogram;
    const double last = std::min(std::log10(static_cast<double>(h.TotalCount())),
                                 static_cast<double>(decades));
    std::vector<std::pair<double, double>> points;
    for (int j = 0; j <= decades * kStepsPerDecade; ++j) {
      const double x = static_cast<double>(j) / kStepsPerDecade;
      if (x >= last) break;
      const double p = 100.0 * (1.0 - std::pow(10.0, -x));
      points.emplace_back(px(x), py(h.ValueAtPercentile(p) / 1000.0));
    }
    points.emplace_back(px(last), py(h.Max() / 1000.0));
    svg.Polyline(points, color, 2);
    svg.Line(kLeft, ly, kLeft + 24, ly, color, 3);
    svg.Text(kLeft + 30, ly + 4, s.label, "font-size=\"12\"");
  }
  return svg.Finish();
}

}  // namespace gop::analysis
