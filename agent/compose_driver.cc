#include "agent/compose_driver.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace gop {
namespace {

constexpr char kOverrideFile[] = "docker-compose.override.yml";
// How much of a failed compose command's own stderr goes into the error.
constexpr int kCommandErrorLines = 20;

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// A duration given as "90s"/"3m" or as a number of seconds.
bool ParseDurationNode(const YAML::Node& node, absl::Duration* out) {
  std::string text = node.as<std::string>();
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) {
    *out = absl::Seconds(seconds);
    return seconds >= 0;
  }
  return absl::ParseDuration(text, out) && *out >= absl::ZeroDuration();
}

}  // namespace

absl::StatusOr<ComposeDriverConfig> ParseComposeDriverConfig(const YAML::Node& node) {
  ComposeDriverConfig c;
  std::vector<std::string> problems;
  bool up_wait_given = false;
  if (!node.IsMap()) return absl::InvalidArgumentError("compose target: expected a mapping");
  auto where = [](const YAML::Node& n) {
    return absl::StrCat(n.Mark().line + 1, ":", n.Mark().column + 1);
  };
  for (const auto& item : node) {
    const std::string key = item.first.as<std::string>("");
    const YAML::Node& value = item.second;
    auto bad = [&](absl::string_view why) {
      problems.push_back(absl::StrCat(where(value), ": compose.", key, ": ", why));
    };
    try {
      if (key == "dir") {
        c.compose_dir = value.as<std::string>();
      } else if (key == "project") {
        c.project_name = value.as<std::string>();
      } else if (key == "service") {
        c.service = value.as<std::string>();
        if (c.service.empty()) bad("must not be empty");
      } else if (key == "command") {
        if (value.IsSequence()) {
          c.compose_command = value.as<std::vector<std::string>>();
        } else {
          c.compose_command = absl::StrSplit(value.as<std::string>(), ' ', absl::SkipEmpty());
        }
        if (c.compose_command.empty()) bad("must name a program");
      } else if (key == "up_wait") {
        c.up_wait = value.as<bool>();
        up_wait_given = true;
      } else if (key == "env") {
        if (!value.IsMap()) {
          bad("expected a mapping of NAME: value");
        } else {
          for (const auto& kv : value) {
            c.env.emplace_back(kv.first.as<std::string>(), kv.second.as<std::string>());
          }
        }
      } else if (key == "health_url") {
        c.health_url = value.as<std::string>();
        if (!ParseHttpUrl(c.health_url).ok()) bad("expected an http:// URL");
      } else if (key == "base_url") {
        c.base_url = value.as<std::string>();
      } else if (key == "auth") {
        c.auth = value.as<std::string>();
      } else if (key == "health_timeout") {
        if (!ParseDurationNode(value, &c.health_timeout)) bad("expected a duration like 3m");
      } else if (key == "command_timeout") {
        if (!ParseDurationNode(value, &c.command_timeout)) bad("expected a duration like 10m");
      } else if (key == "log_tail_lines") {
        c.log_tail_lines = value.as<int>();
        if (c.log_tail_lines < 0) bad("must be >= 0");
      } else if (key == "stop_at_end") {
        c.stop_at_end = value.as<bool>();
      } else {
        problems.push_back(absl::StrCat(where(item.first), ": compose: unknown key '", key, "'"));
      }
    } catch (const YAML::Exception& e) {
      bad(e.msg);
    }
  }
  if (c.compose_dir.empty()) problems.push_back("compose.dir: required");
  if (!up_wait_given && IsComposeV1(c.compose_command)) c.up_wait = false;
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
  return c;
}

bool IsComposeV1(const std::vector<std::string>& command) {
  if (command.empty()) return false;
  const std::string& program = command[0];
  size_t slash = program.rfind('/');
  return program.substr(slash == std::string::npos ? 0 : slash + 1) == "docker-compose";
}

