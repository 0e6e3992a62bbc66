#ifndef GOP_MINIBOX_FHIR_HANDLER_H_
#define GOP_MINIBOX_FHIR_HANDLER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "minibox/bundle_processor.h"
#include "minibox/config.h"
#include "minibox/http_message.h"
#include "minibox/interactions.h"
#include "minibox/pg_pool.h"
#include "minibox/schema.h"

namespace gop::minibox {

// The FHIR REST API at /fhir/... and /...: routing, content checks, auth, and the
// database work. Runs on worker threads (it blocks on the pool and on SQL).
// Thread-safe.
class FhirHandler {
 public:
  FhirHandler(const Config& config, PgPool* pool, Schema* schema);

  HttpResponse Handle(const HttpRequest& request) const;

  // True when `authorization` carries the root credentials (always true without a secret).
  bool Authorized(const std::string& authorization) const;

 private:
  HttpResponse RunInteraction(const Interaction& in, const std::string& base,
                              const std::string& route) const;

  const Config config_;
  std::string expected_auth_;  // "Basic base64(root:secret)", empty = no auth
  PgPool* pool_;
  Schema* schema_;
  Interactions interactions_;
  BundleProcessor bundles_;
  std::string capability_statement_;
};

// An OperationOutcome response.
HttpResponse ErrorResponse(int status, absl::string_view code, absl::string_view message);

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_FHIR_HANDLER_H_
