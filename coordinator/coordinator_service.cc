#include "coordinator/coordinator_service.h"

#include <deque>
#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/auth.h"
#include "coordinator/agent_channel.h"

namespace gop {
namespace {

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

// gRPC may run a reactor's callbacks inline on the thread that starts an
// operation, so no lock is ever held across StartWrite/Finish, and reactors
// are reference-counted: the transport keeps one reference until OnDone, the
// controller's handle another, so a late Send never touches freed memory.

class SessionReactor final : public grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>,
                             public AgentChannel,
                             public std::enable_shared_from_this<SessionReactor> {
 public:
  static SessionReactor* Start(RunController* controller, grpc::CallbackServerContext* context,
                               const grpc::Status& auth) {
    auto reactor = std::shared_ptr<SessionReactor>(new SessionReactor(controller, context->peer()));
    reactor->self_ = reactor;
    if (!auth.ok()) {
      reactor->FinishWithStatus(auth);
    } else {
      reactor->StartRead(&reactor->in_);
    }
    return reactor.get();
  }

  // AgentChannel
  void Send(const v1::CoordinatorMessage& message) override {
    const v1::CoordinatorMessage* next = nullptr;
    {
      absl::MutexLock lock(&mu_);
      if (finishing_) return;
      out_.push_back(message);
      if (writing_) return;
      writing_ = true;
      next = &out_.front();  // deque references survive push_back
    }
    StartWrite(next);
  }

  void Finish(const absl::Status& status) override { FinishWithStatus(ToGrpc(status)); }
  std::string Peer() const override { return peer_; }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the agent closed its side or the stream broke
      FinishWithStatus(grpc::Status::OK);
      return;
    }
    if (!said_hello_) {
      if (!in_.has_hello()) {
        FinishWithStatus(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                      "the first message of a session must be Hello"));
        return;
      }
      said_hello_ = true;
      controller_->AgentHello(shared_from_this(), in_.hello());
    } else {
      controller_->AgentMessage(shared_from_this(), in_);
    }
    StartRead(&in_);
  }

  void OnWriteDone(bool ok) override {
    const v1::CoordinatorMessage* next = nullptr;
    bool finish_now = false;
    grpc::Status status;
    {
      absl::MutexLock lock(&mu_);
      out_.pop_front();
      if (!ok) {
        out_.clear();
        writing_ = false;
        if (finish_called_) return;
        finishing_ = finish_called_ = true;
        final_status_ = grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed");
        finish_now = true;
      } else if (!out_.empty()) {
        next = &out_.front();
      } else {
        writing_ = false;
        if (finishing_ && !finish_called_) {
          finish_called_ = true;
          finish_now = true;
        }
      }
      status = final_status_;
    }
    if (next != nullptr) StartWrite(next);
    if (finish_now) grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>::Finish(status);
  }

  void OnDone() override {
    if (said_hello_) controller_->AgentGone(shared_from_this());
    self_.reset();  // the controller may still hold a reference
  }

 private:
  SessionReactor(RunController* controller, std::string peer) : controller_(controller), peer_(std::move(peer)) {}

  // Ends the stream once queued messages are written.
  void FinishWithStatus(const grpc::Status& status) {
    {
      absl::MutexLock lock(&mu_);
      if (finishing_) return;
      finishing_ = true;
      final_status_ = status;
      if (writing_) return;  // OnWriteDone finishes
      finish_called_ = true;
    }
    grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>::Finish(status);
  }

  RunController* controller_;
  const std::string peer_;
  std::shared_ptr<SessionReactor> self_;  // released in OnDone
  v1::AgentMessage in_;
  bool said_hello_ = false;  // touched only by the read chain

  absl::Mutex mu_;
  std::deque<v1::CoordinatorMessage> out_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
  bool finish_called_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status final_status_ ABSL_GUARDED_BY(mu_);
};

