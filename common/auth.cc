#include "common/auth.h"

#include <string>

namespace gop {

void AddToken(grpc::ClientContext* context, std::string_view token) {
  if (token.empty()) return;
  std::string value(kBearerPrefix);
  value.append(token);
  context->AddMetadata(std::string(kAuthorizationHeader), value);
}

bool TokenMatches(std::string_view expected, std::string_view presented) {
  // Every byte of `presented` is visited and compared against `expected`
  // (or 0 past its end); differences are OR-ed, never branched on. volatile
  // keeps the compiler from turning the loop into an early-exit memcmp.
  volatile unsigned char diff = expected.size() != presented.size() ? 1 : 0;
  for (size_t i = 0; i < presented.size(); ++i) {
    const unsigned char want =
        i < expected.size() ? static_cast<unsigned char>(expected[i]) : 0;
    diff = diff | (want ^ static_cast<unsigned char>(presented[i]));
  }
  return diff == 0;
}

std::optional<std::string_view> PresentedToken(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find(grpc::string_ref(kAuthorizationHeader.data(),
                                                 kAuthorizationHeader.size()));
  if (it == metadata.end()) return std::nullopt;
  const std::string_view value(it->second.data(), it->second.size());
  if (!value.starts_with(kBearerPrefix)) return std::nullopt;
  return value.substr(kBearerPrefix.size());
}

grpc::Status CheckToken(const grpc::ServerContextBase& context, std::string_view expected) {
  if (expected.empty()) return grpc::Status::OK;
  const std::optional<std::string_view> presented = PresentedToken(context);
  if (!presented.has_value()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "no token presented (expected \"authorization: Bearer <token>\")");
  }
  if (!TokenMatches(expected, *presented)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "wrong token");
  }
  return grpc::Status::OK;
}

}  // namespace gop
