#ifndef GOP_COORDINATOR_GRID_H_
#define GOP_COORDINATOR_GRID_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gop/v1/cell.pb.h"

namespace gop {

// One configuration listed by hand under `cells:` in grid.yaml.
struct ExplicitCell {
  double cpu = 0;       // cores; fractional allowed
  int web_threads = 0;  // BOX_WEB_THREAD
  int db_pool = 0;      // BOX_DB_POOL_MAXIMUM_POOL_SIZE
};

// `target:` in grid.yaml: what every cell asks of the agent's target.
// Numbers and names only; the agent's own target.yaml says what to run.
struct TargetOptions {
  // "process", "compose", "external", or "any" (every agent qualifies).
  std::string kind = "any";
  // How long the agent waits for the target's health check after a restart.
  absl::Duration health_timeout = absl::Seconds(120);
  // Whether the agent resets the target's data before each cell.
  bool reset_data = false;
};

// `run:` in grid.yaml: how the coordinator treats failures and silences.
struct RunOptions {
  // Attempts per cell (the first included) before it is marked failed.
  int max_attempts = 3;
  // A cell whose agent is silent this long goes back to the queue.
  absl::Duration lease_timeout = absl::Seconds(30);
  // A cell no connected agent can take (too few cores, wrong target kind)
  // fails after this long with that reason.
  absl::Duration unschedulable_grace = absl::Seconds(60);
};

// A parsed and validated grid.yaml. The defaults are the seed's
// (performance_test.py + k6/crud.js): 5 minutes of constant-vus load with
// 2 x web_threads VUs, the "crud" scenario, a 30 s graceful stop, one
// repetition. Warm-up defaults to 0 as in the seed, which measured from the
// first second and relied on its prewarm script to warm caches.
struct GridSpec {
  // Seed-style grid: every cpu x web multiplier x pool multiplier, with
  // web_threads = RoundHalfEven(cpu x m_web) and
  // db_pool = RoundHalfEven(web_threads x m_db). All three or none.
  std::vector<double> cpu_limits;
  std::vector<double> web_thread_multipliers;
  std::vector<double> db_pool_multipliers;
  // Configurations listed explicitly; they run after the multiplier grid.
  std::vector<ExplicitCell> cells;

  // Each configuration runs this many times (for confidence intervals).
  int repetitions = 1;
  // Length of the measured phase.
  absl::Duration duration = absl::Minutes(5);
  // Load before the measured phase whose measurements are discarded.
  absl::Duration warmup = absl::ZeroDuration();
  // Iterations per VU run before warm-up to warm the target's caches;
  // 0 = no prewarm.
  int prewarm = 10;
  // Constant-vus: VUs; 0 = 2 x the cell's web_threads (the seed's rule).
  int vus = 0;
  // Constant-arrival-rate: iterations per second (required there).
  double rate = 0;
  // Constant-arrival-rate: VU cap; 0 = max(2 x web_threads, ceil(rate)).
  int max_vus = 0;
  v1::Executor executor = v1::EXECUTOR_CONSTANT_VUS;
  // Scenario name the agent resolves against its own scenarios/; a plain
  // name, never a path.
  std::string scenario = "crud";
  // Time given to in-flight iterations after the measured phase.
  absl::Duration graceful_stop = absl::Seconds(30);

  TargetOptions target;
  RunOptions run;
};

// Parses and validates grid.yaml text in one pass. On failure the status is
// InvalidArgument and its message lists every problem found, one per line,
// each as "FILE:LINE:COL: message" (1-based), ordered by position.
// `file_name` is used only in those messages.
absl::StatusOr<GridSpec> ParseGrid(std::string_view yaml_text,
                                   std::string_view file_name);

// Reads `path` and parses it with ParseGrid. NotFound / PermissionDenied etc.
// when the file cannot be read.
absl::StatusOr<GridSpec> LoadGridFile(const std::string& path);

// The grid as resolved, with every default written out, as YAML that
// ParseGrid reads back to an equal GridSpec. Saved in the run's state dir.
std::string RenderResolvedGrid(const GridSpec& spec);

// "constant-vus" / "constant-arrival-rate" (the grid.yaml spelling).
std::string ExecutorName(v1::Executor executor);

}  // namespace gop

#endif  // GOP_COORDINATOR_GRID_H_
