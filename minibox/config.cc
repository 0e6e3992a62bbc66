#include "minibox/config.h"

#include <cstdlib>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace gop::minibox {
namespace {

// Reads an integer variable in [lo, hi]; records a problem when it is malformed.
void ReadInt(const EnvLookup& env, const std::string& name, int lo, int hi, int* out,
             std::vector<std::string>* problems) {
  std::optional<std::string> v = env(name);
  if (!v.has_value()) return;
  int value = 0;
  if (!absl::SimpleAtoi(*v, &value) || value < lo || value > hi) {
    problems->push_back(absl::StrCat(name, "=\"", *v, "\": expected an integer in [", lo,
                                     ", ", hi, "]"));
    return;
  }
  *out = value;
}

void ReadString(const EnvLookup& env, const std::string& name, bool allow_empty,
                std::string* out, std::vector<std::string>* problems) {
  std::optional<std::string> v = env(name);
  if (!v.has_value()) return;
  if (v->empty() && !allow_empty) {
    problems->push_back(absl::StrCat(name, " is set but empty"));
    return;
  }
  *out = *v;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

absl::StatusOr<Config> ConfigFromEnv(const EnvLookup& env) {
  Config c;
  std::vector<std::string> problems;
  ReadInt(env, "BOX_WEB_THREAD", 1, 1024, &c.web_threads, &problems);
  ReadInt(env, "BOX_DB_POOL_MAXIMUM_POOL_SIZE", 1, 1000, &c.db_pool_size, &problems);
  int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(c.db_pool_timeout));
  ReadInt(env, "BOX_DB_POOL_CONNECTION_TIMEOUT", 1, 3600 * 1000, &timeout_ms, &problems);
  c.db_pool_timeout = absl::Milliseconds(timeout_ms);
  ReadString(env, "BOX_DB_HOST", false, &c.db_host, &problems);
  ReadInt(env, "BOX_DB_PORT", 1, 65535, &c.db_port, &problems);
  ReadString(env, "BOX_DB_DATABASE", false, &c.db_name, &problems);
  ReadString(env, "BOX_DB_USER", false, &c.db_user, &problems);
  ReadString(env, "BOX_DB_PASSWORD", true, &c.db_password, &problems);
  ReadInt(env, "BOX_WEB_PORT", 0, 65535, &c.web_port, &problems);
  if (env("BOX_METRICS_PORT").has_value()) {
    int port = 0;
    ReadInt(env, "BOX_METRICS_PORT", 0, 65535, &port, &problems);
    c.metrics_port = port;
  }
  ReadString(env, "BOX_ROOT_CLIENT_SECRET", true, &c.root_client_secret, &problems);
  ReadString(env, "BOX_INSTANCE_NAME", false, &c.instance_name, &problems);
  if (!problems.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid configuration: ", absl::StrJoin(problems, "; ")));
  }
  return c;
}

}  // namespace gop::minibox
