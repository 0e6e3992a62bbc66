#ifndef GOP_COMMON_GRPC_CHANNEL_H_
#define GOP_COMMON_GRPC_CHANNEL_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace gop {

// How a client (gopctl, an agent) reaches the coordinator.
struct ChannelOptions {
  std::string target;  // HOST:PORT
  // Shared secret; attached per call with AddToken() (auth.h), not by the
  // channel. Empty = send none.
  std::string token;
  bool tls = false;
  std::string tls_ca_file;    // PEM roots that sign the server; empty = system roots
  std::string tls_cert_file;  // client certificate for mutual TLS (with tls_key_file)
  std::string tls_key_file;
  // Name checked against the server certificate instead of the host in
  // `target` (e.g. dialing an IP whose certificate only names a DNS host).
  std::string tls_server_name;
};

// Keepalive every gop client channel uses, so a dead peer on a long stream is
// noticed within ~15 s even when no call is active.
inline constexpr int kKeepaliveTimeMs = 10'000;
inline constexpr int kKeepaliveTimeoutMs = 5'000;

// Creates a channel (insecure, or TLS with the given CA and optional client
// certificate) with keepalive set. Fails when a TLS file cannot be read or
// only one of cert/key is given. Does not connect: the first call does.
// Create one per process and reuse it for every call.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const ChannelOptions& options);

// TLS server credentials from PEM files. With `client_ca_file` set, clients
// must present a certificate signed by that CA (mutual TLS); without it,
// client certificates are not requested.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    std::string_view cert_file, std::string_view key_file, std::string_view client_ca_file = "");

// Lets the server accept the clients' keepalive pings (every kKeepaliveTimeMs,
// also between calls) instead of answering them with GOAWAY "too_many_pings",
// and pings its own idle streams the same way. Call on every gop server.
void ConfigureServerKeepalive(grpc::ServerBuilder& builder);

}  // namespace gop

#endif  // GOP_COMMON_GRPC_CHANNEL_H_
