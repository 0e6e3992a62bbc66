#ifndef GOP_COORDINATOR_DRY_RUN_H_
#define GOP_COORDINATOR_DRY_RUN_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "coordinator/grid.h"
#include "gop/v1/cell.pb.h"

namespace gop {

// Time an agent needs to stop the previous target, start this one and wait
// for its health check; a guess, as it depends on the target.
inline constexpr absl::Duration kRestartOverheadEstimate = absl::Seconds(10);
// Time one prewarm iteration takes; VUs prewarm in parallel, so prewarm lasts
// about iterations x this.
inline constexpr absl::Duration kPrewarmIterationEstimate =
    absl::Milliseconds(100);

// Estimated time one cell occupies an agent: restart + prewarm + warm-up +
// measured phase + the whole graceful stop (an upper bound).
absl::Duration EstimateCellTime(const v1::CellConfig& cell);

struct WallTimeEstimate {
  absl::Duration wall = absl::ZeroDuration();  // until the last cell ends
  int unschedulable = 0;  // cells needing more cores than an agent has
};

// List scheduling over `agents` identical agents with `agent_cores` cores
// each (0 = enough for any cell): cells in order, each to the agent that is
// free first, as the coordinator's pull model does. Cells no agent can take
// are counted, not scheduled.
WallTimeEstimate EstimateWallTime(const std::vector<v1::CellConfig>& cells,
                                  int agents, double agent_cores = 0);

// The text of `gop-coordinator --dry-run`: one line per cell,
// "cpu=C web_threads=W db_pool=D" (plus " repetition=R" when the grid repeats),
// then the cell count, the per-cell estimate and the estimated wall time for
// 1 agent and for `agents` agents (when more than 1).
std::string FormatDryRun(const GridSpec& spec,
                         const std::vector<v1::CellConfig>& cells, int agents,
                         double agent_cores = 0);

}  // namespace gop

#endif  // GOP_COORDINATOR_DRY_RUN_H_
