#include "tests/support/minibox_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/support/http_client.h"

extern char** environ;

namespace gop::testing {
namespace {

constexpr char kReadyPrefix[] = "minibox listening on http://127.0.0.1:";

// fork + execv with `env`; the child's stdout and stderr go to a pipe whose read end
// is returned in *out_fd.
absl::StatusOr<pid_t> Spawn(const std::string& binary,
                            const std::map<std::string, std::string>& env, int* out_fd,
                            bool merge_stderr) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::InternalError("pipe failed");
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string bin = binary;
  char* argv[] = {bin.data(), nullptr};
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    if (merge_stderr) dup2(fds[1], STDERR_FILENO);
    execve(bin.c_str(), argv, envp.data());
    _exit(127);
  }
  close(fds[1]);
  *out_fd = fds[0];
  return pid;
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits for `pid` up to `timeout`; returns the decoded exit code or nullopt.
std::optional<int> WaitFor(pid_t pid, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return DecodeWaitStatus(status);
    if (r < 0) return -1;
    if (absl::Now() > deadline) return std::nullopt;
    usleep(10000);
  }
}

std::map<std::string, std::string> BaseEnv() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq == std::string::npos) continue;
    std::string key = kv.substr(0, eq);
    if (key.rfind("BOX_", 0) == 0) continue;  // never leak the caller's settings
    env[key] = kv.substr(eq + 1);
  }
  return env;
}

}  // namespace

std::string MiniboxProcess::DefaultBinary() {
  const char* dir = std::getenv("GOP_BINARY_DIR");
  return absl::StrCat(dir != nullptr ? dir : GOP_BINARY_DIR, "/minibox/minibox");
}

std::string MiniboxProcess::base_url() const {
  return absl::StrCat("http://127.0.0.1:", port_);
}

absl::StatusOr<std::unique_ptr<MiniboxProcess>> MiniboxProcess::Start(
    const MiniboxProcessOptions& options) {
  std::map<std::string, std::string> env = BaseEnv();
  env["BOX_DB_HOST"] = options.db.host;
  env["BOX_DB_PORT"] = std::to_string(options.db.port);
  env["BOX_DB_DATABASE"] = options.db.dbname;
  env["BOX_DB_USER"] = options.db.user;
  env["BOX_WEB_THREAD"] = std::to_string(options.web_threads);
  env["BOX_DB_POOL_MAXIMUM_POOL_SIZE"] = std::to_string(options.pool_size);
  env["BOX_DB_POOL_CONNECTION_TIMEOUT"] = std::to_string(options.pool_timeout_ms);
  env["BOX_WEB_PORT"] = std::to_string(options.port);
  for (const auto& [k, v] : options.extra_env) env[k] = v;

  std::string binary = options.binary.empty() ? DefaultBinary() : options.binary;
  std::unique_ptr<MiniboxProcess> proc(new MiniboxProcess());
  absl::StatusOr<pid_t> pid = Spawn(binary, env, &proc->stdout_fd_, /*merge_stderr=*/false);
  if (!pid.ok()) return pid.status();
  proc->pid_ = *pid;

  // Read stdout until the ready line; echo everything to our stderr.
  absl::Time deadline = absl::Now() + options.startup_timeout;
  std::string pending;
  while (proc->port_ == 0) {
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(binary, " did not get ready in ",
                                                      absl::FormatDuration(options.startup_timeout)));
    }
    pollfd pfd{proc->stdout_fd_, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = read(proc->stdout_fd_, buf, sizeof buf);
    if (n <= 0) {
      std::optional<int> code = WaitFor(proc->pid_, absl::Seconds(5));
      proc->pid_ = -1;
      return absl::FailedPreconditionError(
          absl::StrCat(binary, " exited before getting ready, exit code ",
                       code.has_value() ? *code : -1));
    }
    (void)!write(STDERR_FILENO, buf, n);
    pending.append(buf, n);
    size_t pos = pending.find(kReadyPrefix);
    if (pos != std::string::npos) {
      size_t end = pending.find('\n', pos);
      if (end == std::string::npos) continue;
      std::string digits = pending.substr(pos + strlen(kReadyPrefix),
                                          end - pos - strlen(kReadyPrefix));
      int port = 0;
      if (!absl::SimpleAtoi(digits, &port) || port <= 0) {
        return absl::InternalError(absl::StrCat("bad ready line: ", pending));
      }
      proc->port_ = port;
    }
  }
  int fd = proc->stdout_fd_;
  proc->drainer_ = std::thread([fd] {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) (void)!write(STDERR_FILENO, buf, n);
  });

  HttpClient client("127.0.0.1", proc->port_, absl::Seconds(5));
  for (;;) {
    absl::StatusOr<HttpResponse> r = client.Get("/health");
    if (r.ok() && r->status == 200) break;
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError("minibox /health did not answer 200");
    }
    usleep(20000);
  }
  return proc;
}

absl::StatusOr<int> MiniboxProcess::Stop(absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  kill(pid_, SIGTERM);
  std::optional<int> code = WaitFor(pid_, timeout);
  if (!code.has_value()) {
    kill(pid_, SIGKILL);
    WaitFor(pid_, absl::Seconds(10));
    pid_ = -1;
    return absl::DeadlineExceededError("minibox did not exit after SIGTERM; killed");
  }
  pid_ = -1;
  return *code;
}

MiniboxProcess::~MiniboxProcess() {
  if (pid_ > 0) Stop().IgnoreError();
  if (drainer_.joinable()) drainer_.join();
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

absl::StatusOr<ProcessOutcome> RunMiniboxToExit(const std::map<std::string, std::string>& env,
                                                absl::Duration timeout) {
  std::map<std::string, std::string> full = env;
  if (const char* path = std::getenv("PATH")) full.emplace("PATH", path);
  int fd = -1;
  absl::StatusOr<pid_t> pid = Spawn(MiniboxProcess::DefaultBinary(), full, &fd, true);
  if (!pid.ok()) return pid.status();
  ProcessOutcome out;
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    pollfd pfd{fd, POLLIN, 0};
    if (absl::Now() > deadline) break;
    if (poll(&pfd, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.output.append(buf, n);
  }
  close(fd);
  std::optional<int> code = WaitFor(*pid, absl::Seconds(1));
  if (!code.has_value()) {
    kill(*pid, SIGKILL);
    WaitFor(*pid, absl::Seconds(10));
    return absl::DeadlineExceededError(absl::StrCat("minibox did not exit; output: ",
                                                    out.output));
  }
  out.exit_code = *code;
  return out;
}

}  // namespace gop::testing
