// minibox: a FHIR R4 server over PostgreSQL, configured by Aidbox's BOX_* environment
// variables. Prints "minibox listening on http://127.0.0.1:PORT" when ready; exits 0 on
// SIGTERM/SIGINT, 2 on invalid configuration, 1 when it cannot start.
#include <signal.h>

#include <cstdio>
#include <iostream>

#include "minibox/config.h"
#include "minibox/minibox_server.h"

int main() {
  absl::StatusOr<gop::minibox::Config> config =
      gop::minibox::ConfigFromEnv(gop::minibox::ProcessEnv());
  if (!config.ok()) {
    std::cerr << "minibox: " << config.status().message() << "\n";
    return 2;
  }
  // Every thread inherits this mask; the main thread alone takes the signals.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  absl::StatusOr<std::unique_ptr<gop::minibox::MiniboxServer>> server =
      gop::minibox::MiniboxServer::Create(*config);
  if (!server.ok()) {
    std::cerr << "minibox: " << server.status().message() << "\n";
    return 1;
  }
  if ((*server)->metrics_port().has_value()) {
    std::cerr << "minibox: metrics on http://127.0.0.1:" << *(*server)->metrics_port()
              << "/metrics\n";
  }
  std::printf("minibox listening on http://127.0.0.1:%d\n", (*server)->port());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cerr << "minibox: signal " << sig << ", shutting down\n";
  server->reset();
  return 0;
}
