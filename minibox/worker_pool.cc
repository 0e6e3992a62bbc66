#include "minibox/worker_pool.h"

namespace gop::minibox {

WorkerPool::WorkerPool(int threads, WorkerMetrics metrics) : metrics_(metrics) {
  if (metrics_.threads != nullptr) metrics_.threads->Set(threads);
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

WorkerPool::~WorkerPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::UpdateGaugesLocked() {
  if (metrics_.busy != nullptr) metrics_.busy->Set(busy_);
  if (metrics_.busy_max != nullptr) metrics_.busy_max->Set(busy_max_);
  if (metrics_.queued != nullptr) metrics_.queued->Set(static_cast<double>(queue_.size()));
}

void WorkerPool::Submit(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(task));
  UpdateGaugesLocked();
}

void WorkerPool::Run() {
  for (;;) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !queue_.empty() || stopping_;
      };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
      busy_max_ = std::max(busy_max_, busy_);
      UpdateGaugesLocked();
    }
    task();
    absl::MutexLock lock(&mu_);
    --busy_;
    UpdateGaugesLocked();
  }
}

}  // namespace gop::minibox
