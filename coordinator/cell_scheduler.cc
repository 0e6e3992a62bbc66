#include "coordinator/cell_scheduler.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace gop {

CellScheduler::CellScheduler(std::vector<v1::CellConfig> cells, Options options, Clock* clock)
    : options_(std::move(options)), clock_(clock) {
  if (options_.required_target_kind == "any") options_.required_target_kind.clear();
  for (v1::CellConfig& c : cells) {
    const std::string id = c.cell_id();
    if (cells_.count(id) != 0) continue;
    order_.push_back(id);
    cells_[id].config = std::move(c);
  }
}

void CellScheduler::RestoreFinished(const std::string& cell_id, bool ok, int attempts,
                                    const std::string& reason) {
  auto it = cells_.find(cell_id);
  if (it == cells_.end()) return;
  Cell& cell = it->second;
  if (cell.state == v1::CELL_STATE_DONE) return;  // a success is never undone
  cell.attempts = std::max(cell.attempts, attempts);
  if (ok) {
    cell.state = v1::CELL_STATE_DONE;
  } else {
    cell.state = v1::CELL_STATE_FAILED;
    if (!reason.empty()) cell.failures.push_back(reason);
  }
}

void CellScheduler::AgentConnected(const AgentInfo& agent) {
  Agent& a = agents_[agent.agent_id];
  a.info = agent;
  a.connected = true;
  Touch(agent.agent_id);
}

void CellScheduler::AgentDisconnected(const std::string& agent_id) {
  auto it = agents_.find(agent_id);
  if (it != agents_.end()) it->second.connected = false;
}

void CellScheduler::Touch(const std::string& agent_id) {
  const absl::Time expiry = clock_->Now() + options_.lease_timeout;
  for (auto& [id, cell] : cells_) {
    if (cell.state == v1::CELL_STATE_RUNNING && cell.agent_id == agent_id) cell.lease_expiry = expiry;
  }
}

std::vector<CellScheduler::Event> CellScheduler::Reconcile(const std::string& agent_id,
                                                           const std::string& running_cell_id,
                                                           int running_attempt) {
  std::vector<Event> events;
  // A cell we believe runs there but the agent does not mention was lost
  // (the agent restarted): run it again.
  for (const std::string& id : order_) {
    Cell& cell = cells_[id];
    if (cell.state != v1::CELL_STATE_RUNNING || cell.agent_id != agent_id) continue;
    if (id == running_cell_id && cell.running_attempt == running_attempt) continue;
    Requeue(cell, absl::StrCat("agent ", agent_id, " reconnected without attempt ", cell.running_attempt),
            &events);
  }
  if (!running_cell_id.empty()) {
    auto it = cells_.find(running_cell_id);
    auto agent_it = agents_.find(agent_id);
    if (it != cells_.end() && it->second.state == v1::CELL_STATE_QUEUED && agent_it != agents_.end() &&
        Unfit(agent_it->second, it->second).empty()) {
      // Still running from before a coordinator restart: let it finish.
      Cell& cell = it->second;
      cell.state = v1::CELL_STATE_RUNNING;
      cell.running_attempt = running_attempt;
      cell.attempts = std::max(cell.attempts, running_attempt);
      cell.agent_id = agent_id;
      cell.lease_expiry = clock_->Now() + options_.lease_timeout;
      return events;
    }
    const bool current = it != cells_.end() && it->second.state == v1::CELL_STATE_RUNNING &&
                         it->second.agent_id == agent_id && it->second.running_attempt == running_attempt;
    if (!current) {
      events.push_back({Event::Kind::kCancelAttempt, running_cell_id, running_attempt, agent_id,
                        "this attempt is no longer current"});
    }
  }
  return events;
}

void CellScheduler::RestoreAttempts(const std::string& cell_id, int attempts) {
  auto it = cells_.find(cell_id);
  if (it != cells_.end()) it->second.attempts = std::max(it->second.attempts, attempts);
}

void CellScheduler::OnNotStarted(const std::string& cell_id, int attempt) {
  auto it = cells_.find(cell_id);
  if (it == cells_.end()) return;
  Cell& cell = it->second;
  if (cell.state != v1::CELL_STATE_RUNNING || cell.running_attempt != attempt) return;
  cell.state = v1::CELL_STATE_QUEUED;
  // The number stays used (results are keyed by it) but the attempt does
  // not count against max_attempts.
  ++bounced_[cell_id];
}

