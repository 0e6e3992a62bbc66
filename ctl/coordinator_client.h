#ifndef GOP_CTL_COORDINATOR_CLIENT_H_
#define GOP_CTL_COORDINATOR_CLIENT_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gop/v1/coordinator.grpc.pb.h"

namespace gop::ctl {

// gopctl's side of the Coordinator service. Turns gRPC failures into
// absl::Status with one clear sentence:
//   UNAVAILABLE     "cannot reach coordinator at HOST:PORT: ..."
//   UNAUTHENTICATED "the coordinator at HOST:PORT refused the token ..."
// Every unary call carries `deadline`.
class CoordinatorClient {
 public:
  // `stub` is not owned and must outlive the client; `target` is only used
  // in messages.
  CoordinatorClient(v1::Coordinator::StubInterface* stub, std::string target, std::string token,
                    absl::Duration deadline);

  absl::StatusOr<v1::RunStatus> GetStatus();
  absl::StatusOr<v1::CancelRunResponse> CancelRun(const std::string& reason);

  // Follows the WatchStatus stream, calling `on_update` (on this thread) for
  // every status, until a status with a terminal run state arrives (returned)
  // or the stream fails. The first update must arrive within `deadline`, so
  // an unreachable coordinator fails in bounded time. Returns CANCELLED after
  // CancelWatch(). If the coordinator ends the stream before the run
  // finished, returns the last status it sent (not terminal).
  absl::StatusOr<v1::RunStatus> Watch(int min_interval_ms,
                                      absl::FunctionRef<void(const v1::RunStatus&)> on_update);

  // Stops a Watch() in progress, or the next one. Thread-safe; cheap enough
  // for an interrupt handler thread (not for a signal handler).
  void CancelWatch();

 private:
  absl::Status Explain(const grpc::Status& status) const;

  v1::Coordinator::StubInterface* const stub_;
  const std::string target_;
  const std::string token_;
  const absl::Duration deadline_;

  absl::Mutex mu_;
  bool watch_cancelled_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* watch_context_ ABSL_GUARDED_BY(mu_) = nullptr;  // the live Watch()'s
};

}  // namespace gop::ctl

#endif  // GOP_CTL_COORDINATOR_CLIENT_H_
