#include "minibox/bundle_processor.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "minibox/request_target.h"

namespace gop::minibox {
namespace {

HttpResponse ToResponse(const InteractionResult& r) {
  HttpResponse out;
  out.status = r.status;
  out.body = r.body;
  out.route = "/";
  return out;
}

// One parsed entry: the interaction, or the error that entry gets.
struct Entry {
  std::string method;
  std::optional<Interaction> interaction;
  InteractionResult error;  // when !interaction
  InteractionResult result;
};

// FHIR's processing order inside a transaction.
int MethodRank(const std::string& m) {
  if (m == "DELETE") return 0;
  if (m == "POST") return 1;
  if (m == "PUT") return 2;
  return 3;
}

// Replaces every "reference" string found in `map` (urn:uuid:... -> Type/id).
void RewriteReferences(nlohmann::json& j,
                       const absl::flat_hash_map<std::string, std::string>& map, int depth) {
  if (depth > kMaxJsonDepth) return;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "reference" && it->is_string()) {
        auto m = map.find(it->get_ref<const std::string&>());
        if (m != map.end()) *it = m->second;
      } else {
        RewriteReferences(*it, map, depth + 1);
      }
    }
  } else if (j.is_array()) {
    for (auto& v : j) RewriteReferences(v, map, depth + 1);
  }
}

std::string ResponseEntry(const InteractionResult& r) {
  std::string resp = absl::StrCat(R"({"status":)", JsonQuote(StatusLine(r.status)));
  if (!r.location.empty()) absl::StrAppend(&resp, R"(,"location":)", JsonQuote(r.location));
  if (!r.etag.empty()) absl::StrAppend(&resp, R"(,"etag":)", JsonQuote(r.etag));
  if (!r.last_modified.empty()) {
    absl::StrAppend(&resp, R"(,"lastModified":)", JsonQuote(r.last_modified));
  }
  if (r.status >= 400 && !r.body.empty()) absl::StrAppend(&resp, R"(,"outcome":)", r.body);
  resp += "}";
  std::string entry = "{";
  if (r.status < 400 && !r.body.empty()) absl::StrAppend(&entry, R"("resource":)", r.body, ",");
  absl::StrAppend(&entry, R"("response":)", resp, "}");
  return entry;
}

}  // namespace

