#ifndef GOP_MINIBOX_HTTP_SERVER_H_
#define GOP_MINIBOX_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "minibox/http_message.h"
#include "minibox/metrics.h"
#include "minibox/worker_pool.h"

namespace gop::minibox {

// HTTP/1.1 server on Boost.Beast. `io_threads` threads do only network I/O and parsing;
// each complete request goes to the WorkerPool, and the response is written back by the
// I/O thread. Malformed, oversized and too slow requests are answered (400, 413, 414,
// 431, 408) and the connection closed, without ever reaching a handler.
class HttpServer {
 public:
  struct Options {
    std::string bind_address = "0.0.0.0";
    int port = 0;  // 0 = ephemeral
    int io_threads = 1;
    size_t max_body_bytes = 8 * 1024 * 1024;
    size_t max_header_bytes = 16 * 1024;
    absl::Duration read_timeout = absl::Seconds(30);
  };
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  // Cheap, non-blocking requests answered on the I/O thread itself (health, metrics), so
  // they work even when every worker is stuck. Returns nullopt for everything else.
  using InlineHandler = std::function<std::optional<HttpResponse>(const HttpRequest&)>;

  static absl::StatusOr<std::unique_ptr<HttpServer>> Create(const Options& options,
                                                            WorkerPool* workers, Handler handler,
                                                            InlineHandler inline_handler,
                                                            Metrics* metrics);
  // Stops accepting and joins the I/O threads.
  ~HttpServer();

  int port() const { return port_; }
  void Stop();

 private:
  class Session;
  HttpServer(const Options& options, WorkerPool* workers, Handler handler,
             InlineHandler inline_handler, Metrics* metrics);
  void Accept();

  const Options options_;
  WorkerPool* workers_;
  const Handler handler_;
  const InlineHandler inline_handler_;
  Metrics* metrics_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  int port_ = 0;
  bool stopped_ = false;
};

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_HTTP_SERVER_H_
