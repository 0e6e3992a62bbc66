#include "coordinator/run_controller.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/histogram.h"
#include "coordinator/coordinator_metrics.h"

namespace gop {
namespace {

int64_t UnixMs(absl::Time t) { return absl::ToUnixMillis(t); }

}  // namespace

RunController::RunController(Options options, std::vector<v1::CellConfig> cells, Clock* clock,
                             CoordinatorMetrics* metrics)
    : options_(std::move(options)),
      clock_(clock),
      metrics_(metrics),
      scheduler_(cells, options_.scheduling, clock),
      results_(options_.state_dir / "result") {
  for (const v1::CellConfig& c : cells) configs_.emplace(c.cell_id(), c);
  started_ = clock_->Now();
  last_heartbeat_ = started_;
  last_publish_ = absl::InfinitePast();
}

absl::StatusOr<std::unique_ptr<RunController>> RunController::Create(Options options,
                                                                      std::vector<v1::CellConfig> cells,
                                                                      Clock* clock, CoordinatorMetrics* metrics) {
  std::error_code ec;
  std::filesystem::create_directories(options.state_dir / "result", ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create state dir ", options.state_dir.string(), ": ", ec.message()));
  }
  std::unique_ptr<RunController> controller(new RunController(std::move(options), std::move(cells), clock, metrics));
  if (absl::Status s = controller->Restore(); !s.ok()) return s;
  return controller;
}

absl::Status RunController::Restore() {
  const std::filesystem::path journal_path = options_.state_dir / "journal.jsonl";
  absl::StatusOr<Journal::Replay> replay = Journal::Read(journal_path);
  if (!replay.ok()) return replay.status();
  for (const std::string& p : replay->problems) Log(absl::StrCat("warning: ", p));
  for (const auto& [cell, finished] : replay->finished) {
    scheduler_.RestoreFinished(cell, finished.ok, finished.attempts, finished.reason);
    ++resumed_cells_;
  }
  // Unfinished cells keep their attempt numbers: a result still coming from
  // an agent of the earlier life is told apart from a new attempt.
  for (const auto& [cell, attempts] : replay->attempts) scheduler_.RestoreAttempts(cell, attempts);
  // A result file written just before a crash, whose journal record was lost,
  // still counts: the cell is never run twice.
  std::vector<std::string> problems;
  for (const auto& [cell, found] : results_.Scan(&problems)) {
    auto it = replay->finished.find(cell);
    if (it != replay->finished.end() && it->second.ok == found.ok) continue;
    const int attempts = replay->attempts.count(cell) ? replay->attempts.at(cell) : found.attempt;
    scheduler_.RestoreFinished(cell, found.ok, attempts, found.ok ? "" : "failed in an earlier run");
    if (it == replay->finished.end()) ++resumed_cells_;
  }
  for (const std::string& p : problems) Log(absl::StrCat("warning: ", p));
  absl::StatusOr<std::unique_ptr<gop::Journal>> journal = Journal::Open(journal_path);
  if (!journal.ok()) return journal.status();
  journal_ = std::move(*journal);
  Journal({{"event", replay->records > 0 ? "run_resumed" : "run_started"},
           {"run_id", options_.run_id},
           {"cells", scheduler_.total()},
           {"already_finished", resumed_cells_}});
  PublishStatus(false);
  return absl::OkStatus();
}

void RunController::Post(std::function<void()> fn) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(fn));
}

void RunController::AgentHello(std::shared_ptr<AgentChannel> channel, const v1::Hello& hello) {
  Post([this, channel = std::move(channel), hello] { OnHello(channel, hello); });
}

void RunController::AgentMessage(std::shared_ptr<AgentChannel> channel, const v1::AgentMessage& message) {
  Post([this, channel = std::move(channel), message] { OnMessage(channel, message); });
}

void RunController::AgentGone(std::shared_ptr<AgentChannel> channel) {
  Post([this, channel = std::move(channel)] { OnGone(channel); });
}

void RunController::Cancel(const std::string& reason) {
  Post([this, reason] { OnCancel(reason); });
}

void RunController::AddWatcher(std::shared_ptr<StatusWatcher> watcher) {
  v1::RunStatus status;
  bool final = false;
  {
    absl::MutexLock lock(&mu_);
    status = status_;
    final = finished_;
    if (!final) watchers_.push_back(watcher);
  }
  // Outside the lock: a watcher's transport may call back into RemoveWatcher.
  watcher->Publish(status, final);
}

