#ifndef GOP_CTL_CTL_OPTIONS_H_
#define GOP_CTL_CTL_OPTIONS_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/grpc_channel.h"

namespace gop::ctl {

enum class Command { kStatus, kWatch, kCancel, kHelp };

inline constexpr std::string_view kDefaultCoordinator = "127.0.0.1:7400";

// Everything one gopctl invocation needs, parsed from the command line and
// the environment.
struct CtlOptions {
  Command command = Command::kHelp;
  ChannelOptions channel;  // target defaults to kDefaultCoordinator
  bool json = false;
  std::string cancel_reason;
  absl::Duration rpc_deadline = absl::Seconds(5);  // every unary call, and a watch's first update
  int watch_min_interval_ms = 1000;
};

// Reads an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
// The process environment.
std::optional<std::string> ProcessEnv(std::string_view name);

// Parses `gopctl COMMAND [flags]` (args exclude argv[0]). Flags take their
// value as `--flag value` or `--flag=value`; GOP_COORDINATOR and GOP_TOKEN
// fill in --coordinator and --token when absent. Fails (usage error) on an
// unknown command or flag, a missing value, or TLS files without --tls.
// Hand-written: absl flags cannot spell the hyphenated names (--tls-ca) and
// keep global state that tests could not re-parse.
absl::StatusOr<CtlOptions> ParseCtlArgs(const std::vector<std::string>& args,
                                        const EnvLookup& env);

// The --help text.
std::string CtlUsage();

}  // namespace gop::ctl

#endif  // GOP_CTL_CTL_OPTIONS_H_
