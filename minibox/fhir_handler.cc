#include "absl/strings/string_view.h"
#include "minibox/fhir_handler.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "minibox/fhir_json.h"
#include "minibox/request_target.h"
#include "minibox/resource_types.h"

namespace gop::minibox {
namespace {

HttpResponse FromResult(const InteractionResult& r, const std::string& route) {
  HttpResponse out;
  out.status = r.status;
  out.body = r.body;
  out.route = route;
  if (!r.location.empty() && r.status == 201) out.headers.emplace_back("Location", r.location);
  if (!r.etag.empty()) out.headers.emplace_back("ETag", r.etag);
  if (!r.last_modified.empty()) out.headers.emplace_back("Last-Modified", r.last_modified);
  if (r.status == 204) out.content_type.clear();
  return out;
}

bool IsJsonContentType(absl::string_view ct) {
  std::string mime = absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(std::string(ct.substr(0, ct.find(';')))));
  return mime.empty() || mime == "application/fhir+json" || mime == "application/json" ||
         mime == "application/json+fhir";
}

std::string BuildCapabilityStatement() {
  nlohmann::json types = nlohmann::json::array();
  nlohmann::json interactions = nlohmann::json::array();
  for (const char* i : {"read", "vread", "update", "delete", "create", "search-type"}) {
    interactions.push_back({{"code", i}});
  }
  nlohmann::json params = nlohmann::json::array();
  params.push_back({{"name", "_id"}, {"type", "token"}});
  params.push_back({{"name", "_lastUpdated"}, {"type", "date"}});
  for (const char* p : {"subject", "patient", "encounter"}) {
    params.push_back({{"name", p}, {"type", "reference"}});
  }
  for (const char* t : {"Patient", "Observation", "Encounter", "Condition", "Practitioner",
                        "Organization", "MedicationRequest", "Procedure", "DiagnosticReport"}) {
    types.push_back({{"type", t}, {"interaction", interactions}, {"searchParam", params},
                     {"versioning", "versioned"}, {"updateCreate", true}});
  }
  nlohmann::json cs = {
      {"resourceType", "CapabilityStatement"},
      {"status", "active"},
      {"date", "2024-01-01"},
      {"kind", "instance"},
      {"software", {{"name", "minibox"}, {"version", "0.1.0"}}},
      {"implementation", {{"description", "gop minibox: FHIR R4 over PostgreSQL; every R4 "
                                          "resource type is accepted"}}},
      {"fhirVersion", "4.0.1"},
      {"format", {"json"}},
      {"rest",
       {{{"mode", "server"},
         {"resource", types},
         {"interaction", {{{"code", "transaction"}}, {{"code", "batch"}}}}}}}};
  return cs.dump();
}

}  // namespace

HttpResponse ErrorResponse(int status, absl::string_view code, absl::string_view message) {
  HttpResponse r;
  r.status = status;
  r.body = OperationOutcomeJson("error", code, message);
  return r;
}

FhirHandler::FhirHandler(const Config& config, PgPool* pool, Schema* schema)
    : config_(config),
      pool_(pool),
      schema_(schema),
      interactions_(SearchLimits{config.search_count_default, config.search_count_cap}),
      bundles_(pool, schema, &interactions_),
      capability_statement_(BuildCapabilityStatement()) {
  if (!config_.root_client_secret.empty()) {
    expected_auth_ =
        absl::StrCat("Basic ", absl::Base64Escape(absl::StrCat("root:", config_.root_client_secret)));
  }
}

bool FhirHandler::Authorized(const std::string& authorization) const {
  if (expected_auth_.empty()) return true;
  // Constant-time compare: the secret must not leak through timing.
  if (authorization.size() != expected_auth_.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < authorization.size(); ++i) {
    diff |= static_cast<unsigned char>(authorization[i] ^ expected_auth_[i]);
  }
  return diff == 0;
}

