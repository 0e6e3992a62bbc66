#ifndef GOP_LOADGEN_RESPONSE_PARSER_H_
#define GOP_LOADGEN_RESPONSE_PARSER_H_

#include <cstdint>
#include <string>

#include "boost/beast/http/basic_parser.hpp"

namespace gop::loadgen {

// An HTTP/1.1 response parser on Beast's basic_parser that stores nothing it
// is not asked for: the status, optionally the body (for captures and
// checks) and the Location header. Content-Length, chunked and
// read-until-close bodies are handled by Beast. One per response; cheap to
// construct (no allocation).
class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  // `body`/`location` may be null when the step does not need them; they are
  // appended to, so the caller clears them first.
  ResponseParser(std::string* body, std::string* location);

  int status() const { return status_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code& ec) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  std::string* body_;
  std::string* location_;
  int status_ = 0;
};

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_RESPONSE_PARSER_H_
