#ifndef GOP_MINIBOX_REQUEST_TARGET_H_
#define GOP_MINIBOX_REQUEST_TARGET_H_

#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

namespace gop::minibox {

// A request target split into path segments and decoded query parameters.
struct RequestTarget {
  std::string path;                   // as sent, without the query
  std::vector<std::string> segments;  // percent-decoded, empty ones dropped
  std::vector<std::pair<std::string, std::string>> query;  // decoded ('+' = space)
};

RequestTarget ParseRequestTarget(absl::string_view target);

std::string PercentDecode(absl::string_view s, bool plus_is_space);

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_REQUEST_TARGET_H_
