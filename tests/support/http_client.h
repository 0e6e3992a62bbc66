#ifndef GOP_TESTS_SUPPORT_HTTP_CLIENT_H_
#define GOP_TESTS_SUPPORT_HTTP_CLIENT_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gop::testing {

struct HttpResponse {
  int status = 0;
  // Header names lower-cased.
  std::map<std::string, std::string> headers;
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";  // path + query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Content-Type sent when body is non-empty and no Content-Type header was given.
  std::string content_type = "application/fhir+json";
};

// Blocking HTTP/1.1 client for tests: one connection per call, Connection: close.
class HttpClient {
 public:
  HttpClient(std::string host, int port, absl::Duration timeout = absl::Seconds(30))
      : host_(std::move(host)), port_(port), timeout_(timeout) {}

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) const;
  absl::StatusOr<HttpResponse> Get(const std::string& target) const;
  absl::StatusOr<HttpResponse> Post(const std::string& target, const std::string& body) const;
  absl::StatusOr<HttpResponse> Put(const std::string& target, const std::string& body) const;
  absl::StatusOr<HttpResponse> Delete(const std::string& target) const;

  // Writes raw bytes, then reads whatever comes back until the peer closes or `timeout`
  // passes. For malformed / partial requests the normal client cannot produce.
  absl::StatusOr<std::string> SendRaw(const std::string& bytes, absl::Duration timeout) const;

 private:
  std::string host_;
  int port_;
  absl::Duration timeout_;
};

}  // namespace gop::testing

#endif  // GOP_TESTS_SUPPORT_HTTP_CLIENT_H_