std::string ComposeOverrideYaml(const std::string& service, const TargetConfig& config) {
  YAML::Emitter out;
  out << YAML::Comment(absl::StrCat("Written by gop for cell ", config.cell_id,
                                    "; rewritten before every cell."));
  out << YAML::BeginMap << YAML::Key << "services" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << service << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "environment" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "BOX_WEB_THREAD" << YAML::Value << YAML::DoubleQuoted
      << absl::StrCat(config.web_threads);
  out << YAML::Key << "BOX_DB_POOL_MAXIMUM_POOL_SIZE" << YAML::Value << YAML::DoubleQuoted
      << absl::StrCat(config.db_pool);
  out << YAML::Key << "BOX_INSTANCE_NAME" << YAML::Value << YAML::DoubleQuoted
      << InstanceName(config);
  out << YAML::EndMap;  // environment
  out << YAML::Key << "deploy" << YAML::Value << YAML::BeginMap << YAML::Key << "resources"
      << YAML::Value << YAML::BeginMap << YAML::Key << "limits" << YAML::Value
      << YAML::BeginMap << YAML::Key << "cpus" << YAML::Value << YAML::DoubleQuoted
      << absl::StrCat(config.cpu_limit) << YAML::EndMap << YAML::EndMap << YAML::EndMap;
  out << YAML::EndMap << YAML::EndMap << YAML::EndMap;
  return absl::StrCat(out.c_str(), "\n");
}

absl::StatusOr<std::unique_ptr<ComposeDriver>> ComposeDriver::Create(ComposeDriverConfig config,
                                                                    CommandRunner* runner) {
  std::vector<std::string> problems;
  if (runner == nullptr) problems.push_back("no command runner");
  if (!IsDirectory(config.compose_dir)) {
    problems.push_back(absl::StrCat("compose dir '", config.compose_dir, "' is not a directory"));
  }
  if (config.compose_command.empty()) problems.push_back("empty compose command");
  if (config.service.empty()) problems.push_back("empty service name");
  if (config.up_wait && IsComposeV1(config.compose_command)) {
    problems.push_back("docker-compose (v1) has no `up --wait`: set up_wait to false");
  }
  if (absl::Status s = ParseHttpUrl(config.health_url).status(); !s.ok()) {
    problems.push_back(absl::StrCat("health_url: ", s.message()));
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("compose driver: ", absl::StrJoin(problems, "; ")));
  }
  return std::unique_ptr<ComposeDriver>(new ComposeDriver(std::move(config), runner));
}

CommandSpec ComposeDriver::ComposeSpec(const std::vector<std::string>& args) const {
  CommandSpec spec;
  spec.argv = config_.compose_command;
  if (!config_.project_name.empty()) {
    spec.argv.push_back("-p");
    spec.argv.push_back(config_.project_name);
  }
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = config_.env;
  spec.working_dir = config_.compose_dir;
  spec.timeout = config_.command_timeout;
  return spec;
}

std::string ComposeDriver::ComposeCommandLine(const std::vector<std::string>& args) const {
  return absl::StrJoin(ComposeSpec(args).argv, " ");
}

absl::Status ComposeDriver::WriteOverride(const TargetConfig& config) const {
  const std::string path = absl::StrCat(config_.compose_dir, "/", kOverrideFile);
  const std::string tmp = absl::StrCat(path, ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << ComposeOverrideYaml(config_.service, config);
    out.close();
    if (!out) return absl::InternalError(absl::StrCat("compose: cannot write ", tmp));
  }
  // Rename so compose never reads a half-written file.
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("compose: cannot rename ", tmp, " to ", path));
  }
  return absl::OkStatus();
}

absl::Status ComposeDriver::CellFailure(absl::StatusCode code, const std::string& message) {
  return absl::Status(
      code, absl::StrCat(message, "\n--- ",
                         ComposeCommandLine({"logs", "--no-color", "--tail",
                                             absl::StrCat(config_.log_tail_lines),
                                             config_.service}),
                         " ---\n", LogTail(config_.log_tail_lines)));
}

