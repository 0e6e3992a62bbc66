#include "agent/process_driver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agent/health_probe.h"

namespace gop {
namespace {

// Lines of the target's log attached to a failed start.
constexpr int kFailureLogLines = 40;
// Bound on each health request, so a target that accepts but never answers
// does not eat the whole wait; and the pause between attempts.
constexpr absl::Duration kHealthAttemptTimeout = absl::Seconds(2);
constexpr absl::Duration kHealthInterval = absl::Milliseconds(100);

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// `program` as execvp would find it: itself when it holds a '/', else the
// first executable match in PATH. "" when there is none.
std::string FindProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) return IsExecutableFile(program) ? program : "";
  const char* path = getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path ? path : "/usr/bin:/bin", ':')) {
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", program);
    if (IsExecutableFile(candidate)) return candidate;
  }
  return "";
}

std::string FileSafe(absl::string_view name) {
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    out.push_back(ok ? c : '_');
  }
  return out.empty() ? "target" : out;
}

std::string WithLogTail(const std::string& message, const std::string& log_path,
                        const std::string& tail) {
  if (tail.empty()) return absl::StrCat(message, "\n(target log ", log_path, " is empty)");
  return absl::StrCat(message, "\n--- last lines of ", log_path, " ---\n", tail);
}

}  // namespace

CpuLimiterOptions CpuLimiterOptionsFor(const ProcessTargetSettings& settings) {
  CpuLimiterOptions options;
  options.allow_cgroup2 = settings.cpu_limit == "auto" || settings.cpu_limit == "cgroup2";
  options.allow_cgroup1 = settings.cpu_limit == "auto" || settings.cpu_limit == "cgroup1";
  return options;
}

std::vector<std::string> DefaultTargetCommand(const std::string& agent_exe) {
  std::string exe = agent_exe;
  if (exe.empty()) {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) exe.assign(buf, static_cast<size_t>(n));
  }
  if (!exe.empty()) {
    const std::string dir = Dirname(exe);
    for (const std::string& candidate : {dir + "/minibox", dir + "/../minibox/minibox"}) {
      if (IsExecutableFile(candidate)) return {candidate};
    }
  }
  return {"minibox"};
}

absl::StatusOr<int> PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    close(fd);
    return absl::InternalError(absl::StrCat("bind 127.0.0.1:0: ", strerror(err)));
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

absl::Status ResetTargetData(const std::vector<std::pair<std::string, std::string>>& env) {
  // BOX_DB_* -> libpq keyword; later entries of `env` win.
  const std::pair<const char*, const char*> kMap[] = {{"BOX_DB_HOST", "host"},
                                                      {"BOX_DB_PORT", "port"},
                                                      {"BOX_DB_DATABASE", "dbname"},
                                                      {"BOX_DB_USER", "user"},
                                                      {"BOX_DB_PASSWORD", "password"}};
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& [var, keyword] : kMap) {
    for (auto it = env.rbegin(); it != env.rend(); ++it) {
      if (it->first == var) {
        params.emplace_back(keyword, it->second);
        break;
      }
    }
  }
  params.emplace_back("connect_timeout", "10");
  params.emplace_back("application_name", "gop-agent-reset");
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : params) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/0);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn);
    PQfinish(conn);
    return absl::UnavailableError(
        absl::StrCat("reset_data: cannot connect to the target's database: ",
                     absl::StripTrailingAsciiWhitespace(why)));
  }
  // One TRUNCATE of all tables at once, so foreign keys between them do not
  // get in the way; nothing to do in an empty schema.
  static constexpr char kSql[] = R"sql(
DO $$
DECLARE tables text;
BEGIN
  SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') INTO tables
    FROM pg_tables WHERE schemaname = 'public';
  IF tables IS NOT NULL THEN
    EXECUTE 'TRUNCATE ' || tables || ' RESTART IDENTITY CASCADE';
  END IF;
END $$;
)sql";
  PGresult* res = PQexec(conn, kSql);
  absl::Status status;
  if (PQresultStatus(res) != PGRES_COMMAND_OK) {
    status = absl::InternalError(
        absl::StrCat("reset_data: truncating tables failed: ",
                     absl::StripTrailingAsciiWhitespace(PQresultErrorMessage(res))));
  }
  PQclear(res);
  PQfinish(conn);
  return status;
}

