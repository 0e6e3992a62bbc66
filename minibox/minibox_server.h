#ifndef GOP_MINIBOX_MINIBOX_SERVER_H_
#define GOP_MINIBOX_MINIBOX_SERVER_H_

#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "minibox/config.h"
#include "minibox/fhir_handler.h"
#include "minibox/http_server.h"
#include "minibox/metrics.h"
#include "minibox/pg_pool.h"
#include "minibox/schema.h"
#include "minibox/worker_pool.h"

namespace prometheus {
class Exposer;
}

namespace gop::minibox {

// A running minibox: metrics, connection pool, schema, FHIR handler, worker threads,
// HTTP server (and the optional separate metrics listener). Create() returns once the
// schema exists and the port is bound; the destructor stops everything.
class MiniboxServer {
 public:
  // Waits up to the pool timeout (BOX_DB_POOL_CONNECTION_TIMEOUT) for PostgreSQL to
  // accept connections and the schema to exist.
  static absl::StatusOr<std::unique_ptr<MiniboxServer>> Create(const Config& config);
  ~MiniboxServer();

  int port() const { return http_->port(); }
  std::optional<int> metrics_port() const { return metrics_port_; }
  Metrics& metrics() { return *metrics_; }
  PgPool& pool() { return *pool_; }

 private:
  MiniboxServer() = default;

  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<Schema> schema_;
  std::unique_ptr<FhirHandler> handler_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::optional<int> metrics_port_;
};

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_MINIBOX_SERVER_H_