absl::StatusOr<TargetInfo> ComposeDriver::Start(const TargetConfig& config,
                                                absl::Duration health_timeout) {
  if (config.cpu_limit <= 0 || config.web_threads <= 0 || config.db_pool <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "compose: cell ", config.cell_id, " needs positive cpu, threads and pool, got cpu=",
        config.cpu_limit, " threads=", config.web_threads, " pool=", config.db_pool));
  }
  if (absl::Status s = WriteOverride(config); !s.ok()) return s;

  std::vector<std::string> up = {"up", "-d"};
  if (config_.up_wait) up.push_back("--wait");
  up.push_back("--force-recreate");
  up.push_back(config_.service);
  absl::StatusOr<CommandResult> ran = runner_->Run(ComposeSpec(up));
  if (!ran.ok()) {
    // The compose CLI itself is missing or cannot start: there are no logs.
    return absl::FailedPreconditionError(
        absl::StrCat("compose: cannot run `", ComposeCommandLine(up), "`: ", ran.status().message()));
  }
  if (!ran->ok()) {
    std::string output = LastLines(ran->stderr_tail, kCommandErrorLines);
    if (output.empty()) output = LastLines(ran->stdout_tail, kCommandErrorLines);
    return CellFailure(absl::StatusCode::kUnavailable,
                       absl::StrCat("compose: `", ComposeCommandLine(up), "` failed for ",
                                    InstanceName(config), ": ", ran->Describe(), "\n",
                                    output));
  }

  if (health_timeout <= absl::ZeroDuration()) health_timeout = config_.health_timeout;
  absl::Status healthy = WaitForHealthy(config_.health_url, health_timeout, config_.health_probe);
  if (!healthy.ok()) {
    return CellFailure(healthy.code(),
                       absl::StrCat("compose: service '", config_.service, "' (",
                                    InstanceName(config), ") is not healthy: ",
                                    healthy.message()));
  }

  TargetInfo info;
  info.base_url = config_.base_url;
  info.auth = config_.auth;
  info.cpu_limit_mechanism = "docker";
  if (IsComposeV1(config_.compose_command) &&
      std::find(config_.compose_command.begin(), config_.compose_command.end(),
                "--compatibility") == config_.compose_command.end()) {
    info.warnings.push_back(
        "docker-compose (v1) without --compatibility ignores deploy.resources.limits.cpus: "
        "the CPU limit is not applied");
  }
  return info;
}

absl::StatusOr<double> ComposeDriver::CpuSecondsUsed() {
  return absl::UnimplementedError(
      "compose: target CPU accounting (docker stats or the container's cgroup) is not "
      "implemented");
}

std::string ComposeDriver::LogTail(int max_lines) {
  if (max_lines <= 0) return "";
  const std::vector<std::string> args = {"logs", "--no-color", "--tail",
                                         absl::StrCat(max_lines), config_.service};
  absl::StatusOr<CommandResult> ran = runner_->Run(ComposeSpec(args));
  if (!ran.ok()) return absl::StrCat("(cannot run `", ComposeCommandLine(args), "`: ",
                                     ran.status().message(), ")\n");
  std::string text = LastLines(ran->stdout_tail, max_lines);
  if (!ran->ok()) {
    absl::StrAppend(&text, "(`", ComposeCommandLine(args), "` failed: ", ran->Describe(), ")\n",
                    LastLines(ran->stderr_tail, kCommandErrorLines));
  }
  return text;
}

absl::Status ComposeDriver::Stop() { return absl::OkStatus(); }

absl::Status ComposeDriver::Shutdown() {
  if (!config_.stop_at_end) return absl::OkStatus();
  const std::vector<std::string> down = {"down"};
  absl::StatusOr<CommandResult> ran = runner_->Run(ComposeSpec(down));
  if (!ran.ok()) return ran.status();
  if (!ran->ok()) {
    return absl::UnavailableError(absl::StrCat("compose: `", ComposeCommandLine(down),
                                               "` failed: ", ran->Describe(), "\n",
                                               LastLines(ran->stderr_tail, kCommandErrorLines)));
  }
  return absl::OkStatus();
}

}  // namespace gop
