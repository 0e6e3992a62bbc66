#include "absl/strings/string_view.h"
#include "minibox/sql_render.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace gop::minibox {

std::string RenderColumns(absl::string_view p) {
  return absl::StrReplaceAll(
      "$id, $txid::text, to_char($ts AT TIME ZONE 'UTC', 'Dy, DD Mon YYYY HH24:MI:SS \"GMT\"'), "
      "(jsonb_build_object('resourceType', $resource_type, 'id', $id, 'meta', "
      "coalesce($resource->'meta', '{}'::jsonb) || jsonb_build_object('versionId', "
      "$txid::text, 'lastUpdated', $ts)) || ($resource - 'meta'))::text, $status",
      {{"$id", absl::StrCat(p, "id")},
       {"$txid", absl::StrCat(p, "txid")},
       {"$ts", absl::StrCat(p, "ts")},
       {"$resource_type", absl::StrCat(p, "resource_type")},
       {"$resource", absl::StrCat(p, "resource")},
       {"$status", absl::StrCat(p, "status")}});
}

}  // namespace gop::minibox
