#include "absl/strings/string_view.h"
#include "minibox/search_query.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "minibox/resource_types.h"
#include "minibox/sql_render.h"

namespace gop::minibox {
namespace {

// Normalises a reference search value to "Type/id": "123" -> "<default_type>/123",
// "http://base/fhir/Patient/123" -> "Patient/123".
std::string NormalizeReference(absl::string_view value, absl::string_view default_type) {
  std::vector<absl::string_view> parts = absl::StrSplit(value, '/', absl::SkipEmpty());
  if (parts.size() >= 2) {
    return absl::StrCat(parts[parts.size() - 2], "/", parts.back());
  }
  return absl::StrCat(default_type, "/", value);
}

// A PostgreSQL text[] literal; every element quoted with \ and " escaped.
std::string ArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace

absl::string_view PatientElement(absl::string_view type) {
  static const auto* with_patient = new absl::flat_hash_set<absl::string_view>{
      "AllergyIntolerance", "Immunization", "ImmunizationEvaluation",
      "ImmunizationRecommendation", "FamilyMemberHistory", "NutritionOrder", "Claim",
      "ClaimResponse", "ExplanationOfBenefit", "DetectedIssue", "VisionPrescription",
      "CoverageEligibilityRequest", "CoverageEligibilityResponse", "MedicationDispense"};
  return with_patient->contains(type) ? "patient" : "subject";
}

absl::StatusOr<SearchQuery> ParseSearchQuery(
    absl::string_view type, const std::vector<std::pair<std::string, std::string>>& params,
    const SearchLimits& limits) {
  SearchQuery q;
  q.count = limits.default_count;
  for (const auto& [name, value] : params) {
    std::vector<std::string> values = absl::StrSplit(value, ',', absl::SkipEmpty());
    if (name == "_id") {
      q.ids.insert(q.ids.end(), values.begin(), values.end());
      if (values.empty()) q.ids.push_back("");  // `_id=` matches nothing
    } else if (name == "_count") {
      int n = 0;
      if (!absl::SimpleAtoi(value, &n) || n < 0) {
        return absl::InvalidArgumentError(absl::StrCat("_count must be a non-negative integer, got '", value, "'"));
      }
      q.count = std::min(n, limits.max_count);
    } else if (name == "_sort") {
      if (value == "_lastUpdated") {
        q.sort = SearchQuery::Sort::kLastUpdatedAsc;
      } else if (value == "-_lastUpdated") {
        q.sort = SearchQuery::Sort::kLastUpdatedDesc;
      } else {
        return absl::InvalidArgumentError(absl::StrCat(
            "unsupported _sort '", value, "' (supported: _lastUpdated, -_lastUpdated)"));
      }
    } else if (name == "_total") {
      q.total = value != "none";
    } else if (name == "subject" || name == "patient" || name == "encounter") {
      std::string element = name == "patient" ? std::string(PatientElement(type)) : name;
      absl::string_view default_type = name == "encounter" ? "Encounter" : "Patient";
      std::vector<std::string> refs;
      for (const std::string& v : values) refs.push_back(NormalizeReference(v, default_type));
      if (refs.empty()) refs.push_back("");
      q.references.emplace_back(std::move(element), std::move(refs));
    }
  }
  return q;
}

SqlStatement BuildSearchSql(absl::string_view type, const SearchQuery& query, bool count_only) {
  SqlStatement st;
  std::vector<std::string> conds;
  if (!query.ids.empty()) {
    st.params.push_back(ArrayLiteral(query.ids));
    conds.push_back(absl::StrCat("id = ANY($", st.params.size(), "::text[])"));
  }
  for (const auto& [element, refs] : query.references) {
    // Element names come from a fixed list, never from the request.
    std::string expr = absl::StrCat("(resource #>> '{", element, ",reference}')");
    if (refs.size() == 1) {
      st.params.push_back(refs[0]);
      conds.push_back(absl::StrCat(expr, " = $", st.params.size()));
    } else {
      st.params.push_back(ArrayLiteral(refs));
      conds.push_back(absl::StrCat(expr, " = ANY($", st.params.size(), "::text[])"));
    }
  }
  std::string where = conds.empty() ? "" : absl::StrCat(" WHERE ", absl::StrJoin(conds, " AND "));
  if (count_only) {
    st.sql = absl::StrCat("SELECT count(*) FROM ", TableName(type), where);
    return st;
  }
  st.sql = absl::StrCat("SELECT ", RenderColumns(""), " FROM ", TableName(type), where);
  if (query.sort == SearchQuery::Sort::kLastUpdatedAsc) st.sql += " ORDER BY ts ASC, id";
  if (query.sort == SearchQuery::Sort::kLastUpdatedDesc) st.sql += " ORDER BY ts DESC, id";
  st.params.push_back(std::to_string(query.count));
  absl::StrAppend(&st.sql, " LIMIT $", st.params.size(), "::int");
  return st;
}

}  // namespace gop::minibox
