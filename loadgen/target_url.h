#ifndef GOP_LOADGEN_TARGET_URL_H_
#define GOP_LOADGEN_TARGET_URL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace gop::loadgen {

// A parsed http:// base URL. HTTPS is not supported (loopback and lab
// networks only).
struct TargetUrl {
  std::string host;        // "127.0.0.1", "localhost", "[::1]" -> "::1"
  uint16_t port = 80;
  std::string host_header; // "host:port" as sent in Host
  std::string path;        // "/fhir" or "" (no trailing slash); may carry "?query"

  // The request target for a scenario path: base path + `path` ("" -> the
  // base itself, or "/").
  std::string Join(std::string_view path) const;
};

absl::StatusOr<TargetUrl> ParseTargetUrl(std::string_view url);

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_TARGET_URL_H_