absl::StatusOr<std::unique_ptr<ProcessDriver>> ProcessDriver::Create(ProcessTargetSettings settings,
                                                                     ProcessDriverDeps deps) {
  if (deps.runner == nullptr || deps.cpu_limiter == nullptr) {
    return absl::InvalidArgumentError(
        "process driver: a command runner and a CPU limiter are needed");
  }
  if (settings.command.empty()) {
    settings.command = DefaultTargetCommand();
    if (FindProgram(settings.command[0]).empty()) {
      return absl::InvalidArgumentError(
          "process target: no command configured and no minibox found (looked next to the "
          "agent binary, in ../minibox/ of it, and on PATH); set process.command in "
          "target.yaml");
    }
  } else if (FindProgram(settings.command[0]).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "process target: command \"", settings.command[0], "\" not found or not executable"));
  }
  // Targets of an agent that was killed outright still hold their cgroups
  // (and run): clear them before starting new ones.
  if (absl::StatusOr<int> stale = deps.cpu_limiter->CleanUpStale(); !stale.ok()) {
    std::cerr << "process target: cleaning up stale cgroups: " << stale.status() << std::endl;
  } else if (*stale > 0) {
    std::cerr << "process target: removed " << *stale
              << " cgroup(s) left behind by agents that are gone" << std::endl;
  }
  if (settings.work_dir.empty()) {
    const char* tmp = getenv("TMPDIR");
    std::string templ = absl::StrCat(tmp && *tmp ? tmp : "/tmp", "/gop-process-XXXXXX");
    if (mkdtemp(templ.data()) == nullptr) {
      return absl::InternalError(absl::StrCat("mkdtemp ", templ, ": ", strerror(errno)));
    }
    settings.work_dir = templ;
  } else if (mkdir(settings.work_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::InternalError(
        absl::StrCat("process target: work_dir ", settings.work_dir, ": ", strerror(errno)));
  }
  return std::unique_ptr<ProcessDriver>(new ProcessDriver(std::move(settings), std::move(deps)));
}

ProcessDriver::~ProcessDriver() { Stop().IgnoreError(); }

pid_t ProcessDriver::pid() const { return process_ ? process_->pid() : -1; }

absl::StatusOr<TargetInfo> ProcessDriver::Start(const TargetConfig& config,
                                                absl::Duration health_timeout) {
  if (process_) {
    if (absl::Status s = Stop(); !s.ok()) return s;
  }
  last_cpu_seconds_ = -1;
  if (health_timeout <= absl::ZeroDuration()) health_timeout = settings_.health_timeout;
  const std::string instance = InstanceName(config);

  if (settings_.reset_data || config.reset_data) {
    if (absl::Status s = ResetTargetData(settings_.env); !s.ok()) return s;
  }

  int port = settings_.port;
  if (port == 0) {
    absl::StatusOr<int> free_port = PickFreePort();
    if (!free_port.ok()) return free_port.status();
    port = *free_port;
  }

  absl::StatusOr<std::unique_ptr<CpuLimit>> limit = deps_.cpu_limiter->Limit(
      config.cpu_limit, settings_.pin_to_agent_cpus ? deps_.cpu_set : std::vector<int>{},
      config.cell_id.empty() ? instance : config.cell_id);
  if (!limit.ok()) return limit.status();
  if (settings_.cpu_limit != "auto" && config.cpu_limit > 0 &&
      (*limit)->mechanism() != settings_.cpu_limit) {
    std::vector<std::string> warnings = (*limit)->warnings();
    return absl::FailedPreconditionError(absl::StrCat(
        "process target: cpu_limit is \"", settings_.cpu_limit, "\" but only \"",
        (*limit)->mechanism(), "\" is possible here: ", absl::StrJoin(warnings, "; ")));
  }
  limit_ = *std::move(limit);

  log_path_ = absl::StrCat(settings_.work_dir, "/",
                           FileSafe(config.cell_id.empty() ? instance : config.cell_id), ".log");
  unlink(log_path_.c_str());  // a retried cell starts a fresh log

  CommandSpec spec;
  spec.argv = settings_.command;
  spec.env = settings_.env;
  spec.env.emplace_back("BOX_WEB_THREAD", absl::StrCat(config.web_threads));
  spec.env.emplace_back("BOX_DB_POOL_MAXIMUM_POOL_SIZE", absl::StrCat(config.db_pool));
  spec.env.emplace_back("BOX_INSTANCE_NAME", instance);
  spec.env.emplace_back("BOX_WEB_PORT", absl::StrCat(port));
  spec.working_dir = settings_.working_dir;
  spec.output_path = log_path_;
  spec.die_with_parent = true;  // a killed agent leaves no target running
  spec.new_process_group = true;
  limit_->ApplyTo(&spec);

  absl::StatusOr<std::unique_ptr<BackgroundProcess>> process = deps_.runner->StartBackground(spec);
  if (!process.ok()) {
    limit_->Release().IgnoreError();
    limit_.reset();
    return absl::Status(process.status().code(),
                        absl::StrCat("process target: starting ", settings_.command[0], ": ",
                                     process.status().message()));
  }
  process_ = *std::move(process);
  if (absl::Status s = limit_->Attach(process_->pid()); !s.ok()) return FailStart(s);

  const std::string host_port = absl::StrCat("http://", settings_.host, ":", port);
  if (absl::Status s = WaitHealthy(host_port + settings_.health_path, health_timeout); !s.ok()) {
    return FailStart(s);
  }

  TargetInfo info;
  info.base_url = host_port + settings_.base_path;
  info.auth = settings_.auth;
  info.cpu_limit_mechanism = limit_->mechanism();
  info.warnings = limit_->warnings();
  return info;
}

