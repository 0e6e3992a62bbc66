#include "ctl/ctl_options.h"

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gop::ctl {

std::optional<std::string> ProcessEnv(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string CtlUsage() {
  return R"(usage: gopctl COMMAND [flags]

commands:
  status   print the run's state, cells, agents, failures and warnings once
  watch    follow the run live (WatchStatus stream) until it finishes
  cancel   cancel the run (--reason R)

flags:
  --coordinator HOST:PORT   coordinator address (env GOP_COORDINATOR, default 127.0.0.1:7400)
  --token T                 shared token (env GOP_TOKEN)
  --tls                     use TLS
  --tls-ca FILE             CA certificate (PEM) that signed the coordinator's certificate
  --tls-cert FILE           client certificate (PEM) for mutual TLS, with --tls-key
  --tls-key FILE            client key (PEM)
  --tls-server-name NAME    name to verify in the coordinator's certificate
  --json                    print the status as JSON (watch: one JSON object per line)
  --reason R                cancel: why (recorded by the coordinator)
  --timeout SECONDS         deadline for each call (default 5)

exit codes: 0 ok; 1 coordinator unreachable, token refused or call failed;
2 usage error; 3 watch: the run ended FAILED or CANCELLED; 130 interrupted.
)";
}

absl::StatusOr<CtlOptions> ParseCtlArgs(const std::vector<std::string>& args,
                                        const EnvLookup& env) {
  CtlOptions options;
  std::optional<std::string> coordinator;
  std::optional<std::string> token;
  bool have_command = false;

  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!arg.starts_with("--")) {
      if (have_command) return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", arg, "'"));
      have_command = true;
      if (arg == "status") options.command = Command::kStatus;
      else if (arg == "watch") options.command = Command::kWatch;
      else if (arg == "cancel") options.command = Command::kCancel;
      else if (arg == "help") options.command = Command::kHelp;
      else return absl::InvalidArgumentError(absl::StrCat("unknown command '", arg, "'"));
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    auto value = [&]() -> absl::StatusOr<std::string> {
      if (inline_value.has_value()) return *inline_value;
      if (i + 1 >= args.size()) return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      return args[++i];
    };
    auto flag = [&]() -> absl::StatusOr<bool> {
      if (!inline_value.has_value()) return true;
      if (*inline_value == "true" || *inline_value == "1") return true;
      if (*inline_value == "false" || *inline_value == "0") return false;
      return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
    };
    auto assign = [&](std::string& target) -> absl::Status {
      absl::StatusOr<std::string> v = value();
      if (!v.ok()) return v.status();
      target = *std::move(v);
      return absl::OkStatus();
    };
    absl::Status status;
    if (name == "help" || name == "h") {
      options.command = Command::kHelp;
      return options;
    } else if (name == "coordinator") {
      std::string v;
      status = assign(v);
      coordinator = v;
    } else if (name == "token") {
      std::string v;
      status = assign(v);
      token = v;
    } else if (name == "tls") {
      absl::StatusOr<bool> b = flag();
      if (!b.ok()) return b.status();
      options.channel.tls = *b;
    } else if (name == "json") {
      absl::StatusOr<bool> b = flag();
      if (!b.ok()) return b.status();
      options.json = *b;
    } else if (name == "tls-ca") {
      status = assign(options.channel.tls_ca_file);
    } else if (name == "tls-cert") {
      status = assign(options.channel.tls_cert_file);
    } else if (name == "tls-key") {
      status = assign(options.channel.tls_key_file);
    } else if (name == "tls-server-name") {
      status = assign(options.channel.tls_server_name);
    } else if (name == "reason") {
      status = assign(options.cancel_reason);
    } else if (name == "timeout") {
      std::string v;
      status = assign(v);
      double seconds = 0;
      if (status.ok() && (!absl::SimpleAtod(v, &seconds) || !(seconds > 0))) {
        return absl::InvalidArgumentError(absl::StrCat("--timeout wants seconds > 0, got '", v, "'"));
      }
      options.rpc_deadline = absl::Seconds(seconds);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    if (!status.ok()) return status;
  }
  if (!have_command) return absl::InvalidArgumentError("no command given (status, watch or cancel)");

  if (!coordinator.has_value()) coordinator = env("GOP_COORDINATOR");
  if (!coordinator.has_value() || coordinator->empty()) coordinator = std::string(kDefaultCoordinator);
  options.channel.target = *coordinator;
  if (!token.has_value()) token = env("GOP_TOKEN");
  options.channel.token = token.value_or("");

  const ChannelOptions& c = options.channel;
  if (!c.tls && (!c.tls_ca_file.empty() || !c.tls_cert_file.empty() || !c.tls_key_file.empty() ||
                 !c.tls_server_name.empty())) {
    return absl::InvalidArgumentError("--tls-ca/--tls-cert/--tls-key/--tls-server-name need --tls");
  }
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
  }
  if (options.command != Command::kCancel && !options.cancel_reason.empty()) {
    return absl::InvalidArgumentError("--reason is for cancel only");
  }
  return options;
}

}  // namespace gop::ctl
