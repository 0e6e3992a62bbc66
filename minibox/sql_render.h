#ifndef GOP_MINIBOX_SQL_RENDER_H_
#define GOP_MINIBOX_SQL_RENDER_H_

#include <string>
#include "absl/strings/string_view.h"

namespace gop::minibox {

// The select list that turns a stored row into what a client sees, so the database
// assembles the JSON in one pass: columns (id, version_id, last_modified HTTP-date,
// resource json, status). `p` prefixes the column names ("" or "t.").
std::string RenderColumns(absl::string_view p);

// Number of columns RenderColumns() yields and their positions.
inline constexpr int kColId = 0;
inline constexpr int kColVersion = 1;
inline constexpr int kColLastModified = 2;
inline constexpr int kColJson = 3;
inline constexpr int kColStatus = 4;

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_SQL_RENDER_H_
