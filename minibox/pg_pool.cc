#include "minibox/pg_pool.h"

#include "absl/strings/str_cat.h"

namespace gop::minibox {

PgPool::Lease::~Lease() {
  if (pool_ != nullptr && conn_ != nullptr) pool_->Release(std::move(conn_));
}

PgPool::PgPool(PgConnectParams params, int max_size, absl::Duration acquire_timeout,
               PoolMetrics metrics)
    : params_(std::move(params)),
      max_size_(max_size),
      acquire_timeout_(acquire_timeout),
      metrics_(metrics) {
  if (metrics_.max_size != nullptr) metrics_.max_size->Set(max_size_);
  absl::MutexLock lock(&mu_);
  UpdateGaugesLocked();
}

PgPool::~PgPool() {
  absl::MutexLock lock(&mu_);
  idle_.clear();
}

int PgPool::open_count() const {
  absl::MutexLock lock(&mu_);
  return open_;
}

void PgPool::UpdateGaugesLocked() {
  if (metrics_.active != nullptr) metrics_.active->Set(leased_);
  if (metrics_.idle != nullptr) metrics_.idle->Set(static_cast<double>(idle_.size()));
  if (metrics_.pending != nullptr) metrics_.pending->Set(pending_);
}

absl::StatusOr<PgPool::Lease> PgPool::Acquire() {
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + acquire_timeout_;
  std::vector<std::unique_ptr<PgConnection>> dead;  // closed outside the lock
  bool open_new = false;
  std::unique_ptr<PgConnection> conn;
  {
    absl::MutexLock lock(&mu_);
    ++pending_;
    UpdateGaugesLocked();
    for (;;) {
      while (!idle_.empty()) {
        std::unique_ptr<PgConnection> c = std::move(idle_.back());
        idle_.pop_back();
        if (c->DiedWhileIdle()) {
          --open_;
          dead.push_back(std::move(c));
          continue;
        }
        conn = std::move(c);
        break;
      }
      if (conn != nullptr) break;
      if (open_ < max_size_) {
        ++open_;  // reserve the slot; connect without holding the lock
        open_new = true;
        break;
      }
      auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !idle_.empty() || open_ < max_size_;
      };
      if (!mu_.AwaitWithDeadline(absl::Condition(&has_work), deadline)) {
        --pending_;
        UpdateGaugesLocked();
        if (metrics_.timeouts != nullptr) metrics_.timeouts->Increment();
        if (metrics_.acquire_wait != nullptr) {
          metrics_.acquire_wait->Observe(absl::ToDoubleSeconds(absl::Now() - start));
        }
        return absl::UnavailableError(absl::StrCat(
            "database connection pool exhausted: no connection free within ",
            absl::ToInt64Milliseconds(acquire_timeout_),
            " ms (BOX_DB_POOL_CONNECTION_TIMEOUT), pool size ", max_size_));
      }
    }
    --pending_;
    ++leased_;
    UpdateGaugesLocked();
  }
  dead.clear();
  if (open_new) {
    absl::StatusOr<std::unique_ptr<PgConnection>> c = PgConnection::Connect(params_);
    if (!c.ok()) {
      absl::MutexLock lock(&mu_);
      --open_;
      --leased_;
      UpdateGaugesLocked();
      return c.status();
    }
    conn = *std::move(c);
  }
  if (metrics_.acquire_wait != nullptr) {
    metrics_.acquire_wait->Observe(absl::ToDoubleSeconds(absl::Now() - start));
  }
  return Lease(this, std::move(conn));
}

void PgPool::Release(std::unique_ptr<PgConnection> conn) {
  if (!conn->broken() && conn->in_transaction()) {
    // A handler returned mid-transaction (error path): never leak it to the next user.
    if (!conn->ExecSimple("ROLLBACK").ok()) {
      conn.reset();
    }
  }
  bool discard = conn == nullptr || conn->broken();
  std::unique_ptr<PgConnection> to_close;
  {
    absl::MutexLock lock(&mu_);
    --leased_;
    if (discard) {
      --open_;
      to_close = std::move(conn);
    } else {
      idle_.push_back(std::move(conn));
    }
    UpdateGaugesLocked();
  }
}

}  // namespace gop::minibox
