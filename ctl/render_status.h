#ifndef GOP_CTL_RENDER_STATUS_H_
#define GOP_CTL_RENDER_STATUS_H_

// Text forms of a run's status for gopctl. Pure functions of the status and
// the given time: no gRPC, no clock, no I/O.

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gop/v1/status.pb.h"

namespace gop::ctl {

// The full, multi-line view (`gopctl status`): run id and state, cell
// counts, ETA, a table of agents, failed cells with reasons, warnings.
// `now` is used for "started ... ago" only.
std::string RenderStatus(const v1::RunStatus& status, absl::Time now);

// One line per update (`gopctl watch` when stdout is not a terminal), with
// `now` as a UTC timestamp. Ends with '\n'.
std::string RenderStatusLine(const v1::RunStatus& status, absl::Time now);

// The status as JSON (proto field names, defaults included); `pretty` adds
// indentation, otherwise one line. Ends with '\n'.
absl::StatusOr<std::string> RenderStatusJson(const v1::RunStatus& status, bool pretty);

// True for FINISHED, FAILED and CANCELLED.
bool IsTerminal(v1::RunState state);

// "RUNNING", "FINISHED", ...
std::string RunStateName(v1::RunState state);

// Compact duration: "850ms" below a second, "12s", "4m10s", "1h02m".
std::string FormatDurationMs(int64_t ms);

}  // namespace gop::ctl

#endif  // GOP_CTL_RENDER_STATUS_H_
