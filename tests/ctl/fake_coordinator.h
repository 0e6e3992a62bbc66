#ifndef GOP_TESTS_CTL_FAKE_COORDINATOR_H_
#define GOP_TESTS_CTL_FAKE_COORDINATOR_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/grpc_channel.h"
#include "gop/v1/coordinator.grpc.pb.h"
#include "grpcpp/server.h"

namespace gop::testing {

// A Coordinator service serving canned statuses, for gopctl's tests. Checks
// the token with gop::CheckToken like the real coordinator. Session is not
// implemented. Thread-safe.
class FakeCoordinator final : public v1::Coordinator::CallbackService {
 public:
  explicit FakeCoordinator(std::string token = "") : token_(std::move(token)) {}

  void SetStatus(v1::RunStatus status);
  // WatchStatus writes these in order; then closes the stream, or with
  // `hold_open` keeps it open until the client cancels.
  void SetWatchScript(std::vector<v1::RunStatus> script, bool hold_open = false);
  void SetCancelResponse(v1::CancelRunResponse response);

  int get_status_calls() const;
  int watch_calls() const;
  int cancel_calls() const;
  int refused_calls() const;
  std::string last_cancel_reason() const;
  std::optional<std::string> last_presented_token() const;
  int last_watch_min_interval_ms() const;

  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* context,
                                      const v1::GetStatusRequest* request,
                                      v1::RunStatus* response) override;
  grpc::ServerWriteReactor<v1::RunStatus>* WatchStatus(
      grpc::CallbackServerContext* context, const v1::WatchStatusRequest* request) override;
  grpc::ServerUnaryReactor* CancelRun(grpc::CallbackServerContext* context,
                                      const v1::CancelRunRequest* request,
                                      v1::CancelRunResponse* response) override;

 private:
  // Records the presented token; returns the CheckToken verdict.
  grpc::Status Authenticate(grpc::CallbackServerContext* context);

  const std::string token_;
  mutable absl::Mutex mu_;
  v1::RunStatus status_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::RunStatus> watch_script_ ABSL_GUARDED_BY(mu_);
  bool hold_open_ ABSL_GUARDED_BY(mu_) = false;
  v1::CancelRunResponse cancel_response_ ABSL_GUARDED_BY(mu_);
  int get_status_calls_ ABSL_GUARDED_BY(mu_) = 0;
  int watch_calls_ ABSL_GUARDED_BY(mu_) = 0;
  int cancel_calls_ ABSL_GUARDED_BY(mu_) = 0;
  int refused_calls_ ABSL_GUARDED_BY(mu_) = 0;
  int last_watch_min_interval_ms_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_cancel_reason_ ABSL_GUARDED_BY(mu_);
  std::optional<std::string> last_presented_token_ ABSL_GUARDED_BY(mu_);
};

// A gRPC server on 127.0.0.1 with a kernel-chosen port.
class TestServer {
 public:
  // `credentials` null = insecure.
  static absl::StatusOr<std::unique_ptr<TestServer>> Start(
      grpc::Service* service, std::shared_ptr<grpc::ServerCredentials> credentials = nullptr);
  ~TestServer();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  TestServer(std::unique_ptr<grpc::Server> server, int port) : server_(std::move(server)), port_(port) {}
  std::unique_ptr<grpc::Server> server_;
  int port_;
};

// A listening TCP socket on 127.0.0.1 that never accepts or answers: a
// coordinator that is "there" but hangs.
class SilentListener {
 public:
  static absl::StatusOr<std::unique_ptr<SilentListener>> Start();
  ~SilentListener();
  int port() const { return port_; }

 private:
  SilentListener(int fd, int port) : fd_(fd), port_(port) {}
  int fd_;
  int port_;
};

// Channel options for an insecure channel to `target`.
ChannelOptions Plain(const std::string& target);

// A 127.0.0.1 port nobody listens on (bound, then closed).
int UnusedPort();

// Canned statuses. All times relative to kCannedNow.
inline const absl::Time kCannedNow = absl::FromUnixSeconds(1'750'000'000);
// Mid-run: two busy agents and an idle one, a failed cell, a warning.
v1::RunStatus CannedRunningStatus();
// The same run later, and at its end.
v1::RunStatus CannedProgressStatus();
v1::RunStatus CannedFinishedStatus(v1::RunState final_state = v1::RUN_STATE_FINISHED);

}  // namespace gop::testing

#endif  // GOP_TESTS_CTL_FAKE_COORDINATOR_H_
