// gopctl: status, watch and cancel for a gop-coordinator run.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "ctl/ctl_command.h"
#include "grpc/support/log.h"
#include "ctl/ctl_options.h"
#include "ctl/interrupt.h"

int main(int argc, char** argv) {
  static gop::ctl::Interrupt interrupt;
  gop::ctl::InstallSignalInterrupt(&interrupt);  // before gRPC starts threads

  // gopctl reports failures in one line of its own; gRPC's log lines (e.g.
  // the TLS handshake error) would only repeat them. GRPC_VERBOSITY restores them.
  if (std::getenv("GRPC_VERBOSITY") == nullptr) gpr_set_log_function([](gpr_log_func_args*) {});

  const std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<gop::ctl::CtlOptions> options = gop::ctl::ParseCtlArgs(args, gop::ctl::ProcessEnv);
  if (!options.ok()) {
    std::cerr << "gopctl: " << options.status().message() << "\n(gopctl --help for usage)\n";
    return gop::ctl::kExitUsage;
  }
  gop::ctl::CtlEnvironment env;
  env.out = &std::cout;
  env.err = &std::cerr;
  env.out_is_tty = isatty(STDOUT_FILENO) == 1;
  env.interrupt = &interrupt;
  return gop::ctl::RunCtl(*options, env);
}
