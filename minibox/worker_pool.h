#ifndef GOP_MINIBOX_WORKER_POOL_H_
#define GOP_MINIBOX_WORKER_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "minibox/metrics.h"

namespace gop::minibox {

// Exactly `threads` worker threads running submitted tasks in FIFO order: the
// BOX_WEB_THREAD handler pool. The I/O threads only parse and write; handlers (SQL,
// JSON) run here, so at most `threads` handlers ever run at once. Thread-safe.
class WorkerPool {
 public:
  WorkerPool(int threads, WorkerMetrics metrics);
  // Finishes queued tasks, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Submit(std::function<void()> task);

  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  void Run();
  void UpdateGaugesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const WorkerMetrics metrics_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
  int busy_max_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_WORKER_POOL_H_
