#ifndef GOP_CTL_INTERRUPT_H_
#define GOP_CTL_INTERRUPT_H_

#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace gop::ctl {

// A one-shot "stop" request (Ctrl-C) delivered to whatever is running.
// Thread-safe. Trigger() runs the handler on the triggering thread, so it must
// not be called from a signal handler: see InstallSignalInterrupt().
class Interrupt {
 public:
  // Replaces the handler; runs it at once when already triggered.
  void SetHandler(std::function<void()> handler);
  void ClearHandler();
  // Returns whether a handler was there to run.
  bool Trigger();
  bool triggered() const;

 private:
  mutable absl::Mutex mu_;
  bool triggered_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void()> handler_ ABSL_GUARDED_BY(mu_);
};

// Blocks SIGINT and SIGTERM in the calling thread and starts a detached
// thread that waits for them (sigwait) and calls interrupt->Trigger(). With
// no handler installed (nothing to stop cleanly), or on a second signal, the
// process exits at once with 130. Call first thing in
// main(), before any other thread exists, so every thread inherits the mask.
// `interrupt` must live until the process exits.
void InstallSignalInterrupt(Interrupt* interrupt);

}  // namespace gop::ctl

#endif  // GOP_CTL_INTERRUPT_H_
