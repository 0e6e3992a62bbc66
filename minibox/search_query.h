#ifndef GOP_MINIBOX_SEARCH_QUERY_H_
#define GOP_MINIBOX_SEARCH_QUERY_H_

#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace gop::minibox {

// The search parameters minibox understands. Unknown parameters are ignored (FHIR's
// lenient default handling).
struct SearchQuery {
  std::vector<std::string> ids;  // _id (comma = OR)
  // Reference element ("subject", "patient", "encounter") -> accepted references
  // ("Patient/123"), comma = OR; several parameters are ANDed.
  std::vector<std::pair<std::string, std::vector<std::string>>> references;
  int count = 100;  // _count, clamped to the cap
  enum class Sort { kNone, kLastUpdatedAsc, kLastUpdatedDesc } sort = Sort::kNone;
  bool total = true;  // _total=none turns the count query off
};

struct SearchLimits {
  int default_count = 100;
  int max_count = 1000;
};

// Builds the query from decoded (name, value) pairs. InvalidArgument (-> 400) for a bad
// _count or an unsupported _sort.
absl::StatusOr<SearchQuery> ParseSearchQuery(
    absl::string_view type, const std::vector<std::pair<std::string, std::string>>& params,
    const SearchLimits& limits);

// One parameterized statement.
struct SqlStatement {
  std::string sql;
  std::vector<std::string> params;
};

// SELECT of matching rows (columns as ResourceStore's render list) or, with count_only,
// SELECT count(*). Values only ever appear as $n parameters.
SqlStatement BuildSearchSql(absl::string_view type, const SearchQuery& query, bool count_only);

// Which element `patient=` searches on a type (most use subject; some have `patient`).
absl::string_view PatientElement(absl::string_view type);

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_SEARCH_QUERY_H_