void RunController::RemoveWatcher(StatusWatcher* watcher) {
  absl::MutexLock lock(&mu_);
  watchers_.erase(std::remove_if(watchers_.begin(), watchers_.end(),
                                 [watcher](const auto& w) { return w.get() == watcher; }),
                  watchers_.end());
}

bool RunController::Finished() const {
  absl::MutexLock lock(&mu_);
  return finished_;
}

v1::RunStatus RunController::Status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

void RunController::Log(const std::string& line) {
  if (options_.log) options_.log(line);
}

void RunController::Journal(nlohmann::json record) {
  record["t"] = UnixMs(clock_->Now());
  if (absl::Status s = journal_->Append(record); !s.ok()) Log(absl::StrCat("error: ", s.message()));
}

std::string RunController::AgentIdOf(const std::shared_ptr<AgentChannel>& channel) const {
  auto it = channel_agents_.find(channel.get());
  return it == channel_agents_.end() ? "" : it->second;
}

RunOutcome RunController::Run() {
  while (true) {
    std::deque<std::function<void()>> batch;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(
                               +[](std::deque<std::function<void()>>* q) { return !q->empty(); }, &queue_),
                           options_.tick);
      batch.swap(queue_);
    }
    for (auto& fn : batch) fn();
    HandleEvents(scheduler_.Tick());
    AssignIdleAgents();

    const absl::Time now = clock_->Now();
    if (now - last_heartbeat_ >= options_.heartbeat_interval) {
      last_heartbeat_ = now;
      v1::CoordinatorMessage hb;
      hb.mutable_heartbeat()->set_unix_ms(UnixMs(absl::Now()));
      for (auto& [id, agent] : agents_) {
        if (agent.channel) agent.channel->Send(hb);
      }
    }
    if (cancelled_ || scheduler_.AllFinished()) break;
    PublishStatus(false);
  }

  RunOutcome outcome;
  outcome.done = scheduler_.CountIn(v1::CELL_STATE_DONE);
  outcome.failed = scheduler_.CountIn(v1::CELL_STATE_FAILED);
  outcome.state = cancelled_ ? v1::RUN_STATE_CANCELLED
                             : (outcome.failed > 0 ? v1::RUN_STATE_FAILED : v1::RUN_STATE_FINISHED);
  v1::RunStatus final_status;
  scheduler_.FillStatus(&final_status);
  for (const v1::CellStatus& c : final_status.cells()) {
    if (c.state() == v1::CELL_STATE_FAILED) {
      outcome.failures.push_back(absl::StrCat(c.cell().cell_id(), ": ", c.failure_reason()));
    }
  }
  Journal({{"event", "run_finished"},
           {"state", v1::RunState_Name(outcome.state)},
           {"done", outcome.done},
           {"failed", outcome.failed}});
  v1::CoordinatorMessage bye;
  bye.mutable_goodbye()->set_reason(cancelled_ ? "run cancelled" : "run finished");
  for (auto& [id, agent] : agents_) {
    if (agent.channel) {
      agent.channel->Send(bye);
      agent.channel->Finish(absl::OkStatus());
    }
  }
  PublishStatus(true);
  return outcome;
}

void RunController::OnHello(const std::shared_ptr<AgentChannel>& channel, const v1::Hello& hello) {
  const std::string& id = hello.agent_id();
  AgentState& agent = agents_[id];
  if (agent.channel && agent.channel != channel) {
    channel_agents_.erase(agent.channel.get());
    agent.channel->Finish(absl::AbortedError("replaced by a newer session of the same agent"));
  }
  agent.channel = channel;
  channel_agents_[channel.get()] = id;
  agent.status.set_agent_id(id);
  agent.status.set_hostname(hello.hostname());
  agent.status.set_cores(hello.cores());
  agent.status.set_target_kind(hello.target_kind());
  agent.status.set_connected_unix_ms(UnixMs(clock_->Now()));
  scheduler_.AgentConnected({id, hello.hostname(), hello.cores(), hello.target_kind()});
  Log(absl::StrFormat("agent %s joined from %s (%s, %g cores, target %s)", id, channel->Peer(), hello.hostname(),
                      hello.cores(), hello.target_kind()));
  std::vector<CellScheduler::Event> events =
      scheduler_.Reconcile(id, hello.running_cell_id(), hello.running_attempt());
  agent.busy_with_stale_cell = false;
  for (const CellScheduler::Event& e : events) {
    // Until that cancelled attempt ends, the agent cannot take new work.
    if (e.kind == CellScheduler::Event::Kind::kCancelAttempt && e.agent_id == id) agent.busy_with_stale_cell = true;
  }
  HandleEvents(events);
}

