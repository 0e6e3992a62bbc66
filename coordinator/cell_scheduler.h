#ifndef GOP_COORDINATOR_CELL_SCHEDULER_H_
#define GOP_COORDINATOR_CELL_SCHEDULER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/clock.h"
#include "gop/v1/cell.pb.h"
#include "gop/v1/status.pb.h"

namespace gop {

// What the scheduler needs to know of a connected agent.
struct AgentInfo {
  std::string agent_id;
  std::string hostname;
  double cores = 0;
  std::string target_kind;
};

// Who gets which cell, and when a cell is given up on. Pure logic: no I/O, no
// threads, time from the injected clock. Not thread-safe: the coordinator
// drives it from its one dispatcher thread.
//
// Cells go only to idle agents that ask (pull), only to agents with at least
// the cell's CPU limit in cores and the required target kind. A running cell
// holds a lease that the agent's messages renew; when it lapses the cell goes
// back to the queue (bounded attempts). Results are keyed by (cell, attempt):
// the first successful result of any attempt completes the cell, everything
// after it is a duplicate.
class CellScheduler {
 public:
  struct Options {
    int max_attempts = 3;
    absl::Duration lease_timeout = absl::Seconds(30);
    absl::Duration unschedulable_grace = absl::Seconds(60);
    // "" or "any": every agent qualifies; otherwise agents must announce it.
    std::string required_target_kind;
  };

  struct Assignment {
    v1::CellConfig cell;
    int attempt = 0;
  };

  enum class ResultDisposition {
    kAccepted,       // completed the cell (ok) or was recorded as a failure
    kDuplicate,      // the cell had already been completed
  };

  // Something the coordinator must journal, log or tell an agent about.
  struct Event {
    enum class Kind { kRequeued, kFailed, kCancelAttempt, kUnschedulable };
    Kind kind;
    std::string cell_id;
    int attempt = 0;
    std::string agent_id;  // for kCancelAttempt: the agent to tell
    std::string reason;
  };

  CellScheduler(std::vector<v1::CellConfig> cells, Options options, Clock* clock);

  // Restores a cell finished in an earlier life of the run (from the journal
  // or the result files). Unknown ids are ignored.
  void RestoreFinished(const std::string& cell_id, bool ok, int attempts, const std::string& reason);

  void AgentConnected(const AgentInfo& agent);
  // The agent's stream ended. Its running cell keeps its lease: the agent may
  // reconnect and still deliver.
  void AgentDisconnected(const std::string& agent_id);
  // Any message from the agent: renews the lease of its running cell.
  void Touch(const std::string& agent_id);

  // Attempts an earlier life of the run started for a cell that did not
  // finish, so new attempts get new numbers.
  void RestoreAttempts(const std::string& cell_id, int attempts);

  // Reconciles what a (re)connecting agent says it is running: a queued cell
  // it is still running is adopted (after a coordinator restart); a cell that
  // is no longer its to run is cancelled; a cell we believe it runs but it
  // does not mention is requeued.
  std::vector<Event> Reconcile(const std::string& agent_id, const std::string& running_cell_id,
                               int running_attempt);

  // The next cell for an idle agent, or nothing (queue empty or no cell fits).
  std::optional<Assignment> NextFor(const std::string& agent_id);

  // The agent was busy and never started (cell, attempt): requeue the cell
  // without counting the attempt.
  void OnNotStarted(const std::string& cell_id, int attempt);

  // A result for (cell, attempt). Failed attempts are retried while attempts
  // remain. Events tell whom to cancel when another attempt is still running.
  ResultDisposition OnResult(const std::string& cell_id, int attempt, const std::string& agent_id, bool ok,
                             const std::string& failure_reason, std::vector<Event>* events);

  // Expires leases and gives up on cells nobody can take. Call periodically.
  std::vector<Event> Tick();

  // Marks every unfinished cell failed with `reason` (run cancelled).
  void CancelAll(const std::string& reason);

  bool AllFinished() const;
  // CELL_STATE_UNSPECIFIED for unknown ids.
  v1::CellState StateOf(const std::string& cell_id) const;
  int CountIn(v1::CellState state) const;
  int total() const { return static_cast<int>(order_.size()); }
  // Cell ids with a running attempt on this agent (at most one).
  std::optional<Assignment> RunningOn(const std::string& agent_id) const;
  bool IsConnected(const std::string& agent_id) const;

  // Fills the cells part of a status snapshot, in grid order.
  void FillStatus(v1::RunStatus* status) const;
  // Cells that no connected agent can take, with the reason.
  std::vector<std::pair<std::string, std::string>> Unschedulable() const;

 private:
  struct Cell {
    v1::CellConfig config;
    v1::CellState state = v1::CELL_STATE_QUEUED;
    int attempts = 0;             // attempts started so far
    int running_attempt = 0;      // valid while RUNNING
    std::string agent_id;         // agent of the running (or last) attempt
    absl::Time lease_expiry;
    std::vector<std::string> failures;  // one line per failed attempt
    std::optional<absl::Time> unschedulable_since;
    std::string unschedulable_reason;
  };
  struct Agent {
    AgentInfo info;
    bool connected = false;
  };

  // Why `agent` cannot take `cell`, or "" when it can.
  std::string Unfit(const Agent& agent, const Cell& cell) const;
  void Requeue(Cell& cell, const std::string& reason, std::vector<Event>* events);

  Options options_;
  Clock* clock_;
  std::vector<std::string> order_;
  std::map<std::string, Cell> cells_;
  std::map<std::string, Agent> agents_;
  std::map<std::string, int> bounced_;  // attempts never started, by cell
};

}  // namespace gop

#endif  // GOP_COORDINATOR_CELL_SCHEDULER_H_
