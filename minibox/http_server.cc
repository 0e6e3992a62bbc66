#include "absl/strings/string_view.h"
#include "minibox/http_server.h"

#include <chrono>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/str_cat.h"
#include "minibox/fhir_json.h"

namespace gop::minibox {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// One client connection. Lives on its strand; a worker holds a reference while it runs
// the handler and posts the response back to the strand.
class HttpServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer* server)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), server_(server) {}

  void Start() { ReadRequest(); }

 private:
  void ArmTimer() {
    timed_out_ = false;
    timer_.expires_after(
        std::chrono::microseconds(absl::ToInt64Microseconds(server_->options_.read_timeout)));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled
      self->timed_out_ = true;
      beast::error_code ignored;
      self->socket_.cancel(ignored);
    });
  }

  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(server_->options_.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(server_->options_.max_header_bytes));
    ArmTimer();
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnRead(beast::error_code ec) {
    timer_.cancel();
    if (timed_out_) {
      // Idle keep-alive connections just close; a half-sent request gets a 408.
      if (parser_->got_some() || buffer_.size() > 0) {
        return WriteError(408, "request not received in time");
      }
      return Close();
    }
    if (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
        ec == asio::error::eof || ec == asio::error::operation_aborted) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      return WriteError(413, absl::StrCat("request body larger than ",
                                          server_->options_.max_body_bytes, " bytes"));
    }
    if (ec == http::error::header_limit) {
      // The request line was never parsed: the URL itself is too long.
      if (parser_->get().target().empty()) {
        return WriteError(414, "request URL too long");
      }
      return WriteError(431, "request headers too large");
    }
    if (ec) return WriteError(400, absl::StrCat("malformed HTTP request: ", ec.message()));

    http::request<http::string_body> msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    auto req = std::make_shared<HttpRequest>();
    req->method = std::string(msg.method_string());
    req->target = std::string(msg.target());
    req->host = std::string(msg[http::field::host]);
    req->content_type = std::string(msg[http::field::content_type]);
    req->if_match = std::string(msg[http::field::if_match]);
    req->authorization = std::string(msg[http::field::authorization]);
    req->body = std::move(msg.body());
    start_ = std::chrono::steady_clock::now();

    if (server_->inline_handler_) {
      std::optional<HttpResponse> r = server_->inline_handler_(*req);
      if (r.has_value()) return Write(req->method, std::move(*r));
    }
    server_->workers_->Submit([self = shared_from_this(), req]() {
      HttpResponse resp = self->server_->handler_(*req);
      asio::post(self->socket_.get_executor(),
                 [self, method = req->method, resp = std::move(resp)]() mutable {
                   self->Write(method, std::move(resp));
                 });
    });
  }

  void WriteError(int status, absl::string_view message) {
    keep_alive_ = false;
    HttpResponse r;
    r.status = status;
    r.route = "error";
    absl::string_view code = status == 408 ? "timeout" : status == 413 ? "too-costly" : "invalid";
    r.body = OperationOutcomeJson("error", code, message);
    start_ = std::chrono::steady_clock::now();
    Write("-", std::move(r));
  }

  void Write(std::string method, HttpResponse r) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "minibox");
    if (!r.content_type.empty()) res->set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res->insert(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    ArmTimer();
    http::async_write(
        socket_, *res,
        [self = shared_from_this(), res, method = std::move(method), route = std::move(r.route),
         status = r.status](beast::error_code ec, size_t) {
          self->timer_.cancel();
          double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                         self->start_).count();
          self->server_->metrics_->ObserveRequest(method, route, status, seconds);
          if (ec || !self->keep_alive_ || self->timed_out_) return self->Close();
          self->ReadRequest();
        });
  }

  void Close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  HttpServer* server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool timed_out_ = false;
  bool keep_alive_ = true;
  std::chrono::steady_clock::time_point start_;
};

HttpServer::HttpServer(const Options& options, WorkerPool* workers, Handler handler,
                       InlineHandler inline_handler, Metrics* metrics)
    : options_(options),
      workers_(workers),
      handler_(std::move(handler)),
      inline_handler_(std::move(inline_handler)),
      metrics_(metrics),
      acceptor_(ioc_) {}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Create(const Options& options,
                                                               WorkerPool* workers,
                                                               Handler handler,
                                                               InlineHandler inline_handler,
                                                               Metrics* metrics) {
  std::unique_ptr<HttpServer> s(
      new HttpServer(options, workers, std::move(handler), std::move(inline_handler), metrics));
  beast::error_code ec;
  tcp::endpoint ep(asio::ip::make_address(options.bind_address, ec),
                   static_cast<unsigned short>(options.port));
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad bind address: ", ec.message()));
  s->acceptor_.open(ep.protocol(), ec);
  if (!ec) s->acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s->acceptor_.bind(ep, ec);
  if (!ec) s->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.bind_address, ":", options.port, ": ",
                     ec.message()));
  }
  s->port_ = s->acceptor_.local_endpoint().port();
  s->Accept();
  for (int i = 0; i < std::max(1, options.io_threads); ++i) {
    s->threads_.emplace_back([srv = s.get()] { srv->ioc_.run(); });
  }
  return s;
}

void HttpServer::Accept() {
  acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket sock) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      beast::error_code ignored;
      sock.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(sock), this)->Start();
    }
    Accept();
  });
}

void HttpServer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  asio::post(ioc_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  ioc_.stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

HttpServer::~HttpServer() { Stop(); }

}  // namespace gop::minibox
