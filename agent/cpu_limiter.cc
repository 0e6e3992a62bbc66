#include "agent/cpu_limiter.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace gop {
namespace {

std::string ErrnoText(int err) { return strerror(err); }

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// One write() of `value`, as cgroupfs wants it: the kernel reports a refused
// value as the write's error, not the open's. Opened as a shell's `>` would
// (the kernel creates interface files itself; a fake tree in tests needs
// O_CREAT).
absl::Status WriteFile(const std::string& path, absl::string_view value) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::PermissionDeniedError(absl::StrCat("open ", path, ": ", ErrnoText(errno)));
  }
  ssize_t n = write(fd, value.data(), value.size());
  int err = errno;
  close(fd);
  if (n != static_cast<ssize_t>(value.size())) {
    return absl::PermissionDeniedError(
        absl::StrCat("write \"", value, "\" to ", path, ": ", n < 0 ? ErrnoText(err) : "short"));
  }
  return absl::OkStatus();
}

absl::Status MakeDir(const std::string& path, bool exist_ok) {
  if (mkdir(path.c_str(), 0755) == 0) return absl::OkStatus();
  if (errno == EEXIST && exist_ok) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("mkdir ", path, ": ", ErrnoText(errno)));
}

// rmdir, retried briefly: right after the last process is reaped the kernel
// may still count it for a moment.
absl::Status RemoveDir(const std::string& path) {
  for (int attempt = 0;; ++attempt) {
    if (rmdir(path.c_str()) == 0 || errno == ENOENT) return absl::OkStatus();
    if (errno != EBUSY || attempt >= 100) {
      return absl::InternalError(absl::StrCat("rmdir ", path, ": ", ErrnoText(errno)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// "key value" lines (cpu.stat) into a lookup.
bool StatValue(const std::string& text, absl::string_view key, int64_t* out) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(line, absl::MaxSplits(' ', 1));
    if (kv.first == key) return absl::SimpleAtoi(absl::StripAsciiWhitespace(kv.second), out);
  }
  return false;
}

// Mount points in mountinfo escape blanks and backslashes as \ooo.
std::string UnescapeMountField(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
      out.push_back(static_cast<char>(v));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool ListContains(absl::string_view list, absl::string_view item, char sep) {
  for (absl::string_view e : absl::StrSplit(list, sep)) {
    if (e == item) return true;
  }
  return false;
}

std::string SanitizeName(absl::string_view name) {
  std::string out;
  for (char c : name.substr(0, 120)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || out[0] == '.') out.insert(out.begin(), 't');
  return out;
}

// SIGKILL to every process in a cgroup: descendants a target left behind
// after it was reaped (a daemonized child, a shell's background job) would
// keep the cgroup alive.
void KillMembers(const std::string& dir) {
  absl::StatusOr<std::string> procs = ReadFile(dir + "/cgroup.procs");
  if (!procs.ok()) return;
  for (absl::string_view line : absl::StrSplit(*procs, '\n', absl::SkipEmpty())) {
    int pid = 0;
    if (absl::SimpleAtoi(line, &pid) && pid > 0) kill(pid, SIGKILL);
  }
}

// utime + stime + cutime + cstime of a live process, in seconds.
absl::StatusOr<double> ProcCpuSeconds(pid_t pid) {
  if (pid <= 0) return absl::FailedPreconditionError("no target process attached");
  absl::StatusOr<std::string> stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  if (!stat.ok()) {
    return absl::UnavailableError(
        absl::StrCat("process ", pid, " is gone: ", stat.status().message()));
  }
  // The command name (field 2) may hold blanks and parentheses: fields are
  // counted from the last ')'.
  size_t close = stat->rfind(')');
  if (close == std::string::npos) return absl::InternalError("unparsable /proc stat");
  std::vector<absl::string_view> f =
      absl::StrSplit(absl::string_view(*stat).substr(close + 1), ' ', absl::SkipEmpty());
  // f[0] is field 3 (state); utime..cstime are fields 14..17.
  if (f.size() < 15) return absl::InternalError("short /proc stat");
  int64_t total = 0;
  for (int i = 11; i <= 14; ++i) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(f[i], &v)) return absl::InternalError("bad /proc stat field");
    total += v;
  }
  return static_cast<double>(total) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A limit the kernel enforces through a cgroup (v1 or v2). With cpus <= 0
// the cgroup has no quota and serves accounting only ("none").
class CgroupCpuLimit : public CpuLimit {
 public:
  CgroupCpuLimit(std::string mechanism, bool v2, std::string dir, std::string acct_dir,
                 std::vector<int> affinity, std::vector<std::string> warnings)
      : mechanism_(std::move(mechanism)),
        v2_(v2),
        dir_(std::move(dir)),
        acct_dir_(std::move(acct_dir)),
        affinity_(std::move(affinity)),
        warnings_(std::move(warnings)) {}
  ~CgroupCpuLimit() override { Release().IgnoreError(); }

  std::string mechanism() const override { return mechanism_; }
  std::vector<std::string> warnings() const override { return warnings_; }

  void ApplyTo(CommandSpec* spec) const override {
    spec->join_cgroup_procs = dir_ + "/cgroup.procs";
    spec->cpu_affinity = affinity_;
  }

  absl::Status Attach(pid_t pid) override {
    pid_ = pid;
    if (!acct_dir_.empty() && acct_dir_ != dir_) {
      absl::Status s = WriteFile(acct_dir_ + "/cgroup.procs", absl::StrCat(pid));
      if (!s.ok()) {
        // Accounting then comes from /proc; the limit itself holds.
        warnings_.push_back(absl::StrCat("cpuacct: ", s.message(), "; CPU time read from /proc"));
        RemoveDir(acct_dir_).IgnoreError();
        acct_dir_.clear();
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<double> CpuSecondsUsed() override {
    if (v2_) {
      absl::StatusOr<std::string> stat = ReadFile(dir_ + "/cpu.stat");
      int64_t usec = 0;
      if (!stat.ok() || !StatValue(*stat, "usage_usec", &usec)) {
        return absl::UnavailableError(absl::StrCat("no usage_usec in ", dir_, "/cpu.stat"));
      }
      return usec / 1e6;
    }
    if (!acct_dir_.empty()) {
      absl::StatusOr<std::string> usage = ReadFile(acct_dir_ + "/cpuacct.usage");
      int64_t ns = 0;
      if (!usage.ok() || !absl::SimpleAtoi(absl::StripAsciiWhitespace(*usage), &ns)) {
        return absl::UnavailableError(absl::StrCat("cannot read ", acct_dir_, "/cpuacct.usage"));
      }
      return ns / 1e9;
    }
    return ProcCpuSeconds(pid_);
  }

  absl::StatusOr<CpuThrottling> Throttling() const override {
    absl::StatusOr<std::string> stat = ReadFile(dir_ + "/cpu.stat");
    if (!stat.ok()) return stat.status();
    CpuThrottling t;
    int64_t throttled = 0;
    bool ok = StatValue(*stat, "nr_periods", &t.periods) &&
              StatValue(*stat, "nr_throttled", &t.throttled_periods);
    if (v2_) {
      ok = ok && StatValue(*stat, "throttled_usec", &throttled);
      t.throttled_seconds = throttled / 1e6;
    } else {
      ok = ok && StatValue(*stat, "throttled_time", &throttled);
      t.throttled_seconds = throttled / 1e9;
    }
    if (!ok)
      return absl::UnavailableError(absl::StrCat("no throttling counters in ", dir_, "/cpu.stat"));
    return t;
  }

  std::string cgroup_dir() const override { return dir_; }

  absl::Status Release() override {
    absl::Status status;
    // Whatever still runs in the limit's cgroup goes first (it is in the
    // cpuacct one too), then both directories.
    if (rmdir(dir_.c_str()) != 0 && errno == EBUSY) KillMembers(dir_);
    if (!acct_dir_.empty() && acct_dir_ != dir_) status.Update(RemoveDir(acct_dir_));
    acct_dir_.clear();
    status.Update(RemoveDir(dir_));
    return status;
  }

 private:
  const std::string mechanism_;
  const bool v2_;
  const std::string dir_;
  std::string acct_dir_;  // v1 cpuacct child ("" = none; == dir_ when co-mounted)
  const std::vector<int> affinity_;
  std::vector<std::string> warnings_;
  pid_t pid_ = -1;
};

// No cgroup: the target only runs on a subset of CPUs ("affinity"), or on
// the agent's CPUs with no limit at all ("none").
class AffinityCpuLimit : public CpuLimit {
 public:
  AffinityCpuLimit(std::string mechanism, std::vector<int> cpus, std::vector<std::string> warnings)
      : mechanism_(std::move(mechanism)), cpus_(std::move(cpus)), warnings_(std::move(warnings)) {}

  std::string mechanism() const override { return mechanism_; }
  std::vector<std::string> warnings() const override { return warnings_; }
  void ApplyTo(CommandSpec* spec) const override {
    spec->join_cgroup_procs.clear();
    spec->cpu_affinity = cpus_;
  }
  absl::Status Attach(pid_t pid) override {
    pid_ = pid;
    return absl::OkStatus();
  }
  // /proc accounting ends with the process: the last figure read is kept.
  absl::StatusOr<double> CpuSecondsUsed() override {
    absl::StatusOr<double> s = ProcCpuSeconds(pid_);
    if (s.ok()) {
      last_ = *s;
      return s;
    }
    if (last_ >= 0) return last_;
    return s.status();
  }
  absl::StatusOr<CpuThrottling> Throttling() const override {
    return absl::UnavailableError("no cgroup: CPU affinity does not throttle");
  }
  std::string cgroup_dir() const override { return ""; }
  absl::Status Release() override { return absl::OkStatus(); }

 private:
  const std::string mechanism_;
  const std::vector<int> cpus_;
  const std::vector<std::string> warnings_;
  pid_t pid_ = -1;
  double last_ = -1;
};

std::atomic<int64_t> g_sequence{0};

std::string FormatCpus(double cpus) { return absl::StrCat(cpus); }

}  // namespace

std::vector<int> CurrentCpuSet() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) {
    for (long i = 0; i < sysconf(_SC_NPROCESSORS_ONLN); ++i) cpus.push_back(static_cast<int>(i));
    return cpus;
  }
  for (int i = 0; i < CPU_SETSIZE; ++i) {
    if (CPU_ISSET(i, &set)) cpus.push_back(i);
  }
  return cpus;
}

absl::StatusOr<std::string> OwnCgroupDir(const std::string& mountinfo_path,
                                         const std::string& self_cgroup_path,
                                         absl::string_view controller) {
  absl::StatusOr<std::string> mountinfo = ReadFile(mountinfo_path);
  if (!mountinfo.ok()) return mountinfo.status();
  std::string mount_point, mount_root;
  for (absl::string_view line : absl::StrSplit(*mountinfo, '\n', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> halves =
        absl::StrSplit(line, absl::MaxSplits(" - ", 1));
    std::vector<absl::string_view> left = absl::StrSplit(halves.first, ' ');
    std::vector<absl::string_view> right = absl::StrSplit(halves.second, ' ');
    if (left.size() < 5 || right.size() < 3) continue;
    bool match = controller.empty()
                     ? right[0] == "cgroup2"
                     : right[0] == "cgroup" && ListContains(right[2], controller, ',');
    if (match) {
      mount_root = UnescapeMountField(left[3]);
      mount_point = UnescapeMountField(left[4]);
      break;
    }
  }
  if (mount_point.empty()) {
    return absl::NotFoundError(
        controller.empty()
            ? std::string("no cgroup2 hierarchy mounted")
            : absl::StrCat("no cgroup v1 hierarchy with controller ", controller, " mounted"));
  }
  // The process's own path in that hierarchy (relative to the hierarchy's
  // root, which the mount may show only a part of).
  std::string own_path = "/";
  if (absl::StatusOr<std::string> self = ReadFile(self_cgroup_path); self.ok()) {
    for (absl::string_view line : absl::StrSplit(*self, '\n', absl::SkipEmpty())) {
      std::vector<absl::string_view> f = absl::StrSplit(line, absl::MaxSplits(':', 2));
      if (f.size() != 3) continue;
      bool match =
          controller.empty() ? (f[0] == "0" && f[1].empty()) : ListContains(f[1], controller, ',');
      if (match) {
        own_path = std::string(f[2]);
        break;
      }
    }
  }
  std::string relative = own_path;
  if (mount_root != "/" && absl::StartsWith(own_path, mount_root)) {
    relative = own_path.substr(mount_root.size());
  } else if (mount_root != "/") {
    relative = "/";  // outside the visible part (a cgroup namespace): use the mount's root
  }
  std::string dir = mount_point;
  if (!relative.empty() && relative != "/") {
    if (dir.back() == '/') dir.pop_back();
    dir += relative;
  }
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

SystemCpuLimiter::SystemCpuLimiter(CpuLimiterOptions options) : options_(std::move(options)) {}

namespace {

// Scheduling weights, in multiples of one busy thread's. A cgroup competes
// with its siblings as one entity: at the default weight the whole gop
// parent would weigh like a single thread of the agent (load generator) or
// of anything else on the host, and a target could not reach a quota above
// one CPU on a busy machine. So the parent weighs like all the host's CPUs
// and each target like the CPUs of its limit.
int64_t WholeCpus(double cpus) {
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(cpus)));
}
int64_t OnlineCpus() { return std::max<long>(1, sysconf(_SC_NPROCESSORS_ONLN)); }

// A child cgroup with the limit applied, or why there cannot be one.
struct CgroupAttempt {
  std::string dir;
  std::string acct_dir;
  std::vector<std::string> warnings;
};

absl::StatusOr<CgroupAttempt> TryCgroup2(const CpuLimiterOptions& o, double cpus,
                                         const std::string& child_name) {
  absl::StatusOr<std::string> own = OwnCgroupDir(o.mountinfo_path, o.self_cgroup_path, "");
  if (!own.ok()) return own.status();
  absl::StatusOr<std::string> controllers = ReadFile(*own + "/cgroup.controllers");
  if (!controllers.ok()) return controllers.status();
  if (!ListContains(absl::StripAsciiWhitespace(*controllers), "cpu", ' ')) {
    return absl::UnavailableError(absl::StrCat(
        "the cpu controller is not available in ", *own, " (controllers: \"",
        absl::StripAsciiWhitespace(*controllers), "\"; it may be bound to a cgroup v1 hierarchy)"));
  }
  // Enable cpu for the gop parent, then for its children. (In a non-root
  // cgroup that holds processes the kernel refuses this with EBUSY.)
  const std::string parent = *own + "/" + o.parent_name;
  auto enable_cpu = [](const std::string& dir) -> absl::Status {
    absl::StatusOr<std::string> subtree = ReadFile(dir + "/cgroup.subtree_control");
    if (subtree.ok() && ListContains(absl::StripAsciiWhitespace(*subtree), "cpu", ' ')) {
      return absl::OkStatus();
    }
    return WriteFile(dir + "/cgroup.subtree_control", "+cpu");
  };
  if (absl::Status s = enable_cpu(*own); !s.ok()) return s;
  if (absl::Status s = MakeDir(parent, /*exist_ok=*/true); !s.ok()) return s;
  if (absl::Status s = enable_cpu(parent); !s.ok()) return s;
  CgroupAttempt a;
  if (absl::Status s = WriteFile(parent + "/cpu.weight",
                                 absl::StrCat(std::min<int64_t>(10000, 100 * OnlineCpus())));
      !s.ok()) {
    a.warnings.push_back(absl::StrCat("cgroup2 weight: ", s.message()));
  }
  a.dir = parent + "/" + child_name;
  if (absl::Status s = MakeDir(a.dir, /*exist_ok=*/false); !s.ok()) return s;
  std::string max = cpus > 0
                        ? absl::StrCat(std::max<int64_t>(1000, std::llround(cpus * o.period_us)),
                                       " ", o.period_us)
                        : absl::StrCat("max ", o.period_us);
  if (absl::Status s = WriteFile(a.dir + "/cpu.max", max); !s.ok()) {
    RemoveDir(a.dir).IgnoreError();
    return s;
  }
  if (cpus > 0) {
    absl::Status s = WriteFile(a.dir + "/cpu.weight", absl::StrCat(100 * WholeCpus(cpus)));
    if (!s.ok()) a.warnings.push_back(absl::StrCat("cgroup2 weight: ", s.message()));
  }
  return a;
}

absl::StatusOr<CgroupAttempt> TryCgroup1(const CpuLimiterOptions& o, double cpus,
                                         const std::string& child_name) {
  absl::StatusOr<std::string> own = OwnCgroupDir(o.mountinfo_path, o.self_cgroup_path, "cpu");
  if (!own.ok()) return own.status();
  const std::string parent = *own + "/" + o.parent_name;
  if (absl::Status s = MakeDir(parent, /*exist_ok=*/true); !s.ok()) return s;
  CgroupAttempt a;
  if (absl::Status s = WriteFile(parent + "/cpu.shares", absl::StrCat(1024 * OnlineCpus()));
      !s.ok()) {
    a.warnings.push_back(absl::StrCat("cgroup1 shares: ", s.message()));
  }
  a.dir = parent + "/" + child_name;
  if (absl::Status s = MakeDir(a.dir, /*exist_ok=*/false); !s.ok()) return s;
  // Period first: the kernel checks the quota against the period in force.
  absl::Status s = WriteFile(a.dir + "/cpu.cfs_period_us", absl::StrCat(o.period_us));
  if (s.ok()) {
    int64_t quota = cpus > 0 ? std::max<int64_t>(1000, std::llround(cpus * o.period_us)) : -1;
    s = WriteFile(a.dir + "/cpu.cfs_quota_us", absl::StrCat(quota));
  }
  if (!s.ok()) {
    RemoveDir(a.dir).IgnoreError();
    return s;
  }
  if (cpus > 0) {
    absl::Status ws = WriteFile(a.dir + "/cpu.shares", absl::StrCat(1024 * WholeCpus(cpus)));
    if (!ws.ok()) a.warnings.push_back(absl::StrCat("cgroup1 shares: ", ws.message()));
  }
  // Accounting: cpuacct, co-mounted with cpu (the usual "cpu,cpuacct") or
  // in a hierarchy of its own.
  absl::StatusOr<std::string> acct_own =
      OwnCgroupDir(o.mountinfo_path, o.self_cgroup_path, "cpuacct");
  if (!acct_own.ok()) {
    a.warnings.push_back(absl::StrCat("cgroup v1 cpuacct: ", acct_own.status().message(),
                                      "; CPU time read from /proc"));
  } else if (*acct_own == *own) {
    a.acct_dir = a.dir;
  } else {
    const std::string acct_parent = *acct_own + "/" + o.parent_name;
    absl::Status as = MakeDir(acct_parent, true);
    if (as.ok()) as = MakeDir(acct_parent + "/" + child_name, false);
    if (as.ok()) {
      a.acct_dir = acct_parent + "/" + child_name;
    } else {
      a.warnings.push_back(
          absl::StrCat("cgroup v1 cpuacct: ", as.message(), "; CPU time read from /proc"));
    }
  }
  return a;
}

}  // namespace

absl::StatusOr<int> SystemCpuLimiter::CleanUpStale() {
  std::vector<std::string> parents;
  for (absl::string_view controller : {"", "cpu", "cpuacct"}) {
    if (controller.empty() ? !options_.allow_cgroup2 : !options_.allow_cgroup1) continue;
    absl::StatusOr<std::string> own =
        OwnCgroupDir(options_.mountinfo_path, options_.self_cgroup_path, controller);
    if (own.ok()) parents.push_back(*own + "/" + options_.parent_name);
  }
  int removed = 0;
  absl::Status status;
  for (const std::string& parent : parents) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(parent, ec)) {
      if (!entry.is_directory()) continue;
      // "<name>-<agent pid>-<n>"
      const std::string name = entry.path().filename().string();
      std::vector<absl::string_view> parts = absl::StrSplit(name, '-');
      int agent_pid = 0;
      if (parts.size() < 3 || !absl::SimpleAtoi(parts[parts.size() - 2], &agent_pid) ||
          agent_pid <= 0 || agent_pid == getpid()) {
        continue;
      }
      if (kill(agent_pid, 0) == 0 || errno != ESRCH) continue;  // its agent still runs
      KillMembers(entry.path().string());
      absl::Status s = RemoveDir(entry.path().string());
      if (s.ok()) {
        ++removed;
      } else {
        status.Update(s);
      }
    }
  }
  if (!status.ok()) return status;
  return removed;
}

absl::StatusOr<std::unique_ptr<CpuLimit>> SystemCpuLimiter::Limit(double cpus,
                                                                  const std::vector<int>& cpu_set,
                                                                  absl::string_view name) {
  if (!std::isfinite(cpus)) return absl::InvalidArgumentError("CPU limit is not a number");
  const std::vector<int> agent_cpus = cpu_set.empty() ? CurrentCpuSet() : cpu_set;
  const std::string child_name =
      absl::StrCat(SanitizeName(name), "-", getpid(), "-", g_sequence.fetch_add(1));
  const bool limited = cpus > 0;

  std::vector<std::string> failures;  // why each cgroup version was not used
  if (options_.allow_cgroup2) {
    absl::StatusOr<CgroupAttempt> a = TryCgroup2(options_, cpus, child_name);
    if (a.ok()) {
      return std::make_unique<CgroupCpuLimit>(limited ? "cgroup2" : "none", true, a->dir, "",
                                              cpu_set, a->warnings);
    }
    failures.push_back(absl::StrCat("cgroup2: ", a.status().message()));
  } else {
    failures.push_back("cgroup2: not allowed by configuration");
  }
  if (options_.allow_cgroup1) {
    absl::StatusOr<CgroupAttempt> a = TryCgroup1(options_, cpus, child_name);
    if (a.ok()) {
      return std::make_unique<CgroupCpuLimit>(limited ? "cgroup1" : "none", false, a->dir,
                                              a->acct_dir, cpu_set, a->warnings);
    }
    failures.push_back(absl::StrCat("cgroup1: ", a.status().message()));
  } else {
    failures.push_back("cgroup1: not allowed by configuration");
  }

  if (!limited) {
    // Nothing to enforce; CPU time then comes from /proc.
    return std::make_unique<AffinityCpuLimit>("none", cpu_set, std::vector<std::string>{});
  }
  // Fallback: whole CPUs only, so the limit is at best rounded up.
  const size_t want = static_cast<size_t>(std::ceil(cpus));
  std::vector<int> pinned(agent_cpus.begin(),
                          agent_cpus.begin() + std::min(want, agent_cpus.size()));
  std::vector<std::string> warnings;
  std::string warning = absl::StrCat(
      "CPU limit NOT enforced by cgroups (", absl::StrJoin(failures, "; "),
      "): fell back to CPU affinity, target pinned to CPU(s) ", absl::StrJoin(pinned, ","));
  if (std::ceil(cpus) != cpus) {
    absl::StrAppend(&warning, "; the fractional limit ", FormatCpus(cpus), " became ", want,
                    " whole CPU(s)");
  }
  if (want > agent_cpus.size()) {
    absl::StrAppend(&warning, "; only ", agent_cpus.size(), " CPU(s) available for a limit of ",
                    FormatCpus(cpus));
  }
  std::cerr << "WARNING: " << warning << std::endl;
  warnings.push_back(std::move(warning));
  return std::make_unique<AffinityCpuLimit>("affinity", std::move(pinned), std::move(warnings));
}

}  // namespace gop