void RunController::OnMessage(const std::shared_ptr<AgentChannel>& channel, const v1::AgentMessage& message) {
  const std::string id = AgentIdOf(channel);
  if (id.empty()) return;  // a stale session
  scheduler_.Touch(id);
  AgentState& agent = agents_[id];
  switch (message.kind_case()) {
    case v1::AgentMessage::kProgress: {
      const v1::Progress& p = message.progress();
      agent.status.set_current_cell_id(p.cell_id());
      agent.status.set_phase(p.phase());
      agent.status.set_phase_elapsed_ms(p.elapsed_ms());
      agent.status.set_phase_total_ms(p.phase_total_ms());
      agent.status.set_requests_per_second(p.requests_per_second());
      if (p.has_interval_latency()) {
        absl::StatusOr<Histogram> h = Histogram::FromProto(p.interval_latency());
        if (h.ok()) agent.status.set_p99_us(h->ValueAtPercentile(99));
      }
      break;
    }
    case v1::AgentMessage::kResult:
      OnResult(id, message.result());
      break;
    default:
      break;
  }
}

void RunController::OnGone(const std::shared_ptr<AgentChannel>& channel) {
  const std::string id = AgentIdOf(channel);
  channel_agents_.erase(channel.get());
  if (id.empty()) return;
  AgentState& agent = agents_[id];
  if (agent.channel != channel) return;  // already replaced by a reconnect
  agent.channel.reset();
  scheduler_.AgentDisconnected(id);
  Log(absl::StrFormat("agent %s disconnected; its cell keeps its lease for %s", id,
                      absl::FormatDuration(options_.scheduling.lease_timeout)));
}

