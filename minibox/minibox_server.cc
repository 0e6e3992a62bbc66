#include "minibox/minibox_server.h"

#include <prometheus/exposer.h>

#include <exception>
#include <thread>

#include "absl/strings/str_cat.h"
#include "minibox/request_target.h"

namespace gop::minibox {
namespace {

absl::Status InitSchema(PgPool& pool, Schema& schema, absl::Duration patience) {
  absl::Time deadline = absl::Now() + patience;
  absl::Status last;
  while (true) {
    absl::StatusOr<PgPool::Lease> lease = pool.Acquire();
    if (lease.ok()) {
      last = schema.Initialize(**lease);
      if (last.ok()) return last;
    } else {
      last = lease.status();
    }
    if (absl::Now() > deadline) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<MiniboxServer>> MiniboxServer::Create(const Config& config) {
  std::unique_ptr<MiniboxServer> s(new MiniboxServer());
  s->metrics_ = std::make_unique<Metrics>(config.instance_name);
  PgConnectParams db{config.db_host, config.db_port, config.db_name, config.db_user,
                     config.db_password};
  s->pool_ = std::make_unique<PgPool>(db, config.db_pool_size, config.db_pool_timeout,
                                      s->metrics_->pool());
  s->schema_ = std::make_unique<Schema>();
  if (absl::Status st =
          InitSchema(*s->pool_, *s->schema_, config.db_pool_timeout);
      !st.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot create the schema: ", st.message()));
  }
  s->handler_ = std::make_unique<FhirHandler>(config, s->pool_.get(), s->schema_.get());
  s->workers_ = std::make_unique<WorkerPool>(config.web_threads, s->metrics_->workers());

  Metrics* metrics = s->metrics_.get();
  FhirHandler* handler = s->handler_.get();
  HttpServer::InlineHandler inline_handler =
      [metrics](const HttpRequest& req) -> std::optional<HttpResponse> {
    if (req.method != "GET") return std::nullopt;
    RequestTarget t = ParseRequestTarget(req.target);
    if (!t.segments.empty() && t.segments[0] == "fhir") t.segments.erase(t.segments.begin());
    if (t.segments.size() != 1) return std::nullopt;
    if (t.segments[0] == "health") {
      HttpResponse r;
      r.content_type = "application/json";
      r.body = R"({"status":"pass"})";
      r.route = "/health";
      return r;
    }
    if (t.segments[0] == "metrics") {
      HttpResponse r;
      r.content_type = "text/plain; version=0.0.4";
      r.body = metrics->Serialize();
      r.route = "/metrics";
      return r;
    }
    return std::nullopt;
  };
  HttpServer::Options opts;
  opts.port = config.web_port;
  opts.io_threads = config.io_threads;
  opts.max_body_bytes = config.max_body_bytes;
  opts.max_header_bytes = config.max_header_bytes;
  opts.read_timeout = config.request_read_timeout;
  absl::StatusOr<std::unique_ptr<HttpServer>> http = HttpServer::Create(
      opts, s->workers_.get(), [handler](const HttpRequest& r) { return handler->Handle(r); },
      inline_handler, metrics);
  if (!http.ok()) return http.status();
  s->http_ = *std::move(http);

  if (config.metrics_port.has_value()) {
    try {
      s->exposer_ = std::make_unique<prometheus::Exposer>(
          absl::StrCat("0.0.0.0:", *config.metrics_port));
      s->exposer_->RegisterCollectable(s->metrics_->registry());
      std::vector<int> ports = s->exposer_->GetListeningPorts();
      if (!ports.empty()) s->metrics_port_ = ports[0];
    } catch (const std::exception& e) {
      return absl::UnavailableError(absl::StrCat("cannot listen for metrics on port ",
                                                 *config.metrics_port, ": ", e.what()));
    }
  }
  return s;
}

MiniboxServer::~MiniboxServer() {
  // Order matters: stop network I/O, let workers finish (they still call the handler and
  // post to the stopped I/O context), then free the rest.
  exposer_.reset();
  if (http_ != nullptr) http_->Stop();
  workers_.reset();
  http_.reset();
  handler_.reset();
  pool_.reset();
}

}  // namespace gop::minibox
