#include "absl/strings/string_view.h"
#include "minibox/interactions.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "minibox/resource_types.h"
#include "minibox/resource_store.h"

namespace gop::minibox {
namespace {

using Outcome = ResourceStore::Outcome;

InteractionResult Error(int status, absl::string_view code, absl::string_view message) {
  return ErrorResult(status, code, message);
}

InteractionResult WithResource(int status, const StoredResource& res, const std::string& base,
                               absl::string_view type) {
  InteractionResult r;
  r.status = status;
  r.body = res.json;
  r.etag = absl::StrCat("W/\"", res.version_id, "\"");
  r.last_modified = res.last_modified;
  r.location = absl::StrCat(base, "/", type, "/", res.id, "/_history/", res.version_id);
  return r;
}

std::string SearchBundle(const ResourceStore::SearchResult& s, const std::string& base,
                         const Interaction& in) {
  std::string self = absl::StrCat(base, "/", in.type);
  for (size_t i = 0; i < in.query.size(); ++i) {
    absl::StrAppend(&self, i == 0 ? "?" : "&", in.query[i].first, "=", in.query[i].second);
  }
  std::string out = R"({"resourceType":"Bundle","type":"searchset")";
  if (s.total.has_value()) absl::StrAppend(&out, ",\"total\":", *s.total);
  absl::StrAppend(&out, R"(,"link":[{"relation":"self","url":)", JsonQuote(self),
                  R"(}],"entry":[)");
  for (size_t i = 0; i < s.resources.size(); ++i) {
    const StoredResource& r = s.resources[i];
    absl::StrAppend(&out, i == 0 ? "" : ",", R"({"fullUrl":)",
                    JsonQuote(absl::StrCat(base, "/", in.type, "/", r.id)),
                    R"(,"resource":)", r.json, R"(,"search":{"mode":"match"}})");
  }
  out += "]}";
  return out;
}

}  // namespace

InteractionResult ErrorResult(int status, absl::string_view code, absl::string_view message) {
  InteractionResult r;
  r.status = status;
  r.body = OperationOutcomeJson("error", code, message);
  return r;
}

InteractionResult ResultFromStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      return ErrorResult(503, "transient", status.message());
    case absl::StatusCode::kInvalidArgument:
      return ErrorResult(400, "invalid", status.message());
    case absl::StatusCode::kNotFound:
      return ErrorResult(404, "not-supported", status.message());
    case absl::StatusCode::kUnimplemented:
      return ErrorResult(405, "not-supported", status.message());
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kAlreadyExists:
      return ErrorResult(409, "conflict", status.message());
    default:
      return ErrorResult(500, "exception", status.message());
  }
}

absl::StatusOr<Interaction> MakeInteraction(absl::string_view method,
                                            const std::vector<std::string>& segments,
                                            std::vector<std::pair<std::string, std::string>> query,
                                            std::optional<nlohmann::json> body,
                                            absl::string_view if_match) {
  using Kind = Interaction::Kind;
  if (segments.empty()) return absl::NotFoundError("no resource type in the URL");
  Interaction in;
  in.type = segments[0];
  if (!IsResourceType(in.type)) {
    return absl::NotFoundError(absl::StrCat("unknown resource type '", in.type, "'"));
  }
  if (segments.size() >= 2) {
    in.id = segments[1];
    if (!IsValidId(in.id)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid id '", in.id, "': 1-64 characters of [A-Za-z0-9-.]"));
    }
  }
  auto need_body = [&]() -> absl::Status {
    if (!body.has_value()) return absl::InvalidArgumentError("a resource body is required");
    absl::StatusOr<PreparedResource> p = PrepareResource(*std::move(body), in.type);
    if (!p.ok()) return p.status();
    in.resource = *std::move(p);
    return absl::OkStatus();
  };
  if (segments.size() == 1) {
    if (method == "GET") {
      in.kind = Kind::kSearch;
      in.query = std::move(query);
      return in;
    }
    if (method == "POST") {
      in.kind = Kind::kCreate;
      if (absl::Status s = need_body(); !s.ok()) return s;
      in.id = in.resource->body_id.empty() ? NewUuid() : in.resource->body_id;
      return in;
    }
    return absl::UnimplementedError(absl::StrCat(method, " not allowed on /", in.type));
  }
  if (segments.size() == 2) {
    if (method == "GET") {
      in.kind = Kind::kRead;
      return in;
    }
    if (method == "DELETE") {
      in.kind = Kind::kDelete;
      return in;
    }
    if (method == "PUT") {
      in.kind = Kind::kUpdate;
      if (absl::Status s = need_body(); !s.ok()) return s;
      if (!in.resource->body_id.empty() && in.resource->body_id != in.id) {
        return absl::InvalidArgumentError(absl::StrCat("resource id '", in.resource->body_id,
                                                       "' does not match the URL id '",
                                                       in.id, "'"));
      }
      if (!if_match.empty()) {
        // W/"12" or "12" or 12.
        absl::string_view v = if_match;
        absl::ConsumePrefix(&v, "W/");
        absl::ConsumePrefix(&v, "\"");
        absl::ConsumeSuffix(&v, "\"");
        long long n = 0;
        // A non-numeric tag can never match a version: keep it so the check fails.
        in.if_match = absl::SimpleAtoi(v, &n) ? std::to_string(n) : "-1";
      }
      return in;
    }
    return absl::UnimplementedError(absl::StrCat(method, " not allowed on /", in.type, "/id"));
  }
  if (segments.size() == 4 && segments[2] == "_history") {
    if (method != "GET") {
      return absl::UnimplementedError(absl::StrCat(method, " not allowed on a version"));
    }
    in.kind = Kind::kVRead;
    in.version = segments[3];
    return in;
  }
  return absl::NotFoundError("unsupported path");
}