std::string CellScheduler::Unfit(const Agent& agent, const Cell& cell) const {
  if (!options_.required_target_kind.empty() && agent.info.target_kind != options_.required_target_kind) {
    return absl::StrCat("agent ", agent.info.agent_id, " runs target kind '", agent.info.target_kind,
                        "', the grid needs '", options_.required_target_kind, "'");
  }
  if (agent.info.cores + 1e-9 < cell.config.cpu_limit()) {
    return absl::StrCat("agent ", agent.info.agent_id, " has ", agent.info.cores, " cores, the cell needs ",
                        cell.config.cpu_limit());
  }
  return "";
}

std::optional<CellScheduler::Assignment> CellScheduler::NextFor(const std::string& agent_id) {
  auto agent_it = agents_.find(agent_id);
  if (agent_it == agents_.end() || !agent_it->second.connected) return std::nullopt;
  if (RunningOn(agent_id).has_value()) return std::nullopt;
  for (const std::string& id : order_) {
    Cell& cell = cells_[id];
    if (cell.state != v1::CELL_STATE_QUEUED) continue;
    if (!Unfit(agent_it->second, cell).empty()) continue;
    cell.state = v1::CELL_STATE_RUNNING;
    cell.running_attempt = ++cell.attempts;
    cell.agent_id = agent_id;
    cell.lease_expiry = clock_->Now() + options_.lease_timeout;
    cell.unschedulable_since.reset();
    return Assignment{cell.config, cell.running_attempt};
  }
  return std::nullopt;
}

void CellScheduler::Requeue(Cell& cell, const std::string& reason, std::vector<Event>* events) {
  cell.failures.push_back(absl::StrCat("attempt ", cell.running_attempt, ": ", reason));
  if (cell.attempts - bounced_[cell.config.cell_id()] >= options_.max_attempts) {
    cell.state = v1::CELL_STATE_FAILED;
    events->push_back({Event::Kind::kFailed, cell.config.cell_id(), cell.running_attempt, cell.agent_id,
                       absl::StrJoin(cell.failures, "; ")});
  } else {
    cell.state = v1::CELL_STATE_QUEUED;
    events->push_back({Event::Kind::kRequeued, cell.config.cell_id(), cell.running_attempt, cell.agent_id,
                       reason});
  }
}

CellScheduler::ResultDisposition CellScheduler::OnResult(const std::string& cell_id, int attempt,
                                                         const std::string& agent_id, bool ok,
                                                         const std::string& failure_reason,
                                                         std::vector<Event>* events) {
  auto it = cells_.find(cell_id);
  if (it == cells_.end() || it->second.state == v1::CELL_STATE_DONE) return ResultDisposition::kDuplicate;
  Cell& cell = it->second;
  const bool is_running_attempt = cell.state == v1::CELL_STATE_RUNNING && cell.running_attempt == attempt;
  if (ok) {
    if (cell.state == v1::CELL_STATE_RUNNING && !is_running_attempt) {
      // An earlier attempt came back after all; the newer one is moot.
      events->push_back({Event::Kind::kCancelAttempt, cell_id, cell.running_attempt, cell.agent_id,
                         absl::StrCat("attempt ", attempt, " already completed the cell")});
    }
    cell.state = v1::CELL_STATE_DONE;
    cell.agent_id = agent_id;
    cell.unschedulable_since.reset();
    return ResultDisposition::kAccepted;
  }
  // A failed attempt only counts when it is the one we are waiting for.
  if (!is_running_attempt) return ResultDisposition::kDuplicate;
  Requeue(cell, failure_reason.empty() ? "failed without a reason" : failure_reason, events);
  return ResultDisposition::kAccepted;
}

