#ifndef GOP_LOADGEN_WORKER_H_
#define GOP_LOADGEN_WORKER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "boost/asio/io_context.hpp"
#include "boost/asio/steady_timer.hpp"
#include "loadgen/run_context.h"
#include "loadgen/virtual_user.h"

namespace gop::loadgen {

// One event-loop thread's share of the load: its VUs, the open-model
// schedule, deadlines, and the figures it measured. Every method except the
// constructor runs on the worker's own loop (post to io() from elsewhere);
// stats() may be read by others once the loop thread has stopped.
class Worker {
 public:
  Worker(int index, const RunContext& ctx);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker();

  boost::asio::io_context& io() { return io_; }

  // Begins a phase; `on_done` runs on this loop once it is over (all
  // iterations ended, or the hard stop cut them).
  void StartPhase(const PhasePlan& plan, std::function<void()> on_done);
  // Cuts in-flight work now and ends the phase (hard stop, cancel).
  void StopNow();
  // Adds the last interval's figures into `into` and starts a new interval.
  void TakeInterval(IntervalStats* into);

  const WorkerStats& stats() const { return stats_; }
  int vus_created() const { return static_cast<int>(vus_.size()); }

  // ---- for VirtualUser ----
  const RunContext& ctx() const { return ctx_; }
  std::mt19937_64& rng() { return rng_; }
  void OnIterationEnd(VirtualUser* vu, int64_t now_ns);
  // A complete response (any status); `error` set when it failed a check.
  void RecordResponse(int op, int status, int64_t now_ns, int64_t corrected_ns,
                      int64_t uncorrected_ns, int64_t bytes_sent, int64_t bytes_received,
                      std::optional<ErrorKind> error);
  // A request that got no complete response.
  void RecordFailure(int op, ErrorKind kind, int64_t now_ns, int64_t bytes_sent,
                     int64_t bytes_received);
  void RecordCheck(bool passed, int64_t now_ns);

 private:
  bool Recording(int64_t now_ns) const {
    return plan_.record && now_ns >= plan_.measure_start_ns;
  }
  VirtualUser* NewVu();
  void Begin(VirtualUser* vu, int64_t intended_ns);
  void ArmSweep();
  void Sweep();
  // Open model.
  int64_t IntendedNs(int64_t index) const;
  void StartDue(int64_t now_ns);
  void ArmSchedule(int64_t now_ns);
  void DropUnstarted();
  void OnMeasureEnd();
  void MaybeFinish(int64_t now_ns);
  void Finish();

  const int index_;
  const RunContext& ctx_;
  boost::asio::io_context io_;
  boost::asio::steady_timer sweep_timer_;
  boost::asio::steady_timer schedule_timer_;
  boost::asio::steady_timer end_timer_;
  boost::asio::steady_timer stop_timer_;
  std::mt19937_64 rng_;

  PhasePlan plan_;
  bool phase_active_ = false;
  uint64_t phase_id_ = 0;  // timers of an earlier phase ignore themselves
  std::function<void()> on_done_;
  int active_ = 0;  // VUs inside an iteration
  std::vector<std::unique_ptr<VirtualUser>> vus_;
  std::vector<int> remaining_;        // per-vu-iterations: left per VU
  std::vector<VirtualUser*> idle_;    // open model: ready VUs, LIFO
  int64_t next_index_ = 0;            // open model: next scheduled iteration
  bool schedule_over_ = false;        // open model: nothing more to start
  double interval_ns_ = 0;            // open model: between intended starts
  bool sweeping_ = false;

  WorkerStats stats_;
  IntervalStats interval_;
};

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_WORKER_H_
