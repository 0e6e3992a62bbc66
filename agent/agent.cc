#include "agent/agent.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/auth.h"

namespace gop {

Agent::Agent(Options options, v1::Coordinator::StubInterface* stub, CellExecutor* executor)
    : options_(std::move(options)), stub_(stub), executor_(executor) {}

Agent::~Agent() {
  Stop();
  JoinWorker();
}

void Agent::Log(const std::string& line) {
  if (options_.log) options_.log(line);
}

void Agent::JoinWorker() {
  if (worker_.joinable()) worker_.join();
}

void Agent::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  cell_cancelled_ = true;
  if (context_ != nullptr) context_->TryCancel();
}

int Agent::PendingResults() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(pending_.size());
}

bool Agent::Write(const v1::AgentMessage& message) {
  absl::MutexLock lock(&mu_);
  if (stream_ == nullptr) return false;
  return stream_->Write(message);
}

void Agent::Report(const v1::Progress& progress) {
  v1::AgentMessage m;
  *m.mutable_progress() = progress;
  Write(m);
}

absl::Status Agent::Run() {
  absl::Duration backoff = options_.initial_backoff;
  absl::Time last_connected = absl::Now();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
    }
    bool reached = false;
    const SessionEnd end = RunSession(&reached);
    if (end == SessionEnd::kGoodbye) {
      cell_cancelled_ = true;
      JoinWorker();
      return absl::OkStatus();
    }
    if (end == SessionEnd::kStopped) break;
    if (end == SessionEnd::kRefused) {
      Stop();
      JoinWorker();
      return absl::UnauthenticatedError("the coordinator refused this agent's token");
    }
    if (reached) {
      backoff = options_.initial_backoff;
      last_connected = absl::Now();
    } else if (options_.give_up_after > absl::ZeroDuration() &&
               absl::Now() - last_connected > options_.give_up_after) {
      Stop();
      JoinWorker();
      return absl::UnavailableError(absl::StrCat("could not reach the coordinator for ",
                                                 absl::FormatDuration(options_.give_up_after)));
    }
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  JoinWorker();
  return absl::OkStatus();
}

