#ifndef GOP_MINIBOX_CONFIG_H_
#define GOP_MINIBOX_CONFIG_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gop::minibox {

// Everything minibox can be told, with Aidbox's defaults. Built from Aidbox's
// environment variables (names in comments) by ConfigFromEnv().
struct Config {
  int web_threads = 8;                                  // BOX_WEB_THREAD
  int db_pool_size = 16;                                // BOX_DB_POOL_MAXIMUM_POOL_SIZE
  absl::Duration db_pool_timeout = absl::Seconds(30);   // BOX_DB_POOL_CONNECTION_TIMEOUT (ms)
  std::string db_host = "127.0.0.1";                    // BOX_DB_HOST
  int db_port = 5432;                                   // BOX_DB_PORT
  std::string db_name = "postgres";                     // BOX_DB_DATABASE
  std::string db_user = "postgres";                     // BOX_DB_USER
  std::string db_password;                              // BOX_DB_PASSWORD
  int web_port = 8080;                                  // BOX_WEB_PORT; 0 = ephemeral
  std::optional<int> metrics_port;                      // BOX_METRICS_PORT
  std::string root_client_secret;                       // BOX_ROOT_CLIENT_SECRET; empty = no auth
  std::string instance_name = "minibox";                // BOX_INSTANCE_NAME

  // Not Aidbox knobs: fixed in production, lowered by tests.
  int io_threads = 1;
  size_t max_body_bytes = 8 * 1024 * 1024;      // larger bodies get 413
  size_t max_header_bytes = 16 * 1024;          // request line + headers; more gets 414/431
  absl::Duration request_read_timeout = absl::Seconds(30);  // partial request -> 408
  absl::Duration idle_timeout = absl::Seconds(60);          // keep-alive idle -> close
  int search_count_cap = 1000;                   // _count above this is clamped
  int search_count_default = 100;
};

// Returns the value of an environment variable, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
EnvLookup ProcessEnv();

// Parses and validates every variable; an error lists all problems in one message.
absl::StatusOr<Config> ConfigFromEnv(const EnvLookup& env);

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_CONFIG_H_
