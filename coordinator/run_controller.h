#ifndef GOP_COORDINATOR_RUN_CONTROLLER_H_
#define GOP_COORDINATOR_RUN_CONTROLLER_H_

#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "coordinator/agent_channel.h"
#include "coordinator/cell_scheduler.h"
#include "coordinator/journal.h"
#include "coordinator/result_store.h"
#include "gop/v1/session.pb.h"
#include "gop/v1/status.pb.h"

namespace gop {

class CoordinatorMetrics;

// How a run ended.
struct RunOutcome {
  v1::RunState state = v1::RUN_STATE_UNSPECIFIED;
  int done = 0;
  int failed = 0;
  std::vector<std::string> failures;  // "cell_id: reason"
};

// The coordinator's brain. Transports (gRPC reactors) hand it events through
// the thread-safe, never-blocking intake methods; Run() applies them one at a
// time on the calling thread, where the blocking work happens: journal fsyncs
// and result files. Nothing in here knows about gRPC.
class RunController {
 public:
  struct Options {
    std::string run_id;
    std::filesystem::path state_dir;  // holds journal.jsonl and result/
    CellScheduler::Options scheduling;
    absl::Duration health_timeout = absl::Seconds(120);
    bool reset_data = false;
    absl::Duration heartbeat_interval = absl::Seconds(2);
    absl::Duration tick = absl::Milliseconds(200);
    // Where progress lines go (nullptr: nowhere).
    std::function<void(const std::string&)> log;
  };

  // Reads what an earlier life of the run left in state_dir (journal and
  // result files) so finished cells are never run again, then opens the
  // journal for appending.
  static absl::StatusOr<std::unique_ptr<RunController>> Create(Options options, std::vector<v1::CellConfig> cells,
                                                               Clock* clock, CoordinatorMetrics* metrics);

  // ---- intake: thread-safe, never block ----
  void AgentHello(std::shared_ptr<AgentChannel> channel, const v1::Hello& hello);
  void AgentMessage(std::shared_ptr<AgentChannel> channel, const v1::AgentMessage& message);
  void AgentGone(std::shared_ptr<AgentChannel> channel);
  void Cancel(const std::string& reason);
  void AddWatcher(std::shared_ptr<StatusWatcher> watcher);
  void RemoveWatcher(StatusWatcher* watcher);
  v1::RunStatus Status() const;
  // True once Run() has returned its outcome.
  bool Finished() const;

  // Drives the run until every cell is finished or failed, or it is cancelled.
  RunOutcome Run();

  int resumed_cells() const { return resumed_cells_; }

 private:
  struct AgentState {
    std::shared_ptr<AgentChannel> channel;
    v1::AgentStatus status;
    absl::Time assigned_at;
    // Still finishing (or cancelling) a cell that is no longer its own.
    bool busy_with_stale_cell = false;
  };

  RunController(Options options, std::vector<v1::CellConfig> cells, Clock* clock, CoordinatorMetrics* metrics);
  absl::Status Restore();
  void Post(std::function<void()> fn);

  // Dispatcher-thread handlers.
  void OnHello(const std::shared_ptr<AgentChannel>& channel, const v1::Hello& hello);
  void OnMessage(const std::shared_ptr<AgentChannel>& channel, const v1::AgentMessage& message);
  void OnGone(const std::shared_ptr<AgentChannel>& channel);
  void OnResult(const std::string& agent_id, const v1::CellResult& result);
  void OnCancel(const std::string& reason);
  void HandleEvents(const std::vector<CellScheduler::Event>& events);
  void AssignIdleAgents();
  void FailCellFile(const std::string& cell_id, int attempt, const std::string& agent_id, const std::string& reason);
  void Journal(nlohmann::json record);
  void PublishStatus(bool final);
  void Log(const std::string& line);
  std::string AgentIdOf(const std::shared_ptr<AgentChannel>& channel) const;

  Options options_;
  Clock* clock_;
  CoordinatorMetrics* metrics_;
  std::map<std::string, v1::CellConfig> configs_;
  CellScheduler scheduler_;
  ResultStore results_;
  std::unique_ptr<gop::Journal> journal_;
  int resumed_cells_ = 0;
  absl::Time started_;

  // Dispatcher-thread state.
  std::map<std::string, AgentState> agents_;
  std::map<const AgentChannel*, std::string> channel_agents_;
  std::vector<absl::Duration> cell_durations_;
  std::set<std::string> failure_files_;  // failed cells whose result file exists
  bool cancelled_ = false;
  absl::Time last_heartbeat_;
  absl::Time last_publish_;

  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  v1::RunStatus status_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<StatusWatcher>> watchers_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gop

#endif  // GOP_COORDINATOR_RUN_CONTROLLER_H_