Agent::SessionEnd Agent::RunSession(bool* reached) {
  grpc::ClientContext context;
  if (!options_.token.empty()) AddToken(&context, options_.token);
  std::unique_ptr<grpc::ClientReaderWriterInterface<v1::AgentMessage, v1::CoordinatorMessage>> stream =
      stub_->Session(&context);

  v1::AgentMessage hello;
  v1::Hello* h = hello.mutable_hello();
  h->set_agent_id(options_.agent_id);
  h->set_hostname(options_.hostname);
  h->set_cores(options_.cores);
  h->set_memory_bytes(options_.memory_bytes);
  h->set_target_kind(options_.target_kind);
  h->set_version(options_.version);
  h->set_protocol_version(1);
  for (int cpu : options_.cpu_set) h->add_cpu_set(cpu);
  std::vector<v1::CellResult> unacked;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return SessionEnd::kStopped;
    h->set_running_cell_id(running_cell_);
    h->set_running_attempt(running_attempt_);
    stream_ = stream.get();
    context_ = &context;
    last_received_ = absl::Now();
    session_over_ = false;
    for (const auto& [key, result] : pending_) unacked.push_back(result);
  }
  bool ok = Write(hello);
  for (const v1::CellResult& r : unacked) {
    v1::AgentMessage m;
    *m.mutable_result() = r;
    ok = ok && Write(m);
  }
  if (ok && !unacked.empty()) Log(absl::StrCat("resent ", unacked.size(), " unacknowledged result(s)"));

  std::thread heartbeats([this, &context] {
    while (true) {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&session_over_), options_.heartbeat_interval)) return;
      if (absl::Now() - last_received_ > options_.silence_timeout) {
        context.TryCancel();  // the coordinator is gone; Read() fails and we reconnect
        return;
      }
      if (stream_ == nullptr) return;
      v1::AgentMessage m;
      m.mutable_heartbeat()->set_unix_ms(absl::ToUnixMillis(absl::Now()));
      stream_->Write(m);
    }
  });

  bool goodbye = false;
  v1::CoordinatorMessage in;
  while (ok && stream->Read(&in)) {
    *reached = true;
    {
      absl::MutexLock lock(&mu_);
      last_received_ = absl::Now();
    }
    switch (in.kind_case()) {
      case v1::CoordinatorMessage::kAssign:
        HandleAssign(in.assign());
        break;
      case v1::CoordinatorMessage::kCancel: {
        absl::MutexLock lock(&mu_);
        if (in.cancel().cell_id() == running_cell_ && in.cancel().attempt() == running_attempt_) {
          cell_cancelled_ = true;
          Log(absl::StrCat("cell ", running_cell_, " cancelled: ", in.cancel().reason()));
        }
        break;
      }
      case v1::CoordinatorMessage::kAck: {
        absl::MutexLock lock(&mu_);
        pending_.erase({in.ack().cell_id(), in.ack().attempt()});
        break;
      }
      case v1::CoordinatorMessage::kGoodbye:
        goodbye = true;
        Log(absl::StrCat("coordinator says goodbye: ", in.goodbye().reason()));
        break;
      default:
        break;
    }
  }
  bool stopping = false;
  {
    absl::MutexLock lock(&mu_);
    stream_ = nullptr;
    context_ = nullptr;
    session_over_ = true;
    stopping = stopping_;
  }
  heartbeats.join();
  const grpc::Status status = stream->Finish();
  if (goodbye) return SessionEnd::kGoodbye;
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    Log(absl::StrCat("refused by the coordinator: ", status.error_message()));
    return SessionEnd::kRefused;
  }
  if (stopping) return SessionEnd::kStopped;
  Log(absl::StrCat("session ended: ", status.ok() ? "closed by the coordinator" : status.error_message(),
                   "; reconnecting"));
  return SessionEnd::kBroken;
}

void Agent::HandleAssign(const v1::Assign& assign) {
  bool bounce = false;
  {
    absl::MutexLock lock(&mu_);
    if (!running_cell_.empty()) {
      Log(absl::StrCat("busy with ", running_cell_, "; handing back ", assign.cell().cell_id()));
      bounce = true;
    }
  }
  if (bounce) {
    v1::AgentMessage m;
    v1::CellResult* r = m.mutable_result();
    r->set_cell_id(assign.cell().cell_id());
    r->set_attempt(assign.attempt());
    r->set_agent_id(options_.agent_id);
    r->set_not_started(true);
    r->set_failure_reason("agent busy with another cell");
    Write(m);
    return;
  }
  JoinWorker();  // the previous cell's thread has finished its work
  {
    absl::MutexLock lock(&mu_);
    running_cell_ = assign.cell().cell_id();
    running_attempt_ = assign.attempt();
  }
  cell_cancelled_ = false;
  Log(absl::StrCat("running cell ", assign.cell().cell_id(), " attempt ", assign.attempt()));
  worker_ = std::thread([this, assign] {
    v1::CellResult result = executor_->Execute(assign, this, &cell_cancelled_);
    result.set_cell_id(assign.cell().cell_id());
    result.set_attempt(assign.attempt());
    result.set_agent_id(options_.agent_id);
    {
      absl::MutexLock lock(&mu_);
      pending_[{result.cell_id(), result.attempt()}] = result;
      running_cell_.clear();
      running_attempt_ = 0;
    }
    Log(absl::StrCat("cell ", result.cell_id(), " ", result.ok() ? "finished" : "failed: " + result.failure_reason()));
    v1::AgentMessage m;
    *m.mutable_result() = result;
    Write(m);  // if the stream is down, it goes out after the reconnect
  });
}

}  // namespace gop
