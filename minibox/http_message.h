#ifndef GOP_MINIBOX_HTTP_MESSAGE_H_
#define GOP_MINIBOX_HTTP_MESSAGE_H_

#include <string>
#include <utility>
#include <vector>

namespace gop::minibox {

// A request as the handlers see it: transport-neutral, already fully read.
struct HttpRequest {
  std::string method;  // upper case as sent
  std::string target;  // path + query
  std::string host;
  std::string content_type;
  std::string if_match;
  std::string authorization;
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/fhir+json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Low-cardinality route for metrics: "/:type", "/:type/:id", "/", "/metadata", ...
  std::string route = "other";
};

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_HTTP_MESSAGE_H_
