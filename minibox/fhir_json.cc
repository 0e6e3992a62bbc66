#include "absl/strings/string_view.h"
#include "minibox/fhir_json.h"

#include "absl/strings/str_cat.h"
#include "minibox/resource_types.h"

namespace gop::minibox {
namespace {

// Nesting depth of a JSON text, ignoring brackets inside strings. Linear, no recursion.
int MaxDepth(absl::string_view s) {
  int depth = 0;
  int max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return max_depth;
}

}  // namespace

absl::StatusOr<nlohmann::json> ParseJsonObject(absl::string_view body) {
  if (MaxDepth(body) > kMaxJsonDepth) {
    return absl::InvalidArgumentError(
        absl::StrCat("JSON nested deeper than ", kMaxJsonDepth, " levels"));
  }
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError("body is not valid JSON");
  if (!j.is_object()) return absl::InvalidArgumentError("body must be a JSON object");
  return j;
}

absl::StatusOr<PreparedResource> PrepareResource(nlohmann::json resource,
                                                 absl::string_view url_type) {
  if (!resource.is_object()) return absl::InvalidArgumentError("resource must be a JSON object");
  auto rt = resource.find("resourceType");
  if (rt == resource.end() || !rt->is_string()) {
    return absl::InvalidArgumentError("resource has no resourceType");
  }
  if (rt->get_ref<const std::string&>() != url_type) {
    return absl::InvalidArgumentError(absl::StrCat("resourceType '",
                                                   rt->get_ref<const std::string&>(),
                                                   "' does not match the URL type '",
                                                   url_type, "'"));
  }
  PreparedResource out;
  auto id = resource.find("id");
  if (id != resource.end()) {
    if (!id->is_string() || !IsValidId(id->get_ref<const std::string&>())) {
      return absl::InvalidArgumentError(
          "resource id must be 1-64 characters of [A-Za-z0-9-.]");
    }
    out.body_id = id->get<std::string>();
  }
  resource.erase("id");
  resource.erase("resourceType");
  auto meta = resource.find("meta");
  if (meta != resource.end()) {
    if (!meta->is_object()) return absl::InvalidArgumentError("meta must be an object");
    meta->erase("versionId");
    meta->erase("lastUpdated");
    if (meta->empty()) resource.erase(meta);
  }
  out.storage_json = resource.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return out;
}

std::string JsonQuote(absl::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false,
                                             nlohmann::json::error_handler_t::replace);
}

std::string OperationOutcomeJson(absl::string_view severity, absl::string_view code,
                                 absl::string_view diagnostics) {
  return absl::StrCat(R"({"resourceType":"OperationOutcome","issue":[{"severity":)",
                      JsonQuote(severity), R"(,"code":)", JsonQuote(code),
                      R"(,"diagnostics":)", JsonQuote(diagnostics), "}]}");
}

}  // namespace gop::minibox
