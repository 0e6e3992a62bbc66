#ifndef GOP_AGENT_HEALTH_PROBE_H_
#define GOP_AGENT_HEALTH_PROBE_H_

#include <functional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gop {

// An http:// URL split for a client; no TLS, no userinfo.
struct HttpUrl {
  std::string host;
  std::string port;    // "80" when the URL names none
  std::string target;  // path and query, "/" when empty
};
absl::StatusOr<HttpUrl> ParseHttpUrl(absl::string_view url);

// One `GET url` with `timeout` covering resolve, connect, request and
// response. Returns the HTTP status code; Unavailable with the failing step
// ("connect: Connection refused") or DeadlineExceeded when nothing answered.
absl::StatusOr<int> HttpGetStatus(absl::string_view url, absl::Duration timeout);

struct HealthProbeOptions {
  // Bound on each attempt, so a target that accepts but never answers does
  // not eat the whole wait.
  absl::Duration attempt_timeout = absl::Seconds(2);
  // Pause between attempts.
  absl::Duration interval = absl::Milliseconds(200);
  // Time source and sleep; tests may pass fakes. Defaults: absl::Now and
  // absl::SleepFor.
  std::function<absl::Time()> now;
  std::function<void(absl::Duration)> sleep;
};

// Polls `GET url` until it answers 200 or `timeout` passes. On timeout,
// DeadlineExceeded naming the URL, the attempts made and the last error
// ("HTTP 503" or "connect: Connection refused"). InvalidArgument for a bad
// URL. Blocks the calling thread.
absl::Status WaitForHealthy(absl::string_view url, absl::Duration timeout,
                            const HealthProbeOptions& options = {});

}  // namespace gop

#endif  // GOP_AGENT_HEALTH_PROBE_H_
