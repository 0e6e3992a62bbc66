#ifndef GOP_MINIBOX_RESOURCE_TYPES_H_
#define GOP_MINIBOX_RESOURCE_TYPES_H_

#include <string>
#include "absl/strings/string_view.h"

namespace gop::minibox {

// True for the resource type names of FHIR R4 (4.0.1), case-sensitive ("Patient").
bool IsResourceType(absl::string_view name);

// The storage table of a (valid) resource type, already double-quoted for SQL:
// "Patient" -> "\"patient\"", history -> "\"patient_history\"". Only ever called with
// names IsResourceType() accepted, so nothing user-controlled reaches SQL text.
std::string TableName(absl::string_view type);
std::string HistoryTableName(absl::string_view type);
// Unquoted lower-case base name, for index names.
std::string TableBaseName(absl::string_view type);

// FHIR id syntax: [A-Za-z0-9-.]{1,64}.
bool IsValidId(absl::string_view id);

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_RESOURCE_TYPES_H_
