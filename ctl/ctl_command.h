#ifndef GOP_CTL_CTL_COMMAND_H_
#define GOP_CTL_CTL_COMMAND_H_

#include <functional>
#include <ostream>

#include "absl/time/time.h"
#include "ctl/ctl_options.h"
#include "ctl/interrupt.h"

namespace gop::ctl {

// Exit codes of gopctl.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;       // unreachable, token refused, call failed
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRunFailed = 3;   // watch: run ended FAILED or CANCELLED
inline constexpr int kExitInterrupted = 130;

// Where a command writes and what it can observe of its surroundings.
struct CtlEnvironment {
  std::ostream* out = nullptr;  // results
  std::ostream* err = nullptr;  // "gopctl: <one-line error>"
  bool out_is_tty = false;      // watch redraws the screen instead of printing lines
  std::function<absl::Time()> now = [] { return absl::Now(); };
  Interrupt* interrupt = nullptr;  // Ctrl-C; optional
};

// Runs one gopctl command against the coordinator named in `options` (one
// channel, reused by every call) and returns the process exit code.
int RunCtl(const CtlOptions& options, const CtlEnvironment& env);

}  // namespace gop::ctl

#endif  // GOP_CTL_CTL_COMMAND_H_
