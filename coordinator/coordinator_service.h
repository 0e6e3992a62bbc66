#ifndef GOP_COORDINATOR_COORDINATOR_SERVICE_H_
#define GOP_COORDINATOR_COORDINATOR_SERVICE_H_

#include <functional>
#include <string>

#include "coordinator/run_controller.h"
#include "gop/v1/coordinator.grpc.pb.h"

namespace gop {

// The gRPC edge of the coordinator (callback API). Reactors only move
// messages between the wire and the RunController's non-blocking intake; they
// never block. Every call must carry the shared token when one is set; a wrong
// token is refused with UNAUTHENTICATED and logged.
class CoordinatorService final : public v1::Coordinator::CallbackService {
 public:
  CoordinatorService(RunController* controller, std::string token, std::function<void(const std::string&)> log);

  grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>* Session(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* context, const v1::GetStatusRequest* request,
                                      v1::RunStatus* response) override;
  grpc::ServerWriteReactor<v1::RunStatus>* WatchStatus(grpc::CallbackServerContext* context,
                                                       const v1::WatchStatusRequest* request) override;
  grpc::ServerUnaryReactor* CancelRun(grpc::CallbackServerContext* context, const v1::CancelRunRequest* request,
                                      v1::CancelRunResponse* response) override;

 private:
  // OK, or UNAUTHENTICATED (logged with the peer).
  grpc::Status Authenticate(grpc::CallbackServerContext* context, const char* method);

  RunController* controller_;
  std::string token_;
  std::function<void(const std::string&)> log_;
};

}  // namespace gop

#endif  // GOP_COORDINATOR_COORDINATOR_SERVICE_H_