std::vector<CellScheduler::Event> CellScheduler::Tick() {
  std::vector<Event> events;
  const absl::Time now = clock_->Now();
  for (const std::string& id : order_) {
    Cell& cell = cells_[id];
    if (cell.state == v1::CELL_STATE_RUNNING && now >= cell.lease_expiry) {
      Requeue(cell,
              absl::StrCat("agent ", cell.agent_id, " was silent for ",
                           absl::FormatDuration(options_.lease_timeout)),
              &events);
    }
    if (cell.state != v1::CELL_STATE_QUEUED) continue;
    // Can any connected agent ever take it?
    bool fits_somewhere = false;
    std::vector<std::string> reasons;
    bool any_connected = false;
    for (const auto& [agent_id, agent] : agents_) {
      if (!agent.connected) continue;
      any_connected = true;
      std::string why = Unfit(agent, cell);
      if (why.empty()) {
        fits_somewhere = true;
        break;
      }
      reasons.push_back(std::move(why));
    }
    if (fits_somewhere || !any_connected) {
      cell.unschedulable_since.reset();
      continue;
    }
    if (!cell.unschedulable_since.has_value()) {
      cell.unschedulable_since = now;
      cell.unschedulable_reason = absl::StrCat("no connected agent can take it: ", absl::StrJoin(reasons, "; "));
      events.push_back({Event::Kind::kUnschedulable, id, 0, "", cell.unschedulable_reason});
    } else if (now - *cell.unschedulable_since >= options_.unschedulable_grace) {
      cell.state = v1::CELL_STATE_FAILED;
      cell.failures.push_back(cell.unschedulable_reason);
      events.push_back({Event::Kind::kFailed, id, cell.attempts, "", cell.unschedulable_reason});
    }
  }
  return events;
}

void CellScheduler::CancelAll(const std::string& reason) {
  for (auto& [id, cell] : cells_) {
    if (cell.state == v1::CELL_STATE_QUEUED || cell.state == v1::CELL_STATE_RUNNING) {
      cell.state = v1::CELL_STATE_FAILED;
      cell.failures.push_back(reason);
    }
  }
}

bool CellScheduler::AllFinished() const {
  for (const auto& [id, cell] : cells_) {
    if (cell.state == v1::CELL_STATE_QUEUED || cell.state == v1::CELL_STATE_RUNNING) return false;
  }
  return true;
}

v1::CellState CellScheduler::StateOf(const std::string& cell_id) const {
  auto it = cells_.find(cell_id);
  return it == cells_.end() ? v1::CELL_STATE_UNSPECIFIED : it->second.state;
}

int CellScheduler::CountIn(v1::CellState state) const {
  int n = 0;
  for (const auto& [id, cell] : cells_) n += cell.state == state ? 1 : 0;
  return n;
}

std::optional<CellScheduler::Assignment> CellScheduler::RunningOn(const std::string& agent_id) const {
  for (const auto& [id, cell] : cells_) {
    if (cell.state == v1::CELL_STATE_RUNNING && cell.agent_id == agent_id) {
      return Assignment{cell.config, cell.running_attempt};
    }
  }
  return std::nullopt;
}

bool CellScheduler::IsConnected(const std::string& agent_id) const {
  auto it = agents_.find(agent_id);
  return it != agents_.end() && it->second.connected;
}

void CellScheduler::FillStatus(v1::RunStatus* status) const {
  status->set_cells_total(total());
  status->set_cells_done(CountIn(v1::CELL_STATE_DONE));
  status->set_cells_running(CountIn(v1::CELL_STATE_RUNNING));
  status->set_cells_queued(CountIn(v1::CELL_STATE_QUEUED));
  status->set_cells_failed(CountIn(v1::CELL_STATE_FAILED));
  for (const std::string& id : order_) {
    const Cell& cell = cells_.at(id);
    v1::CellStatus* cs = status->add_cells();
    *cs->mutable_cell() = cell.config;
    cs->set_state(cell.state);
    cs->set_attempts(cell.attempts);
    cs->set_agent_id(cell.agent_id);
    if (cell.state == v1::CELL_STATE_FAILED) cs->set_failure_reason(absl::StrJoin(cell.failures, "; "));
  }
  for (const auto& [id, reason] : Unschedulable()) status->add_warnings(absl::StrCat(id, ": ", reason));
}

std::vector<std::pair<std::string, std::string>> CellScheduler::Unschedulable() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& id : order_) {
    const Cell& cell = cells_.at(id);
    if (cell.state == v1::CELL_STATE_QUEUED && cell.unschedulable_since.has_value()) {
      out.emplace_back(id, cell.unschedulable_reason);
    }
  }
  return out;
}

}  // namespace gop
