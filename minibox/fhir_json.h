#ifndef GOP_MINIBOX_FHIR_JSON_H_
#define GOP_MINIBOX_FHIR_JSON_H_

#include <string>
#include "absl/strings/string_view.h"

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"

namespace gop::minibox {

// Deepest JSON nesting accepted; deeper bodies are rejected before parsing so that no
// recursive code ever sees them.
inline constexpr int kMaxJsonDepth = 64;

// Parses a request body that must be a JSON object. InvalidArgument (-> 400) on malformed
// JSON, non-objects or too deep nesting. Never throws.
absl::StatusOr<nlohmann::json> ParseJsonObject(absl::string_view body);

// A resource ready to store: what goes into the `resource` jsonb column (no id,
// resourceType, meta.versionId, meta.lastUpdated: those live in columns) and the id the
// body carried ("" when none).
struct PreparedResource {
  std::string storage_json;
  std::string body_id;
};

// Checks `resource` against the type named by the URL (resourceType must be present and
// equal to `url_type`; an id must have FHIR id syntax) and strips the server-managed
// parts. InvalidArgument (-> 400) with a message fit for an OperationOutcome.
absl::StatusOr<PreparedResource> PrepareResource(nlohmann::json resource,
                                                 absl::string_view url_type);

// An OperationOutcome with one issue. `code` is a FHIR issue-type code ("invalid",
// "not-found", "conflict", "exception", "transient", "security", ...).
std::string OperationOutcomeJson(absl::string_view severity, absl::string_view code,
                                 absl::string_view diagnostics);

// Minimal JSON string escaping (for hand-assembled bundles).
std::string JsonQuote(absl::string_view s);

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_FHIR_JSON_H_
