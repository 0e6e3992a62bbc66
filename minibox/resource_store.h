#ifndef GOP_MINIBOX_RESOURCE_STORE_H_
#define GOP_MINIBOX_RESOURCE_STORE_H_

#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "minibox/pg_connection.h"
#include "minibox/search_query.h"

namespace gop::minibox {

// One version of a resource as served.
struct StoredResource {
  std::string id;
  std::string version_id;     // the txid
  std::string last_modified;  // HTTP-date
  std::string json;           // full resource with id and meta
};

// The SQL behind every FHIR interaction, on a caller-supplied connection so the same
// calls serve single requests (autocommit) and transaction bundles (inside BEGIN..COMMIT).
// The type's tables must exist (Schema::EnsureType). Stateless; thread-safe.
class ResourceStore {
 public:
  enum class Outcome { kOk, kCreated, kNotFound, kGone, kConflict, kVersionMismatch };

  struct Result {
    Outcome outcome = Outcome::kOk;
    StoredResource resource;  // set for kOk / kCreated (and delete's kOk)
  };

  // INSERT with `id`; kConflict when the id exists.
  static absl::StatusOr<Result> Create(PgConnection& conn, absl::string_view type,
                                       const std::string& id, const std::string& storage_json);
  // kOk, kNotFound, kGone (deleted).
  static absl::StatusOr<Result> Read(PgConnection& conn, absl::string_view type,
                                     const std::string& id);
  static absl::StatusOr<Result> VRead(PgConnection& conn, absl::string_view type,
                                      const std::string& id, const std::string& version);
  // Update (kOk) or create-on-update (kCreated). With `if_match` (a txid), kVersionMismatch
  // when the current version differs or the resource does not exist.
  static absl::StatusOr<Result> Update(PgConnection& conn, absl::string_view type,
                                       const std::string& id, const std::string& storage_json,
                                       std::optional<std::string> if_match);
  // kOk with the deleted version, or kNotFound when there was nothing to delete.
  static absl::StatusOr<Result> Delete(PgConnection& conn, absl::string_view type,
                                       const std::string& id);

  struct SearchResult {
    std::vector<StoredResource> resources;
    std::optional<long long> total;
  };
  static absl::StatusOr<SearchResult> Search(PgConnection& conn, absl::string_view type,
                                             const SearchQuery& query);
};

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_RESOURCE_STORE_H_
