#include "loadgen/request_builder.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "loadgen/sv.h"

namespace gop::loadgen {

namespace {

bool HasHeader(const Step& step, std::string_view name) {
  for (const auto& [n, v] : step.headers) {
    if (absl::EqualsIgnoreCase(n, Sv(name))) return true;
  }
  return false;
}

void AppendTail(bool has_body, bool body_method, const std::string& body, std::string* out) {
  if (has_body || body_method) {
    absl::StrAppend(out, "Content-Length: ", body.size(), "\r\n\r\n", body);
  } else {
    out->append("\r\n");
  }
}

}  // namespace

absl::StatusOr<RequestBuilder> RequestBuilder::Create(const Scenario& scenario,
                                                      const TargetUrl& url,
                                                      std::string_view auth) {
  std::string auth_header;
  if (absl::StartsWith(Sv(auth), "basic:")) {
    auth_header = absl::StrCat("Authorization: Basic ", absl::Base64Escape(Sv(auth.substr(6))), "\r\n");
  } else if (absl::StartsWith(Sv(auth), "bearer:")) {
    auth_header = absl::StrCat("Authorization: Bearer ", Sv(auth.substr(7)), "\r\n");
  } else if (!auth.empty()) {
    return absl::InvalidArgumentError("auth must be basic:USER:SECRET or bearer:TOKEN");
  }
  // Templates are compiled against copies of the scenario's slot tables:
  // every name is already there, so slots keep their numbers.
  SlotTable captures = scenario.capture_slots;
  SlotTable uuids = scenario.uuid_slots;
  RequestBuilder b;
  for (const Step& step : scenario.steps) {
    std::string head = absl::StrCat(step.method, " ", url.Join(step.path), " HTTP/1.1\r\nHost: ",
                                    url.host_header, "\r\nUser-Agent: gop-load\r\n");
    if (!HasHeader(step, "accept")) head.append("Accept: application/fhir+json\r\n");
    if (step.has_body && !HasHeader(step, "content-type")) {
      head.append("Content-Type: application/fhir+json\r\n");
    }
    head.append(auth_header);
    for (const auto& [name, value] : step.headers) absl::StrAppend(&head, name, ": ", value, "\r\n");
    Prepared p;
    absl::StatusOr<Template> t = Template::Compile(head, Template::Escape::kNone, &captures, &uuids);
    if (!t.ok()) return t.status();
    p.head = *std::move(t);
    p.has_body = step.has_body;
    p.body_method = step.method == "POST" || step.method == "PUT" || step.method == "PATCH";
    p.body = step.body;
    p.is_static = p.head.IsStatic() && (!p.has_body || p.body.IsStatic());
    if (p.is_static) {
      p.static_request = std::string(p.head.StaticText());
      AppendTail(p.has_body, p.body_method, std::string(p.body.StaticText()), &p.static_request);
    }
    b.steps_.push_back(std::move(p));
  }
  return b;
}

void RequestBuilder::Render(int i, IterationValues& values, std::string* out,
                            std::string* scratch) const {
  const Prepared& p = steps_[i];
  out->clear();
  p.head.Render(values, out);
  scratch->clear();
  if (p.has_body) p.body.Render(values, scratch);
  AppendTail(p.has_body, p.body_method, *scratch, out);
}

}  // namespace gop::loadgen
