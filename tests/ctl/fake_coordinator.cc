#include "tests/ctl/fake_coordinator.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/grpc_channel.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace gop::testing {
namespace {

// Writes a fixed list of statuses, then finishes (or waits for the client to
// cancel when holding the stream open). Decisions are made under mu_, but
// StartWrite/Finish are called outside it: gRPC may run a reaction inline.
class ScriptWriter final : public grpc::ServerWriteReactor<v1::RunStatus> {
 public:
  ScriptWriter(std::vector<v1::RunStatus> script, bool hold_open)
      : script_(std::move(script)), hold_open_(hold_open) {
    Next(/*write_done=*/false, /*ok=*/true);
  }
  void OnWriteDone(bool ok) override { Next(/*write_done=*/true, ok); }
  void OnCancel() override {
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
      if (writing_ || finished_) return;
      finished_ = true;
    }
    Finish(grpc::Status::CANCELLED);
  }
  void OnDone() override { delete this; }

 private:
  void Next(bool write_done, bool ok) {
    const v1::RunStatus* to_write = nullptr;
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      if (write_done) writing_ = false;
      if (finished_) return;
      if (!ok || cancelled_) {
        finish = grpc::Status::CANCELLED;
      } else if (next_ < script_.size()) {
        writing_ = true;
        to_write = &script_[next_++];
      } else if (!hold_open_) {
        finish = grpc::Status::OK;
      }
      if (finish.has_value()) finished_ = true;
    }
    if (to_write != nullptr) StartWrite(to_write);
    if (finish.has_value()) Finish(*finish);
  }

  absl::Mutex mu_;
  const std::vector<v1::RunStatus> script_;
  const bool hold_open_;
  size_t next_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

