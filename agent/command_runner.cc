#include "agent/command_runner.h"

#include <sys/prctl.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

extern char** environ;

namespace gop {
namespace {

// Everything the child needs, built before fork: between fork and exec the
// child may only make async-signal-safe calls, so no allocation there.
struct PreparedExec {
  std::string program;  // resolved path
  std::vector<std::string> argv_storage;
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::string working_dir;
  bool use_affinity = false;
  cpu_set_t affinity;
  std::string cgroup_procs;
  bool new_process_group = true;
  bool die_with_parent = false;
  pid_t parent = 0;
};

// What the child reports through the close-on-exec pipe when it fails
// before exec.
struct ChildFailure {
  int stage;  // index into kStageNames
  int err;
};
constexpr const char* kStageNames[] = {"dup2", "chdir", "sched_setaffinity",
                                       "join cgroup", "execve"};

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         access(path.c_str(), X_OK) == 0;
}

absl::StatusOr<PreparedExec> Prepare(const CommandSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) {
    return absl::InvalidArgumentError("command: empty argv");
  }
  PreparedExec p;
  // Environment, keeping the parent's order so children see a stable env.
  std::vector<std::pair<std::string, std::string>> env;
  if (!spec.clear_env) {
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      std::string_view kv(*e);
      size_t eq = kv.find('=');
      if (eq == std::string_view::npos) continue;
      env.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    }
  }
  auto erase_key = [&env](const std::string& key) {
    env.erase(std::remove_if(env.begin(), env.end(),
                             [&](const auto& kv) { return kv.first == key; }),
              env.end());
  };
  for (const auto& key : spec.unset_env) erase_key(key);
  for (const auto& [key, value] : spec.env) {
    erase_key(key);
    env.emplace_back(key, value);
  }
  std::string path_var;
  for (const auto& [key, value] : env) {
    p.env_storage.push_back(absl::StrCat(key, "=", value));
    if (key == "PATH") path_var = value;
  }

  // Resolve argv[0] against the child's PATH, as execvp would against ours.
  const std::string& name = spec.argv[0];
  if (name.find('/') != std::string::npos) {
    p.program = name;
    if (!IsExecutableFile(p.program)) {
      return absl::NotFoundError(absl::StrCat("command: '", name, "' is not an executable file"));
    }
  } else {
    if (path_var.empty()) path_var = "/usr/local/bin:/usr/bin:/bin";
    for (absl::string_view dir : absl::StrSplit(path_var, ':')) {
      std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", name);
      if (IsExecutableFile(candidate)) {
        p.program = candidate;
        break;
      }
    }
    if (p.program.empty()) {
      return absl::NotFoundError(
          absl::StrCat("command: '", name, "' not found in PATH (", path_var, ")"));
    }
  }

  p.argv_storage = spec.argv;
  for (auto& a : p.argv_storage) p.argv.push_back(a.data());
  p.argv.push_back(nullptr);
  for (auto& e : p.env_storage) p.envp.push_back(e.data());
  p.envp.push_back(nullptr);
  p.working_dir = spec.working_dir;
  if (!spec.cpu_affinity.empty()) {
    p.use_affinity = true;
    CPU_ZERO(&p.affinity);
    for (int cpu : spec.cpu_affinity) {
      if (cpu < 0 || cpu >= CPU_SETSIZE) {
        return absl::InvalidArgumentError(absl::StrCat("command: bad CPU id ", cpu));
      }
      CPU_SET(cpu, &p.affinity);
    }
  }
  p.cgroup_procs = spec.join_cgroup_procs;
  p.new_process_group = spec.new_process_group;
  p.die_with_parent = spec.die_with_parent;
  p.parent = getpid();
  return p;
}

[[noreturn]] void ChildFail(int report_fd, int stage) {
  ChildFailure f{stage, errno};
  ssize_t ignored = write(report_fd, &f, sizeof f);
  (void)ignored;
  _exit(127);
}

// In the child, after fork: async-signal-safe calls only.
[[noreturn]] void ExecChild(const PreparedExec& p, int in_fd, int out_fd, int err_fd,
                            int report_fd) {
  if (p.new_process_group) setpgid(0, 0);
  if (p.die_with_parent) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != p.parent) _exit(127);  // the parent died before prctl
  }
  // Signal dispositions set to "ignore" and the signal mask survive exec;
  // start the child clean whatever the agent did with them.
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, nullptr);
  }
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);

  if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) ChildFail(report_fd, 0);
  if (!p.working_dir.empty() && chdir(p.working_dir.c_str()) != 0) ChildFail(report_fd, 1);
  if (p.use_affinity && sched_setaffinity(0, sizeof p.affinity, &p.affinity) != 0) {
    ChildFail(report_fd, 2);
  }
  if (!p.cgroup_procs.empty()) {
    int fd = open(p.cgroup_procs.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0\n", 2) != 2) ChildFail(report_fd, 3);
    close(fd);
  }
  execve(p.program.c_str(), p.argv.data(), p.envp.data());
  ChildFail(report_fd, 4);
}

