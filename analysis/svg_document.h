#ifndef GOP_ANALYSIS_SVG_DOCUMENT_H_
#define GOP_ANALYSIS_SVG_DOCUMENT_H_

#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

// A minimal SVG writer shared by the charts: elements are appended as text
// with coordinates at one decimal, so the output is byte-stable for golden
// files. (No Debian library writes plain, diffable chart SVG; cairo's SVG
// surface emits glyph outlines instead of text.)
namespace gop::analysis {

class SvgDocument {
 public:
  // `title` becomes the <title> element (shown as a tooltip, read by screen readers).
  SvgDocument(double width, double height, absl::string_view title);

  void Rect(double x, double y, double w, double h, absl::string_view fill,
            absl::string_view extra_attributes = "");
  void Line(double x1, double y1, double x2, double y2, absl::string_view stroke,
            double stroke_width = 1, absl::string_view extra_attributes = "");
  void Polyline(const std::vector<std::pair<double, double>>& points, absl::string_view stroke,
                double stroke_width = 2, absl::string_view extra_attributes = "");
  void Circle(double cx, double cy, double r, absl::string_view fill,
              absl::string_view extra_attributes = "");
  // `text` is escaped; attributes are written as given.
  void Text(double x, double y, absl::string_view text, absl::string_view attributes = "");
  // Pre-formed markup (gradients in <defs>), written as given.
  void Raw(absl::string_view markup);

  std::string Finish() const;

 private:
  double width_;
  double height_;
  std::string body_;
};

std::string XmlEscape(absl::string_view text);
// A coordinate with one decimal.
std::string Coord(double value);

// Viridis-like colour for t in [0, 1], as "#rrggbb"; colour-blind safe and
// readable in greyscale.
std::string ScaleColor(double t);
// Black or white, whichever reads better on ScaleColor(t).
std::string TextColorOn(double t);
// Distinct colours for data series (index wraps after kSeriesColors; callers
// dash the lines of later series).
inline constexpr int kSeriesColors = 10;
std::string SeriesColor(int index);

// Round tick values covering [lo, hi] with about `target` steps.
std::vector<double> NiceTicks(double lo, double hi, int target);

}  // namespace gop::analysis

#endif  // GOP_ANALYSIS_SVG_DOCUMENT_H_