class RefusedWriter final : public grpc::ServerWriteReactor<v1::RunStatus> {
 public:
  explicit RefusedWriter(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

void FakeCoordinator::SetStatus(v1::RunStatus status) {
  absl::MutexLock lock(&mu_);
  status_ = std::move(status);
}
void FakeCoordinator::SetWatchScript(std::vector<v1::RunStatus> script, bool hold_open) {
  absl::MutexLock lock(&mu_);
  watch_script_ = std::move(script);
  hold_open_ = hold_open;
}
void FakeCoordinator::SetCancelResponse(v1::CancelRunResponse response) {
  absl::MutexLock lock(&mu_);
  cancel_response_ = std::move(response);
}
int FakeCoordinator::get_status_calls() const {
  absl::MutexLock lock(&mu_);
  return get_status_calls_;
}
int FakeCoordinator::watch_calls() const {
  absl::MutexLock lock(&mu_);
  return watch_calls_;
}
int FakeCoordinator::cancel_calls() const {
  absl::MutexLock lock(&mu_);
  return cancel_calls_;
}
int FakeCoordinator::refused_calls() const {
  absl::MutexLock lock(&mu_);
  return refused_calls_;
}
std::string FakeCoordinator::last_cancel_reason() const {
  absl::MutexLock lock(&mu_);
  return last_cancel_reason_;
}
std::optional<std::string> FakeCoordinator::last_presented_token() const {
  absl::MutexLock lock(&mu_);
  return last_presented_token_;
}
int FakeCoordinator::last_watch_min_interval_ms() const {
  absl::MutexLock lock(&mu_);
  return last_watch_min_interval_ms_;
}

grpc::Status FakeCoordinator::Authenticate(grpc::CallbackServerContext* context) {
  const std::optional<std::string_view> presented = PresentedToken(*context);
  grpc::Status verdict = CheckToken(*context, token_);
  absl::MutexLock lock(&mu_);
  last_presented_token_ =
      presented.has_value() ? std::optional<std::string>(std::string(*presented)) : std::nullopt;
  if (!verdict.ok()) ++refused_calls_;
  return verdict;
}

grpc::ServerUnaryReactor* FakeCoordinator::GetStatus(grpc::CallbackServerContext* context,
                                                     const v1::GetStatusRequest*,
                                                     v1::RunStatus* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status verdict = Authenticate(context);
  if (verdict.ok()) {
    absl::MutexLock lock(&mu_);
    ++get_status_calls_;
    *response = status_;
  }
  reactor->Finish(verdict);
  return reactor;
}

grpc::ServerWriteReactor<v1::RunStatus>* FakeCoordinator::WatchStatus(
    grpc::CallbackServerContext* context, const v1::WatchStatusRequest* request) {
  grpc::Status verdict = Authenticate(context);
  if (!verdict.ok()) return new RefusedWriter(verdict);
  absl::MutexLock lock(&mu_);
  ++watch_calls_;
  last_watch_min_interval_ms_ = request->min_interval_ms();
  return new ScriptWriter(watch_script_, hold_open_);
}

grpc::ServerUnaryReactor* FakeCoordinator::CancelRun(grpc::CallbackServerContext* context,
                                                     const v1::CancelRunRequest* request,
                                                     v1::CancelRunResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status verdict = Authenticate(context);
  if (verdict.ok()) {
    absl::MutexLock lock(&mu_);
    ++cancel_calls_;
    last_cancel_reason_ = request->reason();
    *response = cancel_response_;
  }
  reactor->Finish(verdict);
  return reactor;
}

absl::StatusOr<std::unique_ptr<TestServer>> TestServer::Start(
    grpc::Service* service, std::shared_ptr<grpc::ServerCredentials> credentials) {
  if (credentials == nullptr) credentials = grpc::InsecureServerCredentials();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", credentials, &port);
  ConfigureServerKeepalive(builder);
  builder.RegisterService(service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) return absl::InternalError("cannot start the test gRPC server");
  return std::unique_ptr<TestServer>(new TestServer(std::move(server), port));
}

TestServer::~TestServer() {
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

namespace {

absl::StatusOr<std::pair<int, int>> BindLoopback() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return absl::InternalError("bind() on 127.0.0.1 failed");
  }
  return std::make_pair(fd, static_cast<int>(ntohs(address.sin_port)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<SilentListener>> SilentListener::Start() {
  absl::StatusOr<std::pair<int, int>> bound = BindLoopback();
  if (!bound.ok()) return bound.status();
  if (listen(bound->first, 16) != 0) {
    close(bound->first);
    return absl::InternalError("listen() failed");
  }
  return std::unique_ptr<SilentListener>(new SilentListener(bound->first, bound->second));
}

SilentListener::~SilentListener() { close(fd_); }

ChannelOptions Plain(const std::string& target) {
  ChannelOptions options;
  options.target = target;
  return options;
}

int UnusedPort() {
  absl::StatusOr<std::pair<int, int>> bound = BindLoopback();
  if (!bound.ok()) return 1;  // port 1: nothing listens there either
  close(bound->first);
  return bound->second;
}

v1::RunStatus CannedRunningStatus() {
  v1::RunStatus status;
  status.set_run_id("20250615-103000");
  status.set_state(v1::RUN_STATE_RUNNING);
  status.set_cells_total(20);
  status.set_cells_done(11);
  status.set_cells_running(2);
  status.set_cells_queued(6);
  status.set_cells_failed(1);
  status.set_started_unix_ms(absl::ToUnixMillis(kCannedNow - absl::Minutes(42) - absl::Seconds(7)));
  status.set_eta_ms(absl::ToInt64Milliseconds(absl::Minutes(31) + absl::Seconds(15)));
  status.set_state_dir("runs/20250615-103000");

  v1::AgentStatus* a = status.add_agents();
  a->set_agent_id("agent-1");
  a->set_hostname("loadbox-a");
  a->set_cores(4);
  a->set_target_kind("process");
  a->set_current_cell_id("cpu2_wt3_db4_rep1");
  a->set_phase(v1::PHASE_MEASURING);
  a->set_phase_elapsed_ms(12'400);
  a->set_phase_total_ms(60'000);
  a->set_requests_per_second(1834.56);
  a->set_p99_us(12'345);
  a->set_cells_done(6);

  v1::AgentStatus* b = status.add_agents();
  b->set_agent_id("agent-2");
  b->set_hostname("loadbox-b.example.org");
  b->set_cores(0.5);
  b->set_target_kind("process");
  b->set_current_cell_id("cpu0.5_wt1_db1_rep1");
  b->set_phase(v1::PHASE_WAITING_HEALTH);
  b->set_phase_elapsed_ms(3'000);
  b->set_phase_total_ms(30'000);
  b->set_cells_done(5);

  v1::AgentStatus* c = status.add_agents();
  c->set_agent_id("agent-3");
  c->set_hostname("loadbox-c");
  c->set_cores(8);
  c->set_target_kind("external");
  c->set_cells_done(0);

  v1::CellStatus* done = status.add_cells();
  done->mutable_cell()->set_cell_id("cpu1_wt1_db1_rep1");
  done->set_state(v1::CELL_STATE_DONE);
  done->set_attempts(1);
  v1::CellStatus* failed = status.add_cells();
  failed->mutable_cell()->set_cell_id("cpu4_wt8_db16_rep1");
  failed->set_state(v1::CELL_STATE_FAILED);
  failed->set_attempts(3);
  failed->set_agent_id("agent-2");
  failed->set_failure_reason("target did not become healthy within 30s");

  status.add_warnings("cell cpu16_wt16_db24_rep1 needs 16 cores; no connected agent has that many");
  return status;
}

v1::RunStatus CannedProgressStatus() {
  v1::RunStatus status = CannedRunningStatus();
  status.set_cells_done(17);
  status.set_cells_running(1);
  status.set_cells_queued(1);
  status.set_eta_ms(95'000);
  return status;
}

v1::RunStatus CannedFinishedStatus(v1::RunState final_state) {
  v1::RunStatus status = CannedRunningStatus();
  status.set_state(final_state);
  status.set_cells_done(19);
  status.set_cells_running(0);
  status.set_cells_queued(0);
  status.set_eta_ms(0);
  for (v1::AgentStatus& agent : *status.mutable_agents()) {
    agent.clear_current_cell_id();
    agent.set_phase(v1::PHASE_UNSPECIFIED);
  }
  return status;
}

}  // namespace gop::testing