// Forks and execs; `out_fd`/`err_fd` become the child's stdout/stderr. Returns
// only after the child has exec'd (or reports why it could not).
absl::StatusOr<pid_t> Spawn(const PreparedExec& p, int out_fd, int err_fd) {
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0) return absl::InternalError(absl::StrCat("open /dev/null: ", strerror(errno)));
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    close(devnull);
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(devnull);
    close(report[0]);
    close(report[1]);
    return absl::InternalError(absl::StrCat("fork: ", strerror(err)));
  }
  if (pid == 0) {
    close(report[0]);
    ExecChild(p, devnull, out_fd, err_fd, report[1]);
  }
  // Also set the group from the parent: whichever runs first, the group
  // exists before anyone signals it.
  if (p.new_process_group) setpgid(pid, pid);
  close(devnull);
  close(report[1]);
  ChildFailure failure;
  ssize_t n;
  do {
    n = read(report[0], &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == static_cast<ssize_t>(sizeof failure)) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return absl::InternalError(absl::StrCat("command '", p.program, "': ",
                                            kStageNames[failure.stage], ": ",
                                            strerror(failure.err)));
  }
  return pid;
}

// A wait status no kernel produces: the child was reaped by someone else and
// how it ended is unknown (exit_code stays -1).
constexpr int kStatusUnknown = -1;

void FillExit(int status, CommandResult& r) {
  if (status == kStatusUnknown) return;
  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
    r.term_signal = 0;
  } else if (WIFSIGNALED(status)) {
    r.term_signal = WTERMSIG(status);
  }
}

// Polls for the child's exit until `deadline`; true and `status` set when it
// has been reaped.
bool WaitUntil(pid_t pid, absl::Time deadline, int& status) {
  absl::Duration nap = absl::Milliseconds(1);
  while (true) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) {
      status = kStatusUnknown;  // reaped elsewhere (SIGCHLD ignored)
      return true;
    }
    absl::Time now = absl::Now();
    if (now >= deadline) return false;
    absl::SleepFor(std::min(nap, deadline - now));
    nap = std::min(nap * 2, absl::Milliseconds(50));
  }
}

void SignalChild(pid_t pid, bool group, int sig) { kill(group ? -pid : pid, sig); }

// Keeps the last `limit` bytes of a stream without re-copying on every read.
void AppendTail(std::string& buf, const char* data, size_t n, size_t limit) {
  buf.append(data, n);
  if (buf.size() > 2 * limit + 4096) buf.erase(0, buf.size() - limit);
}

class PosixBackgroundProcess : public BackgroundProcess {
 public:
  PosixBackgroundProcess(pid_t pid, bool group) : pid_(pid), group_(group) {}
  ~PosixBackgroundProcess() override {
    if (!result_) (void)Stop(absl::Seconds(5));
  }

  pid_t pid() const override { return pid_; }

  bool Running() override {
    if (result_) return false;
    int status;
    if (WaitUntil(pid_, absl::InfinitePast(), status)) {
      Reaped(status);
      return false;
    }
    return true;
  }

  absl::StatusOr<CommandResult> Wait(absl::Duration timeout) override {
    if (result_) return *result_;
    int status;
    if (!WaitUntil(pid_, absl::Now() + timeout, status)) {
      return absl::DeadlineExceededError(
          absl::StrCat("process ", pid_, " still running after ", absl::FormatDuration(timeout)));
    }
    Reaped(status);
    return *result_;
  }

  absl::StatusOr<CommandResult> Stop(absl::Duration grace) override {
    if (result_ || !Running()) return *result_;
    SignalChild(pid_, group_, SIGTERM);
    int status;
    if (!WaitUntil(pid_, absl::Now() + grace, status)) {
      SignalChild(pid_, group_, SIGKILL);
      if (!WaitUntil(pid_, absl::InfiniteFuture(), status)) {
        return absl::InternalError(absl::StrCat("process ", pid_, " survived SIGKILL"));
      }
    }
    Reaped(status);
    return *result_;
  }

 private:
  void Reaped(int status) {
    result_.emplace();
    FillExit(status, *result_);
  }

  const pid_t pid_;
  const bool group_;
  std::optional<CommandResult> result_;
};

}  // namespace

