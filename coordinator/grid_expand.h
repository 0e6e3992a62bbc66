#ifndef GOP_COORDINATOR_GRID_EXPAND_H_
#define GOP_COORDINATOR_GRID_EXPAND_H_

#include <string>
#include <vector>

#include "coordinator/grid.h"
#include "gop/v1/cell.pb.h"

namespace gop {

// Rounds to the nearest integer, ties to even, as Python 3's round() that the
// seed used: 4.5 -> 4, 5.5 -> 6, 2.5 -> 2, -0.5 -> 0. A value within 1e-9 of
// a half counts as the half, so a product that lands a hair off x.5 in binary
// rounds as its decimal value would (15 x 4.1 -> 61.5 -> 62, where Python
// sees 61.49999999999999 and gives 61). Exact halves such as 3 x 1.5 and
// 3 x 2.5 are exact in binary and agree with the seed.
int RoundHalfEven(double value);

// A CPU limit as it appears in cell ids and file names: the shortest
// fixed-notation text that reads back to the same double ("2", "0.5", "1.25").
std::string FormatCpu(double cpu);

// "cpu{c}_wt{w}_db{d}_rep{r}", e.g. "cpu0.5_wt1_db2_rep1". Stable across
// coordinator restarts; the result file name is built from it.
std::string CellId(double cpu, int web_threads, int db_pool, int repetition);

// Expands a validated grid into cells, in the seed's order: for each cpu
// limit, each web-thread multiplier, each pool multiplier; then the explicit
// cells. A configuration (cpu, web_threads, db_pool) seen before is dropped,
// keeping the first. The whole list then repeats once per repetition
// (repetition-major: every configuration's repetition 1 before any
// repetition 2, so a partial run still covers the whole grid).
// Each cell's LoadSpec is fully resolved: vus = 2 x web_threads unless the
// grid sets it (constant-vus); max_vus = max(2 x web_threads, ceil(rate))
// unless set (constant-arrival-rate).
std::vector<v1::CellConfig> ExpandGrid(const GridSpec& spec);

}  // namespace gop

#endif  // GOP_COORDINATOR_GRID_EXPAND_H_
