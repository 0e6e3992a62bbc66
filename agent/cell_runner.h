#ifndef GOP_AGENT_CELL_RUNNER_H_
#define GOP_AGENT_CELL_RUNNER_H_

#include <filesystem>
#include <string>

#include "agent/cell_executor.h"
#include "agent/target_driver.h"
#include "common/clock.h"

namespace gop {

// The real CellExecutor: (re)starts the target through its driver with the
// cell's numbers, then runs the built-in load generator in-process — prewarm,
// warm-up, measured load — and turns the outcome into a CellResult with the
// target's CPU use for the measured phase.
class CellRunner : public CellExecutor {
 public:
  struct Options {
    std::filesystem::path data_dir;  // holds scenarios/ and seeds/
    int load_threads = 0;            // 0 = the load generator's default
  };

  // `driver` must outlive the runner.
  CellRunner(TargetDriver* driver, Options options, Clock* clock = Clock::Real())
      : driver_(driver), options_(std::move(options)), clock_(clock) {}

  v1::CellResult Execute(const v1::Assign& assign, ProgressSink* progress,
                         const std::atomic<bool>* cancelled) override;

 private:
  TargetDriver* driver_;
  Options options_;
  Clock* clock_;
};

}  // namespace gop

#endif  // GOP_AGENT_CELL_RUNNER_H_