void RunController::OnResult(const std::string& agent_id, const v1::CellResult& result) {
  const std::string& cell_id = result.cell_id();
  AgentState& agent = agents_[agent_id];
  if (result.not_started()) {
    Log(absl::StrCat("agent ", agent_id, " was busy and did not start ", cell_id, " attempt ", result.attempt(),
                     "; back in the queue"));
    scheduler_.OnNotStarted(cell_id, result.attempt());
    agent.busy_with_stale_cell = true;
    agent.status.clear_current_cell_id();
    v1::CoordinatorMessage m;
    m.mutable_ack()->set_cell_id(cell_id);
    m.mutable_ack()->set_attempt(result.attempt());
    if (agent.channel) agent.channel->Send(m);
    return;
  }
  agent.busy_with_stale_cell = false;  // whatever it was running has ended
  auto ack = [&] {
    v1::CoordinatorMessage m;
    m.mutable_ack()->set_cell_id(cell_id);
    m.mutable_ack()->set_attempt(result.attempt());
    if (agent.channel) agent.channel->Send(m);
  };
  auto config_it = configs_.find(cell_id);
  if (config_it == configs_.end()) {
    Log(absl::StrCat("agent ", agent_id, " sent a result for unknown cell ", cell_id, "; ignored"));
    ack();
    return;
  }
  std::optional<CellScheduler::Assignment> running = scheduler_.RunningOn(agent_id);
  if (running && running->cell.cell_id() == cell_id && running->attempt == result.attempt()) {
    cell_durations_.push_back(clock_->Now() - agent.assigned_at);
    agent.status.clear_current_cell_id();
    agent.status.set_phase(v1::PHASE_UNSPECIFIED);
    agent.status.set_requests_per_second(0);
  }

  std::vector<CellScheduler::Event> events;
  if (result.ok()) {
    if (scheduler_.StateOf(cell_id) == v1::CELL_STATE_DONE) {
      Log(absl::StrCat("duplicate result for ", cell_id, " attempt ", result.attempt(), " dropped"));
      ack();
      return;
    }
    absl::StatusOr<std::string> file = results_.Write(config_it->second, result, clock_->Now());
    if (!file.ok()) {
      Log(absl::StrCat("error: cannot store the result of ", cell_id, ": ", file.status().message(),
                       " (not acknowledged; the agent keeps it)"));
      return;
    }
    Journal({{"event", "finished"},
             {"cell", cell_id},
             {"attempt", result.attempt()},
             {"agent", agent_id},
             {"file", *file}});
    scheduler_.OnResult(cell_id, result.attempt(), agent_id, true, "", &events);
    agent.status.set_cells_done(agent.status.cells_done() + 1);
    double rps = result.measured_seconds() > 0 ? result.overall().requests() / result.measured_seconds() : 0;
    int64_t p99 = 0;
    if (absl::StatusOr<Histogram> h = Histogram::FromProto(result.overall().latency()); h.ok()) {
      p99 = h->ValueAtPercentile(99);
    }
    Log(absl::StrFormat("cell %s done on %s: %.1f req/s, p99 %.2f ms (%d/%d done)", cell_id, agent_id, rps,
                        p99 / 1000.0, scheduler_.CountIn(v1::CELL_STATE_DONE), scheduler_.total()));
  } else {
    const auto disposition =
        scheduler_.OnResult(cell_id, result.attempt(), agent_id, false, result.failure_reason(), &events);
    if (disposition == CellScheduler::ResultDisposition::kDuplicate) {
      Log(absl::StrCat("stale failure for ", cell_id, " attempt ", result.attempt(), " dropped"));
    } else {
      Log(absl::StrCat("cell ", cell_id, " attempt ", result.attempt(), " failed on ", agent_id, ": ",
                       result.failure_reason()));
      // Keep the agent's logs with the final failure.
      for (const CellScheduler::Event& e : events) {
        if (e.kind == CellScheduler::Event::Kind::kFailed && e.cell_id == cell_id) {
          v1::CellResult failed = result;
          failed.set_failure_reason(e.reason);
          failure_files_.insert(cell_id);
          if (absl::StatusOr<std::string> file = results_.Write(config_it->second, failed, clock_->Now());
              !file.ok()) {
            Log(absl::StrCat("error: cannot store the failure of ", cell_id, ": ", file.status().message()));
          }
        }
      }
    }
  }
  ack();
  HandleEvents(events);
}

void RunController::FailCellFile(const std::string& cell_id, int attempt, const std::string& agent_id,
                                 const std::string& reason) {
  auto it = configs_.find(cell_id);
  if (it == configs_.end()) return;
  v1::CellResult failed;
  failed.set_cell_id(cell_id);
  failed.set_attempt(attempt);
  failed.set_agent_id(agent_id);
  failed.set_ok(false);
  failed.set_failure_reason(reason);
  if (absl::StatusOr<std::string> file = results_.Write(it->second, failed, clock_->Now()); !file.ok()) {
    Log(absl::StrCat("error: cannot store the failure of ", cell_id, ": ", file.status().message()));
  }
}

void RunController::HandleEvents(const std::vector<CellScheduler::Event>& events) {
  for (const CellScheduler::Event& e : events) {
    switch (e.kind) {
      case CellScheduler::Event::Kind::kRequeued:
        Journal({{"event", "requeued"}, {"cell", e.cell_id}, {"attempt", e.attempt}, {"reason", e.reason}});
        Log(absl::StrCat("cell ", e.cell_id, " back in the queue: ", e.reason));
        break;
      case CellScheduler::Event::Kind::kFailed: {
        Journal({{"event", "failed"}, {"cell", e.cell_id}, {"attempt", e.attempt}, {"reason", e.reason}});
        Log(absl::StrCat("cell ", e.cell_id, " failed: ", e.reason));
        // A failure an agent reported has its file (with logs) already.
        if (failure_files_.insert(e.cell_id).second) FailCellFile(e.cell_id, e.attempt, e.agent_id, e.reason);
        break;
      }
      case CellScheduler::Event::Kind::kCancelAttempt: {
        auto it = agents_.find(e.agent_id);
        if (it != agents_.end() && it->second.channel) {
          v1::CoordinatorMessage m;
          m.mutable_cancel()->set_cell_id(e.cell_id);
          m.mutable_cancel()->set_attempt(e.attempt);
          m.mutable_cancel()->set_reason(e.reason);
          it->second.channel->Send(m);
        }
        break;
      }
      case CellScheduler::Event::Kind::kUnschedulable:
        Log(absl::StrCat("warning: cell ", e.cell_id, " cannot run: ", e.reason, " (failing it after ",
                         absl::FormatDuration(options_.scheduling.unschedulable_grace), ")"));
        break;
    }
  }
}

