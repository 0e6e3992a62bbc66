#include "agent/health_probe.h"

#include <algorithm>
#include <chrono>
#include <exception>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gop {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

absl::StatusOr<int> GetOnce(const HttpUrl& url, absl::Duration timeout) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::request<http::empty_body> req(http::verb::get, url.target, 11);
  req.set(http::field::host, url.host);
  req.set(http::field::user_agent, "gop-agent");
  req.set(http::field::connection, "close");
  http::response<http::string_body> res;
  bool done = false;
  std::string failure;
  auto fail = [&failure](const char* step, const beast::error_code& ec) {
    failure = absl::StrCat(step, ": ", ec.message());
  };

  // The whole exchange runs on a private io_context bounded by run_for, so
  // a peer that accepts and then says nothing cannot hold us past `timeout`.
  resolver.async_resolve(url.host, url.port, [&](beast::error_code ec,
                                                 tcp::resolver::results_type results) {
    if (ec) return fail("resolve", ec);
    stream.async_connect(results, [&](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return fail("connect", ec);
      http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
        if (ec) return fail("write", ec);
        http::async_read(stream, buffer, res, [&](beast::error_code ec, std::size_t) {
          if (ec) return fail("read", ec);
          done = true;
        });
      });
    });
  });
  ioc.run_for(std::chrono::microseconds(absl::ToInt64Microseconds(timeout)));
  if (done) return static_cast<int>(res.result_int());
  if (!failure.empty()) return absl::UnavailableError(failure);
  return absl::DeadlineExceededError(
      absl::StrCat("no answer within ", absl::FormatDuration(timeout)));
}

}  // namespace

absl::StatusOr<HttpUrl> ParseHttpUrl(absl::string_view url) {
  constexpr absl::string_view kScheme = "http://";
  if (!absl::StartsWithIgnoreCase(url, kScheme)) {
    return absl::InvalidArgumentError(absl::StrCat("not an http:// URL: '", url, "'"));
  }
  absl::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  HttpUrl out;
  out.target = slash == absl::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.empty() || authority.find('@') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("bad host in URL '", url, "'"));
  }
  size_t colon = authority.rfind(':');
  // "[::1]:8080" keeps its brackets out of the host.
  if (colon != absl::string_view::npos && authority.find(']', colon) == absl::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    out.port = std::string(authority.substr(colon + 1));
    int port = 0;
    if (!absl::SimpleAtoi(out.port, &port) || port <= 0 || port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("bad port in URL '", url, "'"));
    }
  } else {
    out.host = std::string(authority);
    out.port = "80";
  }
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("bad host in URL '", url, "'"));
  }
  return out;
}

absl::StatusOr<int> HttpGetStatus(absl::string_view url, absl::Duration timeout) {
  absl::StatusOr<HttpUrl> parsed = ParseHttpUrl(url);
  if (!parsed.ok()) return parsed.status();
  try {
    return GetOnce(*parsed, timeout);
  } catch (const std::exception& e) {  // Asio reports allocation/system failures by throwing
    return absl::InternalError(absl::StrCat("GET ", url, ": ", e.what()));
  }
}

absl::Status WaitForHealthy(absl::string_view url, absl::Duration timeout,
                            const HealthProbeOptions& options) {
  if (absl::StatusOr<HttpUrl> parsed = ParseHttpUrl(url); !parsed.ok()) return parsed.status();
  auto now = options.now ? options.now : [] { return absl::Now(); };
  auto sleep = options.sleep ? options.sleep : [](absl::Duration d) { absl::SleepFor(d); };
  const absl::Time deadline = now() + timeout;
  int attempts = 0;
  std::string last_error;
  while (true) {
    absl::Duration left = deadline - now();
    absl::Duration attempt =
        std::max(std::min(options.attempt_timeout, left), absl::Milliseconds(50));
    absl::StatusOr<int> code = HttpGetStatus(url, attempt);
    ++attempts;
    if (code.ok() && *code == 200) return absl::OkStatus();
    last_error = code.ok() ? absl::StrCat("HTTP ", *code) : std::string(code.status().message());
    left = deadline - now();
    if (left <= absl::ZeroDuration()) break;
    sleep(std::min(options.interval, left));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "GET ", url, " not healthy after ", absl::FormatDuration(timeout), " (", attempts,
      attempts == 1 ? " attempt" : " attempts", "); last: ", last_error));
}

}  // namespace gop