absl::Status ProcessDriver::WaitHealthy(const std::string& url, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  int attempts = 0;
  std::string last_error = "no attempt made";
  while (true) {
    if (!process_->Running()) {
      absl::StatusOr<CommandResult> ended = process_->Wait(absl::ZeroDuration());
      return absl::UnavailableError(absl::StrCat(
          "target exited before it became healthy (",
          ended.ok() ? ended->Describe() : std::string(ended.status().message()), ")"));
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) break;
    ++attempts;
    absl::StatusOr<int> code = HttpGetStatus(url, std::min(left, kHealthAttemptTimeout));
    if (code.ok() && *code == 200) return absl::OkStatus();
    last_error = code.ok() ? absl::StrCat("HTTP ", *code) : std::string(code.status().message());
    absl::SleepFor(
        std::min(kHealthInterval, std::max(deadline - absl::Now(), absl::ZeroDuration())));
  }
  return absl::DeadlineExceededError(absl::StrCat("target not healthy at ", url, " after ",
                                                  absl::FormatDuration(timeout), " (", attempts,
                                                  " attempts; last: ", last_error, ")"));
}

absl::Status ProcessDriver::FailStart(absl::Status why) {
  absl::Status stopped = Stop();
  std::string message = std::string(why.message());
  if (!stopped.ok()) absl::StrAppend(&message, " (and stopping it: ", stopped.message(), ")");
  return absl::Status(why.code(),
                      WithLogTail(message, log_path_, FileTail(log_path_, kFailureLogLines)));
}

absl::StatusOr<double> ProcessDriver::CpuSecondsUsed() {
  if (limit_) {
    absl::StatusOr<double> used = limit_->CpuSecondsUsed();
    if (used.ok()) last_cpu_seconds_ = *used;
    return used;
  }
  if (last_cpu_seconds_ >= 0) return last_cpu_seconds_;
  return absl::FailedPreconditionError("no target started");
}

std::string ProcessDriver::LogTail(int max_lines) {
  if (log_path_.empty()) return "";
  return FileTail(log_path_, max_lines);
}

absl::Status ProcessDriver::Stop() {
  absl::Status status;
  if (process_) {
    // /proc accounting (no cgroup) ends with the process: read it first.
    if (limit_) {
      if (absl::StatusOr<double> used = limit_->CpuSecondsUsed(); used.ok()) {
        last_cpu_seconds_ = *used;
      }
    }
    absl::StatusOr<CommandResult> ended = process_->Stop(settings_.stop_grace);
    if (!ended.ok()) status.Update(ended.status());
    process_.reset();
  }
  if (limit_) {
    // The cgroup still counts the reaped target's time until it is removed.
    if (absl::StatusOr<double> used = limit_->CpuSecondsUsed(); used.ok()) {
      last_cpu_seconds_ = *used;
    }
    status.Update(limit_->Release());
    limit_.reset();
  }
  return status;
}

}  // namespace gop