HttpResponse BundleProcessor::Process(nlohmann::json bundle, const std::string& base) const {
  auto rt = bundle.find("resourceType");
  if (rt == bundle.end() || *rt != "Bundle") {
    return ToResponse(ErrorResult(400, "invalid", "POST / expects a Bundle"));
  }
  auto type_it = bundle.find("type");
  const std::string type = (type_it != bundle.end() && type_it->is_string())
                               ? type_it->get<std::string>() : "";
  if (type != "transaction" && type != "batch") {
    return ToResponse(ErrorResult(400, "invalid", "Bundle.type must be transaction or batch"));
  }
  const bool transaction = type == "transaction";
  nlohmann::json entries_json = nlohmann::json::array();
  if (auto e = bundle.find("entry"); e != bundle.end()) {
    if (!e->is_array()) return ToResponse(ErrorResult(400, "invalid", "Bundle.entry must be an array"));
    entries_json = std::move(*e);
  }

  // Pass 1: methods, targets, ids for POSTed resources, urn:uuid map.
  absl::flat_hash_map<std::string, std::string> urn_map;
  std::vector<RequestTarget> targets(entries_json.size());
  std::vector<Entry> entries(entries_json.size());
  for (size_t i = 0; i < entries_json.size(); ++i) {
    nlohmann::json& ej = entries_json[i];
    Entry& e = entries[i];
    const nlohmann::json* req = ej.is_object() && ej.contains("request") ? &ej["request"] : nullptr;
    if (req == nullptr || !req->is_object() || !req->contains("method") ||
        !(*req)["method"].is_string() || !req->contains("url") || !(*req)["url"].is_string()) {
      e.error = ErrorResult(400, "invalid", absl::StrCat("entry ", i, ": request.method and request.url are required"));
      continue;
    }
    e.method = (*req)["method"].get<std::string>();
    targets[i] = ParseRequestTarget((*req)["url"].get<std::string>());
    if (transaction && e.method == "POST" && ej.contains("resource") && ej["resource"].is_object() &&
        !targets[i].segments.empty()) {
      nlohmann::json& res = ej["resource"];
      if (!res.contains("id") || !res["id"].is_string()) res["id"] = NewUuid();
      auto full = ej.find("fullUrl");
      if (full != ej.end() && full->is_string()) {
        urn_map[full->get<std::string>()] =
            absl::StrCat(targets[i].segments[0], "/", res["id"].get<std::string>());
      }
    }
  }
  // Pass 2: rewrite references, build interactions.
  absl::flat_hash_set<std::string> types;
  for (size_t i = 0; i < entries_json.size(); ++i) {
    Entry& e = entries[i];
    if (e.method.empty()) continue;
    nlohmann::json& ej = entries_json[i];
    std::optional<nlohmann::json> body;
    if (ej.contains("resource")) {
      if (!urn_map.empty()) RewriteReferences(ej["resource"], urn_map, 0);
      body = std::move(ej["resource"]);
    }
    std::string if_match;
    if (ej["request"].contains("ifMatch") && ej["request"]["ifMatch"].is_string()) {
      if_match = ej["request"]["ifMatch"].get<std::string>();
    }
    absl::StatusOr<Interaction> in = MakeInteraction(e.method, targets[i].segments,
                                                     targets[i].query, std::move(body), if_match);
    if (!in.ok()) {
      e.error = ResultFromStatus(in.status());
      continue;
    }
    types.insert(in->type);
    e.interaction = *std::move(in);
  }
  if (transaction) {
    for (size_t i = 0; i < entries.size(); ++i) {
      if (!entries[i].interaction.has_value()) {
        InteractionResult err = entries[i].error;
        return ToResponse(err);
      }
    }
  }

  // A broken (stale) connection fails the first statement: retry once on a fresh one.
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<PgPool::Lease> lease = pool_->Acquire();
    if (!lease.ok()) return ToResponse(ResultFromStatus(lease.status()));
    PgConnection& conn = **lease;
    absl::Status status;
    for (const std::string& t : types) {
      status = schema_->EnsureType(conn, t);
      if (!status.ok()) break;
    }
    if (status.ok() && transaction) {
      std::vector<size_t> order(entries.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return MethodRank(entries[a].method) < MethodRank(entries[b].method);
      });
      status = conn.ExecSimple("BEGIN");
      for (size_t k = 0; status.ok() && k < order.size(); ++k) {
        Entry& e = entries[order[k]];
        absl::StatusOr<InteractionResult> r = interactions_->Run(conn, *e.interaction, base);
        if (!r.ok()) {
          status = r.status();
          break;
        }
        if (r->status >= 400) {
          conn.ExecSimple("ROLLBACK").IgnoreError();
          return ToResponse(*r);
        }
        e.result = *std::move(r);
      }
      if (status.ok()) status = conn.ExecSimple("COMMIT");
      if (!status.ok() && !conn.broken()) conn.ExecSimple("ROLLBACK").IgnoreError();
    } else if (status.ok()) {
      for (Entry& e : entries) {
        if (!e.interaction.has_value()) {
          e.result = e.error;
          continue;
        }
        absl::StatusOr<InteractionResult> r = interactions_->Run(conn, *e.interaction, base);
        if (!r.ok() && conn.broken()) {
          status = r.status();
          break;
        }
        e.result = r.ok() ? *std::move(r) : ResultFromStatus(r.status());
      }
    }
    if (!status.ok()) {
      if (attempt == 0 && conn.broken()) continue;
      return ToResponse(ResultFromStatus(status));
    }
    break;
  }

  std::string out = absl::StrCat(R"({"resourceType":"Bundle","type":")",
                                  transaction ? "transaction-response" : "batch-response",
                                  R"(","entry":[)");
  for (size_t i = 0; i < entries.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "" : ",", ResponseEntry(entries[i].result));
  }
  out += "]}";
  HttpResponse resp;
  resp.body = std::move(out);
  resp.route = "/";
  return resp;
}

}  // namespace gop::minibox