void RunController::AssignIdleAgents() {
  if (cancelled_) return;
  for (auto& [id, agent] : agents_) {
    if (!agent.channel || agent.busy_with_stale_cell) continue;
    std::optional<CellScheduler::Assignment> a = scheduler_.NextFor(id);
    if (!a) continue;
    Journal({{"event", "assigned"}, {"cell", a->cell.cell_id()}, {"attempt", a->attempt}, {"agent", id}});
    v1::CoordinatorMessage m;
    v1::Assign* assign = m.mutable_assign();
    *assign->mutable_cell() = a->cell;
    assign->set_attempt(a->attempt);
    assign->set_lease_ms(absl::ToInt64Milliseconds(options_.scheduling.lease_timeout));
    assign->set_health_timeout_ms(absl::ToInt64Milliseconds(options_.health_timeout));
    assign->set_reset_data(options_.reset_data);
    agent.channel->Send(m);
    agent.assigned_at = clock_->Now();
    agent.status.set_current_cell_id(a->cell.cell_id());
    agent.status.set_phase(v1::PHASE_STARTING_TARGET);
    agent.status.set_requests_per_second(0);
    agent.status.set_p99_us(0);
    Log(absl::StrCat("cell ", a->cell.cell_id(), " attempt ", a->attempt, " -> agent ", id));
  }
}

void RunController::OnCancel(const std::string& reason) {
  if (cancelled_) return;
  cancelled_ = true;
  Log(absl::StrCat("run cancelled: ", reason));
  Journal({{"event", "cancelled"}, {"reason", reason}});
  for (auto& [id, agent] : agents_) {
    std::optional<CellScheduler::Assignment> running = scheduler_.RunningOn(id);
    if (running && agent.channel) {
      v1::CoordinatorMessage m;
      m.mutable_cancel()->set_cell_id(running->cell.cell_id());
      m.mutable_cancel()->set_attempt(running->attempt);
      m.mutable_cancel()->set_reason(reason);
      agent.channel->Send(m);
    }
  }
  scheduler_.CancelAll(absl::StrCat("cancelled: ", reason));
}

void RunController::PublishStatus(bool final) {
  const absl::Time now = clock_->Now();
  if (!final && now - last_publish_ < absl::Milliseconds(500)) return;
  last_publish_ = now;
  v1::RunStatus status;
  status.set_run_id(options_.run_id);
  status.set_state_dir(options_.state_dir.string());
  status.set_started_unix_ms(UnixMs(started_));
  scheduler_.FillStatus(&status);
  int connected = 0;
  for (auto& [id, agent] : agents_) {
    *status.add_agents() = agent.status;
    connected += agent.channel ? 1 : 0;
  }
  if (final) {
    status.set_state(cancelled_ ? v1::RUN_STATE_CANCELLED
                                : (status.cells_failed() > 0 ? v1::RUN_STATE_FAILED : v1::RUN_STATE_FINISHED));
  } else {
    status.set_state(v1::RUN_STATE_RUNNING);
  }
  // ETA: mean cell time so far, spread over the connected agents.
  const int remaining = status.cells_queued() + status.cells_running();
  if (!cell_durations_.empty() && connected > 0) {
    absl::Duration sum;
    for (absl::Duration d : cell_durations_) sum += d;
    const absl::Duration mean = sum / static_cast<int64_t>(cell_durations_.size());
    const int64_t waves = (remaining + connected - 1) / connected;
    status.set_eta_ms(absl::ToInt64Milliseconds(mean * waves));
  } else {
    status.set_eta_ms(remaining == 0 ? 0 : -1);
  }
  if (metrics_ != nullptr) metrics_->Update(status, connected);

  std::vector<std::shared_ptr<StatusWatcher>> watchers;
  {
    absl::MutexLock lock(&mu_);
    status_ = status;
    finished_ = final;
    watchers = watchers_;
    if (final) watchers_.clear();
  }
  for (const auto& w : watchers) w->Publish(status, final);
}

}  // namespace gop