HttpResponse FhirHandler::RunInteraction(const Interaction& in, const std::string& base,
                                         const std::string& route) const {
  // A stale connection fails its first statement before anything ran: retry once.
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<PgPool::Lease> lease = pool_->Acquire();
    if (!lease.ok()) return FromResult(ResultFromStatus(lease.status()), route);
    absl::Status st = schema_->EnsureType(**lease, in.type);
    absl::StatusOr<InteractionResult> r =
        st.ok() ? interactions_.Run(**lease, in, base) : absl::StatusOr<InteractionResult>(st);
    if (!r.ok()) {
      if (attempt == 0 && (*lease)->broken()) continue;
      return FromResult(ResultFromStatus(r.status()), route);
    }
    return FromResult(*r, route);
  }
}

HttpResponse FhirHandler::Handle(const HttpRequest& req) const {
  RequestTarget target = ParseRequestTarget(req.target);
  std::vector<std::string>& seg = target.segments;
  std::string prefix;
  if (!seg.empty() && seg[0] == "fhir") {
    seg.erase(seg.begin());
    prefix = "/fhir";
  }
  const std::string host = req.host.empty() ? "localhost" : req.host;
  const std::string base = absl::StrCat("http://", host, prefix);

  std::string route = "other";
  if (seg.empty()) {
    route = "/";
  } else if (seg[0] == "metadata" || seg[0] == "health" || seg[0] == "metrics") {
    route = "/" + seg[0];
  } else if (seg.size() == 1) {
    route = "/:type";
  } else if (seg.size() == 2) {
    route = "/:type/:id";
  } else if (seg.size() == 4 && seg[2] == "_history") {
    route = "/:type/:id/_history/:vid";
  }
  auto with_route = [&route](HttpResponse r) {
    r.route = route;
    return r;
  };

  if (route != "/health" && !Authorized(req.authorization)) {
    HttpResponse r = ErrorResponse(401, "login", "authentication required (HTTP basic, root)");
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"minibox\"");
    return with_route(r);
  }
  const std::string& m = req.method;
  if (m != "GET" && m != "POST" && m != "PUT" && m != "DELETE") {
    HttpResponse r = ErrorResponse(405, "not-supported", absl::StrCat("method ", m, " not supported"));
    r.headers.emplace_back("Allow", "GET, POST, PUT, DELETE");
    return with_route(r);
  }
  if ((m == "POST" || m == "PUT") && !IsJsonContentType(req.content_type)) {
    return with_route(ErrorResponse(415, "not-supported",
                                    absl::StrCat("unsupported Content-Type '", req.content_type,
                                                 "'; use application/fhir+json")));
  }
  if (route == "/health") {
    HttpResponse r;
    r.content_type = "application/json";
    r.body = R"({"status":"pass"})";
    return with_route(r);
  }
  if (route == "/metadata") {
    if (m != "GET") return with_route(ErrorResponse(405, "not-supported", "GET /metadata only"));
    HttpResponse r;
    r.body = capability_statement_;
    return with_route(r);
  }
  if (route == "/") {
    if (m != "POST") {
      HttpResponse r = ErrorResponse(405, "not-supported", "POST a transaction or batch Bundle to /");
      r.headers.emplace_back("Allow", "POST");
      return with_route(r);
    }
    absl::StatusOr<nlohmann::json> body = ParseJsonObject(req.body);
    if (!body.ok()) return with_route(ErrorResponse(400, "invalid", std::string(body.status().message())));
    return with_route(bundles_.Process(*std::move(body), base));
  }

  std::optional<nlohmann::json> body;
  if (m == "POST" || m == "PUT") {
    if (!seg.empty() && !IsResourceType(seg[0])) {
      return with_route(ErrorResponse(404, "not-supported",
                                      absl::StrCat("unknown resource type '", seg[0], "'")));
    }
    absl::StatusOr<nlohmann::json> parsed = ParseJsonObject(req.body);
    if (!parsed.ok()) return with_route(ErrorResponse(400, "invalid", std::string(parsed.status().message())));
    body = *std::move(parsed);
  }
  absl::StatusOr<Interaction> in =
      MakeInteraction(m, seg, std::move(target.query), std::move(body), req.if_match);
  if (!in.ok()) {
    HttpResponse r = FromResult(ResultFromStatus(in.status()), route);
    if (r.status == 405) r.headers.emplace_back("Allow", seg.size() == 1 ? "GET, POST" : "GET, PUT, DELETE");
    return r;
  }
  return RunInteraction(*in, base, route);
}

}  // namespace gop::minibox
