#include "coordinator/dry_run.h"

#include <algorithm>
#include <functional>
#include <queue>

#include "absl/strings/str_cat.h"
#include "coordinator/grid_expand.h"

namespace gop {
namespace {

// A part of the per-cell time, exactly: "5m", "300ms", "0s".
std::string Part(absl::Duration d) {
  return d == absl::ZeroDuration() ? "0s" : absl::FormatDuration(d);
}

// An estimate, to the nearest second: "5m41s", "0s".
std::string Rounded(absl::Duration d) {
  return Part(absl::Seconds(absl::ToInt64Seconds(d + absl::Milliseconds(500))));
}

}  // namespace

absl::Duration EstimateCellTime(const v1::CellConfig& cell) {
  const v1::LoadSpec& load = cell.load();
  return kRestartOverheadEstimate +
         load.prewarm_iterations() * kPrewarmIterationEstimate +
         absl::Milliseconds(load.warmup_ms()) +
         absl::Milliseconds(load.duration_ms()) +
         absl::Milliseconds(load.graceful_stop_ms());
}

WallTimeEstimate EstimateWallTime(const std::vector<v1::CellConfig>& cells,
                                  int agents, double agent_cores) {
  WallTimeEstimate estimate;
  // Times at which each agent becomes free, earliest first.
  std::priority_queue<absl::Duration, std::vector<absl::Duration>,
                      std::greater<absl::Duration>>
      free_at;
  for (int i = 0; i < std::max(agents, 1); ++i) {
    free_at.push(absl::ZeroDuration());
  }
  for (const v1::CellConfig& cell : cells) {
    if (agent_cores > 0 && cell.cpu_limit() > agent_cores) {
      ++estimate.unschedulable;
      continue;
    }
    const absl::Duration end = free_at.top() + EstimateCellTime(cell);
    free_at.pop();
    free_at.push(end);
    estimate.wall = std::max(estimate.wall, end);
  }
  return estimate;
}

std::string FormatDryRun(const GridSpec& spec,
                         const std::vector<v1::CellConfig>& cells, int agents,
                         double agent_cores) {
  std::string out;
  for (const v1::CellConfig& cell : cells) {
    absl::StrAppend(&out, "cpu=", FormatCpu(cell.cpu_limit()),
                    " web_threads=", cell.web_threads(),
                    " db_pool=", cell.db_pool());
    if (spec.repetitions > 1) {
      absl::StrAppend(&out, " repetition=", cell.repetition());
    }
    out += "\n";
  }
  const int repetitions = std::max(spec.repetitions, 1);
  const size_t configurations = cells.size() / repetitions;
  absl::StrAppend(&out, cells.size(), cells.size() == 1 ? " cell" : " cells");
  if (repetitions > 1) {
    absl::StrAppend(&out, " (", configurations, " configurations x ",
                    repetitions, " repetitions)");
  }
  out += "\n";
  if (!cells.empty()) {
    const v1::LoadSpec& load = cells.front().load();
    absl::StrAppend(
        &out, "per cell: about ", Rounded(EstimateCellTime(cells.front())),
        " (restart ", Part(kRestartOverheadEstimate), " + prewarm ",
        Part(load.prewarm_iterations() * kPrewarmIterationEstimate),
        " + warm-up ", Part(absl::Milliseconds(load.warmup_ms())),
        " + measured ", Part(absl::Milliseconds(load.duration_ms())),
        " + graceful stop up to ",
        Part(absl::Milliseconds(load.graceful_stop_ms())), ")\n");
  }
  absl::StrAppend(&out, "estimated wall time with 1 agent: ",
                  Rounded(EstimateWallTime(cells, 1, agent_cores).wall), "\n");
  if (agents > 1) {
    absl::StrAppend(&out, "estimated wall time with ", agents, " agents: ",
                    Rounded(EstimateWallTime(cells, agents, agent_cores).wall),
                    "\n");
  }
  if (agent_cores > 0) {
    const int unschedulable =
        EstimateWallTime(cells, 1, agent_cores).unschedulable;
    if (unschedulable > 0) {
      absl::StrAppend(
          &out, unschedulable,
          unschedulable == 1 ? " cell needs" : " cells need", " more than ",
          FormatCpu(agent_cores), agent_cores == 1 ? " core" : " cores",
          " per agent: no agent could run ", unschedulable == 1 ? "it" : "them",
          " (not counted above)\n");
    }
  }
  return out;
}

}  // namespace gop
