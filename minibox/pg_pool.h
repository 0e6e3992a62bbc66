#ifndef GOP_MINIBOX_PG_POOL_H_
#define GOP_MINIBOX_PG_POOL_H_

#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "minibox/metrics.h"
#include "minibox/pg_connection.h"

namespace gop::minibox {

// A bounded pool of at most `max_size` PostgreSQL connections, opened lazily (like
// Hikari's behaviour under load). A caller waits up to `acquire_timeout` for a free
// connection. Connections that broke (or that the server closed while idle) are
// discarded and replaced by new ones on demand, so a PostgreSQL restart is survived.
// Thread-safe.
class PgPool {
 public:
  // Returns the connection to the pool when destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {
      other.pool_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PgConnection* operator->() const { return conn_.get(); }
    PgConnection& operator*() const { return *conn_; }

   private:
    friend class PgPool;
    Lease(PgPool* pool, std::unique_ptr<PgConnection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    PgPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  PgPool(PgConnectParams params, int max_size, absl::Duration acquire_timeout,
         PoolMetrics metrics);
  ~PgPool();

  // Unavailable with "timed out" when no connection freed up in time (-> 503), or
  // Unavailable when a new connection could not be opened (database down).
  absl::StatusOr<Lease> Acquire();

  int max_size() const { return max_size_; }
  // Connections currently open (in use + idle).
  int open_count() const;

 private:
  void Release(std::unique_ptr<PgConnection> conn);
  void UpdateGaugesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const PgConnectParams params_;
  const int max_size_;
  const absl::Duration acquire_timeout_;
  const PoolMetrics metrics_;

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<PgConnection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;     // idle + leased + being opened
  int leased_ ABSL_GUARDED_BY(mu_) = 0;
  int pending_ ABSL_GUARDED_BY(mu_) = 0;  // callers waiting
};

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_PG_POOL_H_
