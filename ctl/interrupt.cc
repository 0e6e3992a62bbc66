#include "ctl/interrupt.h"

#include <csignal>
#include <thread>
#include <unistd.h>

namespace gop::ctl {

void Interrupt::SetHandler(std::function<void()> handler) {
  std::function<void()> run_now;
  {
    absl::MutexLock lock(&mu_);
    handler_ = std::move(handler);
    if (triggered_) run_now = handler_;
  }
  if (run_now) run_now();
}

void Interrupt::ClearHandler() {
  absl::MutexLock lock(&mu_);
  handler_ = nullptr;
}

bool Interrupt::Trigger() {
  std::function<void()> handler;
  {
    absl::MutexLock lock(&mu_);
    triggered_ = true;
    handler = handler_;
  }
  if (!handler) return false;
  handler();
  return true;
}

bool Interrupt::triggered() const {
  absl::MutexLock lock(&mu_);
  return triggered_;
}

void InstallSignalInterrupt(Interrupt* interrupt) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([interrupt, signals] {
    int count = 0;
    for (;;) {
      int signal = 0;
      if (sigwait(&signals, &signal) != 0) continue;
      if (++count > 1 || !interrupt->Trigger()) _exit(130);
    }
  }).detach();
}

}  // namespace gop::ctl
