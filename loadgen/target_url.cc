#include "loadgen/target_url.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "loadgen/sv.h"

namespace gop::loadgen {

std::string TargetUrl::Join(std::string_view p) const {
  if (p.empty()) return path.empty() ? "/" : path;
  if (p.front() != '/' && p.front() != '?') return absl::StrCat(path, "/", Sv(p));
  return absl::StrCat(path, Sv(p));
}

absl::StatusOr<TargetUrl> ParseTargetUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!absl::StartsWith(Sv(url), Sv(kScheme))) {
    return absl::InvalidArgumentError(
        absl::StrCat("url \"", Sv(url), "\": only http:// URLs are supported"));
  }
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("url \"", Sv(url), "\" has no host"));
  }
  if (authority.find('@') != std::string_view::npos) {
    return absl::InvalidArgumentError("credentials in the url are not supported; use --auth");
  }
  TargetUrl out;
  std::string_view host = authority, port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("url \"", Sv(url), "\": bad IPv6 host"));
    }
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        return absl::InvalidArgumentError(absl::StrCat("url \"", Sv(url), "\": bad host"));
      }
      port = authority.substr(close + 2);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (!port.empty()) {
    uint32_t p = 0;
    if (!absl::SimpleAtoi(Sv(port), &p) || p == 0 || p > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("url \"", Sv(url), "\": bad port"));
    }
    out.port = static_cast<uint16_t>(p);
  }
  if (host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("url \"", Sv(url), "\" has no host"));
  }
  out.host = std::string(host);
  out.host_header = std::string(authority);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  // "http://h?q" asks for "/?q".
  out.path = (!path.empty() && path.front() == '?') ? absl::StrCat("/", Sv(path)) : std::string(path);
  return out;
}

}  // namespace gop::loadgen
