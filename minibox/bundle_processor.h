#ifndef GOP_MINIBOX_BUNDLE_PROCESSOR_H_
#define GOP_MINIBOX_BUNDLE_PROCESSOR_H_

#include <string>

#include <nlohmann/json.hpp>

#include "minibox/http_message.h"
#include "minibox/interactions.h"
#include "minibox/pg_pool.h"
#include "minibox/schema.h"

namespace gop::minibox {

// POST / with a Bundle: `transaction` (all-or-nothing in one database transaction,
// urn:uuid: references rewritten to the ids assigned to POSTed entries, processed in
// FHIR's order DELETE, POST, PUT, GET) or `batch` (each entry on its own). Thread-safe.
class BundleProcessor {
 public:
  BundleProcessor(PgPool* pool, Schema* schema, const Interactions* interactions)
      : pool_(pool), schema_(schema), interactions_(interactions) {}

  HttpResponse Process(nlohmann::json bundle, const std::string& base_url) const;

 private:
  PgPool* pool_;
  Schema* schema_;
  const Interactions* interactions_;
};

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_BUNDLE_PROCESSOR_H_
