#ifndef GOP_LOADGEN_REQUEST_BUILDER_H_
#define GOP_LOADGEN_REQUEST_BUILDER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "loadgen/scenario.h"
#include "loadgen/target_url.h"
#include "loadgen/template.h"

namespace gop::loadgen {

// Builds the bytes of each step's HTTP/1.1 request. Compiled once per run
// (target, auth and headers folded into one head template per step);
// immutable and shared by all worker threads afterwards.
class RequestBuilder {
 public:
  // `auth`: "", "basic:USER:SECRET" or "bearer:TOKEN".
  static absl::StatusOr<RequestBuilder> Create(const Scenario& scenario, const TargetUrl& url,
                                               std::string_view auth);

  // The whole request of step `i` when it never changes (else nullptr).
  const std::string* StaticRequest(int i) const {
    return steps_[i].is_static ? &steps_[i].static_request : nullptr;
  }
  // Renders step `i` into `out` (cleared first); `scratch` holds the body.
  void Render(int i, IterationValues& values, std::string* out, std::string* scratch) const;

 private:
  struct Prepared {
    Template head;  // request line + headers, without Content-Length / blank line
    bool has_body = false;
    bool body_method = false;  // POST/PUT/PATCH: send Content-Length: 0 without body
    Template body;
    bool is_static = false;
    std::string static_request;
  };
  std::vector<Prepared> steps_;
};

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_REQUEST_BUILDER_H_
