#include "tests/support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gop::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return std::chrono::microseconds(absl::ToInt64Microseconds(d));
}

}  // namespace

absl::StatusOr<HttpResponse> HttpClient::Send(const HttpRequest& request) const {
  try {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(ToChrono(timeout_));
    stream.connect(resolver.resolve(host_, std::to_string(port_)));

    http::request<http::string_body> req;
    req.method_string(request.method);
    req.target(request.target);
    req.version(11);
    req.set(http::field::host, absl::StrCat(host_, ":", port_));
    req.set(http::field::connection, "close");
    bool has_ct = false;
    for (const auto& [k, v] : request.headers) {
      req.insert(k, v);
      if (absl::EqualsIgnoreCase(k, "content-type")) has_ct = true;
    }
    if (!request.body.empty() && !has_ct) {
      req.set(http::field::content_type, request.content_type);
    }
    req.body() = request.body;
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
      req.prepare_payload();
    }
    http::write(stream, req);

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    parser.header_limit(1024 * 1024);
    if (request.method == "HEAD") parser.skip(true);
    http::read(stream, buffer, parser);
    auto& res = parser.get();
    HttpResponse out;
    out.status = res.result_int();
    for (const auto& field : res) {
      out.headers[absl::AsciiStrToLower(std::string(field.name_string()))] =
          std::string(field.value());
    }
    out.body = std::move(res.body());
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return out;
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("HTTP ", request.method, " ", request.target,
                                               " to ", host_, ":", port_, ": ", e.what()));
  }
}

absl::StatusOr<HttpResponse> HttpClient::Get(const std::string& target) const {
  HttpRequest r;
  r.target = target;
  return Send(r);
}

absl::StatusOr<HttpResponse> HttpClient::Post(const std::string& target,
                                              const std::string& body) const {
  HttpRequest r;
  r.method = "POST";
  r.target = target;
  r.body = body;
  return Send(r);
}

absl::StatusOr<HttpResponse> HttpClient::Put(const std::string& target,
                                             const std::string& body) const {
  HttpRequest r;
  r.method = "PUT";
  r.target = target;
  r.body = body;
  return Send(r);
}

absl::StatusOr<HttpResponse> HttpClient::Delete(const std::string& target) const {
  HttpRequest r;
  r.method = "DELETE";
  r.target = target;
  return Send(r);
}

absl::StatusOr<std::string> HttpClient::SendRaw(const std::string& bytes,
                                                absl::Duration timeout) const {
  try {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(ToChrono(timeout));
    stream.connect(resolver.resolve(host_, std::to_string(port_)));
    asio::write(stream, asio::buffer(bytes));
    std::string out;
    char buf[8192];
    for (;;) {
      beast::error_code ec;
      size_t n = stream.read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;  // EOF, reset or our own timeout: return what arrived.
    }
    return out;
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("raw HTTP to ", host_, ":", port_, ": ",
                                               e.what()));
  }
}

}  // namespace gop::testing
