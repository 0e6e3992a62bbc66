#ifndef GOP_LOADGEN_SV_H_
#define GOP_LOADGEN_SV_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace gop::loadgen {

// Debian's Abseil has its own string_view type: bridge std::string_view
// into absl's string functions.
inline absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_SV_H_