// Streams status snapshots; while a write is in flight only the newest
// snapshot is kept, so a slow watcher never slows the run.
class WatchReactor final : public grpc::ServerWriteReactor<v1::RunStatus>,
                           public StatusWatcher,
                           public std::enable_shared_from_this<WatchReactor> {
 public:
  static WatchReactor* Start(RunController* controller, const grpc::Status& auth, absl::Duration min_interval) {
    auto reactor = std::shared_ptr<WatchReactor>(new WatchReactor(controller, min_interval));
    reactor->self_ = reactor;
    if (!auth.ok()) {
      {
        absl::MutexLock lock(&reactor->mu_);
        reactor->done_ = true;
      }
      reactor->Finish(auth);
    } else {
      controller->AddWatcher(reactor);
    }
    return reactor.get();
  }

  void Publish(const v1::RunStatus& status, bool final) override {
    {
      absl::MutexLock lock(&mu_);
      if (done_) return;
      pending_ = status;
      pending_final_ = final;
      has_pending_ = true;
    }
    MaybeWrite();
  }

  void OnWriteDone(bool ok) override {
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok || wrote_final_) {
        finish = !done_;
        done_ = true;
      }
    }
    if (finish) Finish(grpc::Status::OK);
    else MaybeWrite();
  }

  void OnCancel() override {
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      finish = !done_ && !writing_;
      done_ = true;  // with a write in flight, OnWriteDone(false) finishes
    }
    if (finish) Finish(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    controller_->RemoveWatcher(this);
    self_.reset();
  }

 private:
  WatchReactor(RunController* controller, absl::Duration min_interval)
      : controller_(controller), min_interval_(min_interval) {}

  void MaybeWrite() {
    const v1::RunStatus* next = nullptr;
    {
      absl::MutexLock lock(&mu_);
      if (done_ || writing_ || !has_pending_) return;
      const absl::Time now = absl::Now();
      // Rate-limit all but the final snapshot; the controller publishes at
      // least twice a second, so the newest state follows soon.
      if (!pending_final_ && now - last_write_ < min_interval_) return;
      current_ = pending_;
      wrote_final_ = pending_final_;
      has_pending_ = false;
      writing_ = true;
      last_write_ = now;
      next = &current_;
    }
    StartWrite(next);
  }

  RunController* controller_;
  const absl::Duration min_interval_;
  std::shared_ptr<WatchReactor> self_;

  absl::Mutex mu_;
  v1::RunStatus pending_ ABSL_GUARDED_BY(mu_);
  v1::RunStatus current_ ABSL_GUARDED_BY(mu_);
  bool has_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool pending_final_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool wrote_final_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time last_write_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace

CoordinatorService::CoordinatorService(RunController* controller, std::string token,
                                       std::function<void(const std::string&)> log)
    : controller_(controller), token_(std::move(token)), log_(std::move(log)) {}

grpc::Status CoordinatorService::Authenticate(grpc::CallbackServerContext* context, const char* method) {
  grpc::Status s = CheckToken(*context, token_);
  if (!s.ok() && log_) log_(absl::StrCat("refused ", method, " from ", context->peer(), ": ", s.error_message()));
  return s;
}

grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>* CoordinatorService::Session(
    grpc::CallbackServerContext* context) {
  return SessionReactor::Start(controller_, context, Authenticate(context, "Session"));
}

grpc::ServerUnaryReactor* CoordinatorService::GetStatus(grpc::CallbackServerContext* context,
                                                        const v1::GetStatusRequest* /*request*/,
                                                        v1::RunStatus* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status auth = Authenticate(context, "GetStatus");
  if (auth.ok()) *response = controller_->Status();
  reactor->Finish(auth);
  return reactor;
}

grpc::ServerWriteReactor<v1::RunStatus>* CoordinatorService::WatchStatus(grpc::CallbackServerContext* context,
                                                                         const v1::WatchStatusRequest* request) {
  const int ms = request->min_interval_ms() > 0 ? request->min_interval_ms() : 1000;
  return WatchReactor::Start(controller_, Authenticate(context, "WatchStatus"), absl::Milliseconds(ms));
}

grpc::ServerUnaryReactor* CoordinatorService::CancelRun(grpc::CallbackServerContext* context,
                                                        const v1::CancelRunRequest* request,
                                                        v1::CancelRunResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status auth = Authenticate(context, "CancelRun");
  if (auth.ok() && controller_->Finished()) {
    response->set_accepted(false);
    response->set_message("the run has already ended");
  } else if (auth.ok()) {
    const std::string reason = request->reason().empty() ? "cancelled by gopctl" : request->reason();
    controller_->Cancel(absl::StrCat(reason, " (from ", context->peer(), ")"));
    response->set_accepted(true);
    response->set_message("run is being cancelled; running cells are stopped");
  }
  reactor->Finish(auth);
  return reactor;
}

}  // namespace gop
