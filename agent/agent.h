#ifndef GOP_AGENT_AGENT_H_
#define GOP_AGENT_AGENT_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/cell_executor.h"
#include "gop/v1/coordinator.grpc.pb.h"

namespace gop {

// The agent's side of the Session stream: dials the coordinator (retrying
// with backoff), announces itself, runs each assigned cell on a worker thread
// through the CellExecutor, streams progress, and keeps every CellResult until
// the coordinator acknowledges it — resending it after a reconnect, so a
// result is never lost.
class Agent : public ProgressSink {
 public:
  struct Options {
    std::string agent_id;
    std::string hostname;
    double cores = 1;
    int64_t memory_bytes = 0;
    std::string target_kind = "process";
    std::vector<int> cpu_set;
    std::string token;
    std::string version = "0.1.0";
    absl::Duration heartbeat_interval = absl::Seconds(2);
    // No message from the coordinator for this long: the session is dead.
    absl::Duration silence_timeout = absl::Seconds(15);
    absl::Duration initial_backoff = absl::Milliseconds(200);
    absl::Duration max_backoff = absl::Seconds(5);
    // Give up after this long without reaching the coordinator (0 = never).
    absl::Duration give_up_after = absl::ZeroDuration();
    std::function<void(const std::string&)> log;
  };

  // `stub` and `executor` must outlive the agent.
  Agent(Options options, v1::Coordinator::StubInterface* stub, CellExecutor* executor);
  ~Agent() override;

  // Runs sessions until the coordinator says goodbye (OK), Stop() is called
  // (OK), the token is refused (UNAUTHENTICATED) or give_up_after passes
  // without a connection (UNAVAILABLE).
  absl::Status Run();
  // Thread-safe; cancels the running cell and ends Run() soon after.
  void Stop();

  // ProgressSink: forwards to the coordinator while connected (dropped otherwise).
  void Report(const v1::Progress& progress) override;

  // Results not yet acknowledged (for tests).
  int PendingResults() const;

 private:
  enum class SessionEnd { kGoodbye, kStopped, kBroken, kRefused };
  SessionEnd RunSession(bool* reached);
  void HandleAssign(const v1::Assign& assign);
  bool Write(const v1::AgentMessage& message);
  void Log(const std::string& line);
  void JoinWorker();

  Options options_;
  v1::Coordinator::StubInterface* stub_;
  CellExecutor* executor_;

  mutable absl::Mutex mu_;
  // The open stream, or null between sessions. Writes are serialised by mu_.
  grpc::ClientReaderWriterInterface<v1::AgentMessage, v1::CoordinatorMessage>* stream_ ABSL_GUARDED_BY(mu_) =
      nullptr;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::map<std::pair<std::string, int>, v1::CellResult> pending_ ABSL_GUARDED_BY(mu_);
  std::string running_cell_ ABSL_GUARDED_BY(mu_);
  int running_attempt_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_received_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool session_over_ ABSL_GUARDED_BY(mu_) = false;

  std::atomic<bool> cell_cancelled_{false};
  std::thread worker_;
  std::thread heartbeat_;
};

}  // namespace gop

#endif  // GOP_AGENT_AGENT_H_
