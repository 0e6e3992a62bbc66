#ifndef GOP_COMMON_AUTH_H_
#define GOP_COMMON_AUTH_H_

#include <optional>
#include <string_view>

#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"

namespace gop {

// The shared token travels in each call's metadata as
// "authorization: Bearer <token>".
inline constexpr std::string_view kAuthorizationHeader = "authorization";
inline constexpr std::string_view kBearerPrefix = "Bearer ";

// Attaches the token to a call before it starts. No-op for an empty token.
void AddToken(grpc::ClientContext* context, std::string_view token);

// Compares in time that depends only on presented.size(), never on where the
// strings differ, so a wrong token cannot be guessed byte by byte.
bool TokenMatches(std::string_view expected, std::string_view presented);

// The bearer token the client sent, or nullopt when there is no
// "authorization: Bearer ..." header. Works for every server context kind
// (sync ServerContext, CallbackServerContext). The view points into the
// context's metadata and lives as long as the call.
std::optional<std::string_view> PresentedToken(const grpc::ServerContextBase& context);

// The check for a service method: OK when `expected` is empty (no token
// configured) or the presented token matches; otherwise UNAUTHENTICATED with
// a message saying whether the token was missing or wrong (never echoing
// it). The caller logs refusals (with context.peer()) and finishes the call
// with the returned status.
grpc::Status CheckToken(const grpc::ServerContextBase& context, std::string_view expected);

}  // namespace gop

#endif  // GOP_COMMON_AUTH_H_
