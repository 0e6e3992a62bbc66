#ifndef GOP_MINIBOX_INTERACTIONS_H_
#define GOP_MINIBOX_INTERACTIONS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/string_view.h"
#include "absl/status/statusor.h"
#include "minibox/fhir_json.h"
#include "minibox/pg_connection.h"
#include "minibox/search_query.h"

namespace gop::minibox {

// One FHIR interaction on one type, already validated (type known, id syntax checked,
// body prepared): what a REST request and a bundle entry both boil down to.
struct Interaction {
  enum class Kind { kCreate, kRead, kVRead, kUpdate, kDelete, kSearch } kind;
  std::string type;
  std::string id;       // read/vread/update/delete; create: the id to use
  std::string version;  // vread
  std::vector<std::pair<std::string, std::string>> query;  // search
  std::optional<PreparedResource> resource;                // create/update
  std::optional<std::string> if_match;                     // update: expected txid
};

// Its HTTP-level result: status, body (resource, Bundle or OperationOutcome) and the
// headers FHIR asks for. Database failures are not results but errors (Status).
struct InteractionResult {
  int status = 200;
  std::string body;  // empty for 204
  std::string location;
  std::string etag;  // W/"<vid>"
  std::string last_modified;
};

// Runs interactions with ResourceStore. `base_url` ("http://host/fhir") prefixes
// Location and fullUrl. Thread-safe.
class Interactions {
 public:
  explicit Interactions(SearchLimits limits) : limits_(limits) {}
  absl::StatusOr<InteractionResult> Run(PgConnection& conn, const Interaction& in,
                                        const std::string& base_url) const;

 private:
  SearchLimits limits_;
};

// An OperationOutcome result.
InteractionResult ErrorResult(int status, absl::string_view code, absl::string_view message);

// A failure as a result: Unavailable -> 503, InvalidArgument -> 400, NotFound -> 404,
// Unimplemented -> 405, Aborted/AlreadyExists -> 409, anything else -> 500.
InteractionResult ResultFromStatus(const absl::Status& status);

// Turns (method, target, body) into an Interaction, validating the type (NotFound for an
// unknown one), id syntax, body and method (Unimplemented when the path does not allow
// it). Create gets the body's id or a new UUID. For REST requests and bundle entries.
absl::StatusOr<Interaction> MakeInteraction(absl::string_view method,
                                            const std::vector<std::string>& segments,
                                            std::vector<std::pair<std::string, std::string>> query,
                                            std::optional<nlohmann::json> body,
                                            absl::string_view if_match);

// "<status> <reason>", e.g. "201 Created", as bundle responses write it.
std::string StatusLine(int status);

// A random (v4) UUID, for server-assigned ids.
std::string NewUuid();

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_INTERACTIONS_H_
