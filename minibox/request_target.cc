#include "absl/strings/string_view.h"
#include "minibox/request_target.h"

#include "absl/strings/str_split.h"

namespace gop::minibox {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PercentDecode(absl::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]);
      int lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

RequestTarget ParseRequestTarget(absl::string_view target) {
  RequestTarget t;
  size_t q = target.find('?');
  absl::string_view path = target.substr(0, q);
  t.path = std::string(path);
  for (absl::string_view seg : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    t.segments.push_back(PercentDecode(seg, false));
  }
  if (q != absl::string_view::npos) {
    for (absl::string_view kv : absl::StrSplit(target.substr(q + 1), '&', absl::SkipEmpty())) {
      size_t eq = kv.find('=');
      std::string key = PercentDecode(kv.substr(0, eq), true);
      std::string value =
          eq == absl::string_view::npos ? "" : PercentDecode(kv.substr(eq + 1), true);
      t.query.emplace_back(std::move(key), std::move(value));
    }
  }
  return t;
}

}  // namespace gop::minibox