std::string StatusLine(int status) {
  const char* reason = "";
  switch (status) {
    case 200: reason = "OK"; break;
    case 201: reason = "Created"; break;
    case 204: reason = "No Content"; break;
    case 400: reason = "Bad Request"; break;
    case 404: reason = "Not Found"; break;
    case 405: reason = "Method Not Allowed"; break;
    case 409: reason = "Conflict"; break;
    case 410: reason = "Gone"; break;
    case 412: reason = "Precondition Failed"; break;
    case 500: reason = "Internal Server Error"; break;
    case 503: reason = "Service Unavailable"; break;
    default: break;
  }
  return absl::StrCat(status, " ", reason);
}

std::string NewUuid() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  uint64_t a = rng();
  uint64_t b = rng();
  a = (a & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", a >> 32, (a >> 16) & 0xFFFF,
                         a & 0xFFFF, b >> 48, b & 0xFFFFFFFFFFFFULL);
}

absl::StatusOr<InteractionResult> Interactions::Run(PgConnection& conn, const Interaction& in,
                                                    const std::string& base) const {
  using Kind = Interaction::Kind;
  switch (in.kind) {
    case Kind::kCreate: {
      absl::StatusOr<ResourceStore::Result> r =
          ResourceStore::Create(conn, in.type, in.id, in.resource->storage_json);
      if (!r.ok()) return r.status();
      if (r->outcome == Outcome::kConflict) {
        return Error(409, "duplicate", absl::StrCat(in.type, "/", in.id, " already exists"));
      }
      return WithResource(201, r->resource, base, in.type);
    }
    case Kind::kRead:
    case Kind::kVRead: {
      absl::StatusOr<ResourceStore::Result> r =
          in.kind == Kind::kRead ? ResourceStore::Read(conn, in.type, in.id)
                                 : ResourceStore::VRead(conn, in.type, in.id, in.version);
      if (!r.ok()) return r.status();
      if (r->outcome == Outcome::kNotFound) {
        return Error(404, "not-found", absl::StrCat(in.type, "/", in.id,
                                                    in.version.empty() ? "" : "/_history/",
                                                    in.version, " not found"));
      }
      if (r->outcome == Outcome::kGone) {
        return Error(410, "deleted", absl::StrCat(in.type, "/", in.id, " was deleted"));
      }
      return WithResource(200, r->resource, base, in.type);
    }
    case Kind::kUpdate: {
      absl::StatusOr<ResourceStore::Result> r = ResourceStore::Update(
          conn, in.type, in.id, in.resource->storage_json, in.if_match);
      if (!r.ok()) return r.status();
      if (r->outcome == Outcome::kVersionMismatch) {
        return Error(412, "conflict",
                     absl::StrCat("If-Match version ", in.if_match.value_or(""),
                                  " does not match the current version of ", in.type, "/",
                                  in.id));
      }
      return WithResource(r->outcome == Outcome::kCreated ? 201 : 200, r->resource, base,
                          in.type);
    }
    case Kind::kDelete: {
      absl::StatusOr<ResourceStore::Result> r = ResourceStore::Delete(conn, in.type, in.id);
      if (!r.ok()) return r.status();
      if (r->outcome == Outcome::kNotFound) {
        InteractionResult gone;
        gone.status = 204;
        return gone;
      }
      InteractionResult ok = WithResource(200, r->resource, base, in.type);
      ok.location.clear();
      return ok;
    }
    case Kind::kSearch: {
      absl::StatusOr<SearchQuery> q = ParseSearchQuery(in.type, in.query, limits_);
      if (!q.ok()) return Error(400, "invalid", q.status().message());
      absl::StatusOr<ResourceStore::SearchResult> s = ResourceStore::Search(conn, in.type, *q);
      if (!s.ok()) return s.status();
      InteractionResult r;
      r.body = SearchBundle(*s, base, in);
      return r;
    }
  }
  return absl::InternalError("unknown interaction");
}

}  // namespace gop::minibox
