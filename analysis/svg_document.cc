#include "analysis/svg_document.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gop::analysis {

SvgDocument::SvgDocument(double width, double height, absl::string_view title)
    : width_(width), height_(height) {
  absl::StrAppend(&body_, "<title>", XmlEscape(title), "</title>\n");
}

void SvgDocument::Rect(double x, double y, double w, double h, absl::string_view fill,
                       absl::string_view extra) {
  absl::StrAppend(&body_, "<rect x=\"", Coord(x), "\" y=\"", Coord(y), "\" width=\"", Coord(w),
                  "\" height=\"", Coord(h), "\" fill=\"", fill, "\"",
                  extra.empty() ? "" : " ", extra, "/>\n");
}

void SvgDocument::Line(double x1, double y1, double x2, double y2, absl::string_view stroke,
                       double stroke_width, absl::string_view extra) {
  absl::StrAppend(&body_, "<line x1=\"", Coord(x1), "\" y1=\"", Coord(y1), "\" x2=\"", Coord(x2),
                  "\" y2=\"", Coord(y2), "\" stroke=\"", stroke, "\" stroke-width=\"",
                  Coord(stroke_width), "\"", extra.empty() ? "" : " ", extra, "/>\n");
}

void SvgDocument::Polyline(const std::vector<std::pair<double, double>>& points,
                           absl::string_view stroke, double stroke_width,
                           absl::string_view extra) {
  std::string pts;
  for (const auto& [x, y] : points) {
    absl::StrAppend(&pts, pts.empty() ? "" : " ", Coord(x), ",", Coord(y));
  }
  absl::StrAppend(&body_, "<polyline points=\"", pts, "\" fill=\"none\" stroke=\"", stroke,
                  "\" stroke-width=\"", Coord(stroke_width), "\"", extra.empty() ? "" : " ",
                  extra, "/>\n");
}

void SvgDocument::Circle(double cx, double cy, double r, absl::string_view fill,
                         absl::string_view extra) {
  absl::StrAppend(&body_, "<circle cx=\"", Coord(cx), "\" cy=\"", Coord(cy), "\" r=\"", Coord(r),
                  "\" fill=\"", fill, "\"", extra.empty() ? "" : " ", extra, "/>\n");
}

void SvgDocument::Text(double x, double y, absl::string_view text, absl::string_view attributes) {
  absl::StrAppend(&body_, "<text x=\"", Coord(x), "\" y=\"", Coord(y), "\"",
                  attributes.empty() ? "" : " ", attributes, ">", XmlEscape(text), "</text>\n");
}

void SvgDocument::Raw(absl::string_view markup) { absl::StrAppend(&body_, markup, "\n"); }

std::string SvgDocument::Finish() const {
  return absl::StrCat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"", Coord(width_), "\" height=\"",
      Coord(height_), "\" viewBox=\"0 0 ", Coord(width_), " ", Coord(height_),
      "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"13\">\n",
      "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n", body_, "</svg>\n");
}

std::string XmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Coord(double value) {
  std::string s = absl::StrFormat("%.1f", value);
  return s == "-0.0" ? "0.0" : s;
}

namespace {

struct Rgb {
  double r, g, b;
};

// Viridis sampled at 0, 0.25, 0.5, 0.75, 1.
constexpr std::array<Rgb, 5> kViridis = {{{68, 1, 84},
                                          {59, 82, 139},
                                          {33, 145, 140},
                                          {94, 201, 98},
                                          {253, 231, 37}}};

Rgb ScaleRgb(double t) {
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
  const double pos = t * (kViridis.size() - 1);
  const size_t i = std::min(static_cast<size_t>(pos), kViridis.size() - 2);
  const double f = pos - i;
  const Rgb& a = kViridis[i];
  const Rgb& b = kViridis[i + 1];
  return {a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f};
}

}  // namespace

std::string ScaleColor(double t) {
  const Rgb c = ScaleRgb(t);
  return absl::StrFormat("#%02x%02x%02x", static_cast<int>(std::lround(c.r)),
                         static_cast<int>(std::lround(c.g)), static_cast<int>(std::lround(c.b)));
}

std::string TextColorOn(double t) {
  const Rgb c = ScaleRgb(t);
  const double luminance = 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
  return luminance > 140 ? "#000000" : "#ffffff";
}

std::string SeriesColor(int index) {
  static constexpr std::array<const char*, 10> kColors = {
      "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
      "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"};
  return kColors[static_cast<size_t>(index) % kColors.size()];
}

std::vector<double> NiceTicks(double lo, double hi, int target) {
  if (!(hi > lo)) hi = lo + 1;
  const double raw = (hi - lo) / std::max(target, 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  // Whole steps from at or below lo to at or above hi, so the data fits.
  const int64_t first = static_cast<int64_t>(std::floor(lo / step + 1e-9));
  const int64_t last = static_cast<int64_t>(std::ceil(hi / step - 1e-9));
  for (int64_t i = first; i <= last; ++i) ticks.push_back(i * step);
  return ticks;
}

}  // namespace gop::analysis