std::string CommandResult::Describe() const {
  std::string how = term_signal != 0 ? absl::StrCat("killed by signal ", term_signal)
                                     : absl::StrCat("exit code ", exit_code);
  if (timed_out) return absl::StrCat("timed out (", how, ")");
  return how;
}

absl::StatusOr<CommandResult> PosixCommandRunner::Run(const CommandSpec& spec) {
  absl::StatusOr<PreparedExec> prepared = Prepare(spec);
  if (!prepared.ok()) return prepared.status();
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  absl::StatusOr<pid_t> pid = Spawn(*prepared, out[1], err[1]);
  close(out[1]);
  close(err[1]);
  if (!pid.ok()) {
    close(out[0]);
    close(err[0]);
    return pid.status();
  }

  CommandResult result;
  std::string* sinks[2] = {&result.stdout_tail, &result.stderr_tail};
  int fds[2] = {out[0], err[0]};
  for (int fd : fds) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  const absl::Time deadline = absl::Now() + spec.timeout;
  absl::Time kill_at = absl::InfiniteFuture();
  bool exited = false;
  bool reaped_elsewhere = false;
  int status = 0;
  char buf[16384];

  auto drain = [&](int i) {
    while (fds[i] >= 0) {
      ssize_t n = read(fds[i], buf, sizeof buf);
      if (n > 0) {
        AppendTail(*sinks[i], buf, static_cast<size_t>(n), spec.output_tail_bytes);
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(fds[i]);
        fds[i] = -1;
      } else if (errno == EAGAIN) {
        return;
      }
    }
  };

  while (!exited && !reaped_elsewhere) {
    pollfd pfds[2];
    int npfds = 0;
    for (int i = 0; i < 2; ++i) {
      if (fds[i] >= 0) pfds[npfds++] = {fds[i], POLLIN, 0};
    }
    // Short polls: the child's exit is noticed through waitpid, since a
    // grandchild may keep the pipes open long after the child is gone.
    if (npfds > 0) {
      poll(pfds, npfds, 20);
    } else {
      absl::SleepFor(absl::Milliseconds(5));
    }
    for (int i = 0; i < 2; ++i) drain(i);
    pid_t waited = waitpid(*pid, &status, WNOHANG);
    if (waited == *pid) {
      exited = true;
      break;
    }
    if (waited < 0 && errno == ECHILD) {  // reaped behind our back (SIGCHLD ignored)
      reaped_elsewhere = true;
      break;
    }
    absl::Time now = absl::Now();
    if (!result.timed_out && now >= deadline) {
      result.timed_out = true;
      SignalChild(*pid, spec.new_process_group, SIGTERM);
      kill_at = now + spec.kill_grace;
    } else if (result.timed_out && now >= kill_at) {
      SignalChild(*pid, spec.new_process_group, SIGKILL);
      kill_at = absl::InfiniteFuture();
    }
  }
  for (int i = 0; i < 2; ++i) {
    drain(i);
    if (fds[i] >= 0) close(fds[i]);
  }
  FillExit(reaped_elsewhere ? kStatusUnknown : status, result);
  for (std::string* s : sinks) {
    if (s->size() > spec.output_tail_bytes) s->erase(0, s->size() - spec.output_tail_bytes);
  }
  return result;
}

absl::StatusOr<std::unique_ptr<BackgroundProcess>> PosixCommandRunner::StartBackground(
    const CommandSpec& spec) {
  absl::StatusOr<PreparedExec> prepared = Prepare(spec);
  if (!prepared.ok()) return prepared.status();
  const std::string out_path = spec.output_path.empty() ? "/dev/null" : spec.output_path;
  int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) {
    return absl::InternalError(absl::StrCat("open ", out_path, ": ", strerror(errno)));
  }
  absl::StatusOr<pid_t> pid = Spawn(*prepared, out, out);
  close(out);
  if (!pid.ok()) return pid.status();
  return std::make_unique<PosixBackgroundProcess>(*pid, spec.new_process_group);
}

std::string LastLines(const std::string& text, int max_lines) {
  if (max_lines <= 0 || text.empty()) return "";
  size_t end = text.size();
  if (text[end - 1] == '\n') --end;
  size_t pos = end;
  int lines = 0;
  while (pos > 0) {
    if (text[pos - 1] == '\n' && ++lines == max_lines) break;
    --pos;
  }
  return text.substr(pos);
}

std::string FileTail(const std::string& path, int max_lines, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  std::streamoff size = in.tellg();
  std::streamoff start = size > static_cast<std::streamoff>(max_bytes)
                             ? size - static_cast<std::streamoff>(max_bytes)
                             : 0;
  in.seekg(start);
  std::string data(static_cast<size_t>(size - start), '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  return LastLines(data, max_lines);
}

}  // namespace gop
