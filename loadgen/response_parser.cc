#include "loadgen/response_parser.h"

namespace gop::loadgen {

namespace http = boost::beast::http;

ResponseParser::ResponseParser(std::string* body, std::string* location)
    : body_(body), location_(location) {
  eager(true);
  header_limit(64 * 1024);
  body_limit(std::uint64_t{1} << 30);
}

void ResponseParser::on_request_impl(http::verb, string_view, string_view, int, error_code& ec) {
  ec = http::error::bad_method;  // never called for a response parser
}

void ResponseParser::on_response_impl(int code, string_view, int, error_code&) {
  status_ = code;
}

void ResponseParser::on_field_impl(http::field name, string_view, string_view value,
                                   error_code&) {
  if (location_ != nullptr && name == http::field::location) {
    location_->assign(value.data(), value.size());
  }
}

void ResponseParser::on_header_impl(error_code&) {}

void ResponseParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                       error_code&) {
  if (body_ != nullptr && content_length && *content_length < (1u << 24)) {
    body_->reserve(*content_length);
  }
}

std::size_t ResponseParser::on_body_impl(string_view body, error_code&) {
  if (body_ != nullptr) body_->append(body.data(), body.size());
  return body.size();
}

void ResponseParser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}

std::size_t ResponseParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  if (body_ != nullptr) body_->append(body.data(), body.size());
  return body.size();
}

void ResponseParser::on_finish_impl(error_code&) {}

}  // namespace gop::loadgen
