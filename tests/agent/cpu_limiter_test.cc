#include "agent/cpu_limiter.h"

#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "agent/command_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gop {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteText(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "gop-cpu-limiter-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

// --- Finding the agent's own cgroup in each hierarchy -----------------------

class OwnCgroupDirTest : public TempDirTest {
 protected:
  absl::StatusOr<std::string> Find(const std::string& mountinfo, const std::string& self,
                                   absl::string_view controller) {
    WriteText(dir_ + "/mountinfo", mountinfo);
    WriteText(dir_ + "/cgroup", self);
    return OwnCgroupDir(dir_ + "/mountinfo", dir_ + "/cgroup", controller);
  }
};

TEST_F(OwnCgroupDirTest, HybridHierarchiesAsOnThisMachine) {
  const std::string mountinfo =
      "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
      "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
      "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
  const std::string self = "3:cpuset:/\n2:cpuacct:/a\n1:cpu:/b/c\n0::/\n";
  EXPECT_EQ(*Find(mountinfo, self, "cpu"), "/sys/fs/cgroup/cpu/b/c");
  EXPECT_EQ(*Find(mountinfo, self, "cpuacct"), "/sys/fs/cgroup/cpuacct/a");
  EXPECT_EQ(*Find(mountinfo, self, ""), "/sys/fs/cgroup/unified");
  EXPECT_EQ(Find(mountinfo, self, "memory").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(OwnCgroupDirTest, CoMountedCpuAndCpuacctResolveToOneDirectory) {
  const std::string mountinfo =
      "30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n";
  const std::string self = "4:cpu,cpuacct:/user.slice\n";
  EXPECT_EQ(*Find(mountinfo, self, "cpu"), "/sys/fs/cgroup/cpu,cpuacct/user.slice");
  EXPECT_EQ(*Find(mountinfo, self, "cpuacct"), "/sys/fs/cgroup/cpu,cpuacct/user.slice");
}

TEST_F(OwnCgroupDirTest, ContainerMountShowsOnlyPartOfTheHierarchy) {
  const std::string mountinfo = "700 600 0:30 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
  EXPECT_EQ(*Find(mountinfo, "0::/docker/abc/agent\n", ""), "/sys/fs/cgroup/agent");
  // In a cgroup namespace the process sees itself at "/".
  EXPECT_EQ(*Find(mountinfo, "0::/\n", ""), "/sys/fs/cgroup");
}

TEST_F(OwnCgroupDirTest, EscapedMountPoint) {
  const std::string mountinfo = "41 31 0:38 / /mnt/my\\040cgroups rw - cgroup2 cgroup2 rw\n";
  EXPECT_EQ(*Find(mountinfo, "0::/x\n", ""), "/mnt/my cgroups/x");
}

// --- cgroup v2 against a fake tree ------------------------------------------
// The kernel here binds the cpu controller to a v1 hierarchy, so cgroup2's
// file protocol is checked against a directory laid out like cgroupfs.

class FakeCgroup2Test : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    root_ = dir_ + "/cg";
    fs::create_directories(root_);
    WriteText(dir_ + "/mountinfo",
              absl::StrCat("41 31 0:38 / ", root_, " rw,relatime - cgroup2 cgroup2 rw\n"));
    WriteText(dir_ + "/cgroup", "0::/\n");
    WriteText(root_ + "/cgroup.subtree_control", "");
    options_.mountinfo_path = dir_ + "/mountinfo";
    options_.self_cgroup_path = dir_ + "/cgroup";
    options_.allow_cgroup1 = false;
  }
  std::string root_;
  CpuLimiterOptions options_;
};

TEST_F(FakeCgroup2Test, WritesCpuMaxInAChildOfTheGopParent) {
  WriteText(root_ + "/cgroup.controllers", "cpuset cpu io memory pids\n");
  SystemCpuLimiter limiter(options_);
  absl::StatusOr<std::unique_ptr<CpuLimit>> limit = limiter.Limit(0.5, {1}, "cpu0.5 wt1/db2");
  ASSERT_TRUE(limit.ok()) << limit.status();
  EXPECT_EQ((*limit)->mechanism(), "cgroup2");
  EXPECT_TRUE((*limit)->warnings().empty());

  const std::string child = (*limit)->cgroup_dir();
  EXPECT_TRUE(absl::StartsWith(child, root_ + "/gop/cpu0.5_wt1_db2-")) << child;
  EXPECT_EQ(ReadText(child + "/cpu.max"), "50000 100000");
  EXPECT_EQ(ReadText(child + "/cpu.weight"), "100");
  EXPECT_EQ(ReadText(root_ + "/cgroup.subtree_control"), "+cpu");
  EXPECT_EQ(ReadText(root_ + "/gop/cgroup.subtree_control"), "+cpu");

  CommandSpec spec;
  (*limit)->ApplyTo(&spec);
  EXPECT_EQ(spec.join_cgroup_procs, child + "/cgroup.procs");
  EXPECT_THAT(spec.cpu_affinity, ElementsAre(1));

  WriteText(child + "/cpu.stat",
            "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n"
            "nr_periods 40\nnr_throttled 12\nthrottled_usec 250000\n");
  EXPECT_DOUBLE_EQ(*(*limit)->CpuSecondsUsed(), 1.5);
  absl::StatusOr<CpuThrottling> t = (*limit)->Throttling();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->periods, 40);
  EXPECT_EQ(t->throttled_periods, 12);
  EXPECT_DOUBLE_EQ(t->throttled_seconds, 0.25);

  // A real cgroupfs directory holds no removable files; the fake one does.
  fs::remove(child + "/cpu.max");
  fs::remove(child + "/cpu.weight");
  fs::remove(child + "/cpu.stat");
  EXPECT_TRUE((*limit)->Release().ok());
  EXPECT_FALSE(fs::exists(child));
}

TEST_F(FakeCgroup2Test, NoLimitMeansMaxQuota) {
  WriteText(root_ + "/cgroup.controllers", "cpu memory\n");
  SystemCpuLimiter limiter(options_);
  absl::StatusOr<std::unique_ptr<CpuLimit>> limit = limiter.Limit(0, {}, "free");
  ASSERT_TRUE(limit.ok()) << limit.status();
  EXPECT_EQ((*limit)->mechanism(), "none");
  EXPECT_EQ(ReadText((*limit)->cgroup_dir() + "/cpu.max"), "max 100000");
}

TEST_F(FakeCgroup2Test, MissingCpuControllerFallsBackToAffinityWithTheReasons) {
  WriteText(root_ + "/cgroup.controllers", "hugetlb\n");
  SystemCpuLimiter limiter(options_);
  absl::StatusOr<std::unique_ptr<CpuLimit>> limit = limiter.Limit(1.5, {0, 1}, "cell");
  ASSERT_TRUE(limit.ok()) << limit.status();
  EXPECT_EQ((*limit)->mechanism(), "affinity");
  ASSERT_EQ((*limit)->warnings().size(), 1u);
  const std::string w = (*limit)->warnings()[0];
  EXPECT_THAT(w, HasSubstr("NOT enforced by cgroups"));
  EXPECT_THAT(w, HasSubstr("cpu controller is not available"));
  EXPECT_THAT(w, HasSubstr("cgroup1: not allowed"));
  EXPECT_THAT(w, HasSubstr("1.5 became 2 whole CPU(s)"));
  CommandSpec spec;
  (*limit)->ApplyTo(&spec);
  EXPECT_TRUE(spec.join_cgroup_procs.empty());
  EXPECT_THAT(spec.cpu_affinity, ElementsAre(0, 1));
  EXPECT_FALSE(fs::exists(root_ + "/gop"));
}

// --- Real processes under real limits ---------------------------------------

class RealLimitTest : public ::testing::Test {
 protected:
  // Starts the busy helper under `limit`.
  // Two threads, so that even on a busy machine the group wants more than
  // half a CPU.
  std::unique_ptr<BackgroundProcess> StartSpinner(CpuLimit& limit) {
    CommandSpec spec;
    spec.argv = {GOP_PROCESS_TARGET_HELPER, "spin", "2"};
    limit.ApplyTo(&spec);
    absl::StatusOr<std::unique_ptr<BackgroundProcess>> p = runner_.StartBackground(spec);
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return nullptr;
    EXPECT_TRUE(limit.Attach((*p)->pid()).ok());
    return *std::move(p);
  }

  // Removes a test's own parent cgroups (in every hierarchy the limiter may
  // have used); they must be empty by then.
  static void RemoveParents(const CpuLimiterOptions& options) {
    for (const char* controller : {"", "cpu", "cpuacct"}) {
      absl::StatusOr<std::string> own =
          OwnCgroupDir(options.mountinfo_path, options.self_cgroup_path, controller);
      if (!own.ok()) continue;
      const std::string parent = *own + "/" + options.parent_name;
      if (fs::exists(parent)) {
        EXPECT_EQ(rmdir(parent.c_str()), 0) << parent;
      }
    }
  }

  PosixCommandRunner runner_;
};

TEST_F(RealLimitTest, BusyTargetUnderHalfACpuIsThrottled) {
  // A parent of its own, so its weight can be raised without touching the
  // one real targets share.
  CpuLimiterOptions options;
  options.parent_name = absl::StrCat("gop-test-", getpid());
  SystemCpuLimiter limiter(options);
  absl::StatusOr<std::unique_ptr<CpuLimit>> limit = limiter.Limit(0.5, {}, "spin-half");
  ASSERT_TRUE(limit.ok()) << limit.status();
  if ((*limit)->mechanism() == "affinity") {
    GTEST_SKIP() << "no writable cgroup here: " << absl::StrJoin((*limit)->warnings(), "; ");
  }
  const std::string cgroup = (*limit)->cgroup_dir();
  const std::string parent = fs::path(cgroup).parent_path().string();
  // On a loaded machine (parallel builds and tests) even the limiter's
  // weights may leave the group less than half a CPU, and then nothing is
  // throttled; the largest weights make the quota the only brake.
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if ((*limit)->mechanism() == "cgroup1") {
    EXPECT_EQ(ReadText(cgroup + "/cpu.cfs_quota_us"), "50000\n");
    EXPECT_EQ(ReadText(cgroup + "/cpu.cfs_period_us"), "100000\n");
    EXPECT_EQ(ReadText(cgroup + "/cpu.shares"), "1024\n");
    EXPECT_EQ(ReadText(parent + "/cpu.shares"), absl::StrCat(1024 * cpus, "\n"));
    WriteText(parent + "/cpu.shares", "262144");
    WriteText(cgroup + "/cpu.shares", "262144");
  } else {
    EXPECT_EQ(ReadText(cgroup + "/cpu.max"), "50000 100000\n");
    EXPECT_EQ(ReadText(cgroup + "/cpu.weight"), "100\n");
    WriteText(parent + "/cpu.weight", "10000");
    WriteText(cgroup + "/cpu.weight", "10000");
  }

  const absl::Time start = absl::Now();
  std::unique_ptr<BackgroundProcess> spinner = StartSpinner(**limit);
  ASSERT_NE(spinner, nullptr);
  // The child joined the cgroup itself before exec.
  EXPECT_THAT(ReadText(cgroup + "/cgroup.procs"), HasSubstr(absl::StrCat(spinner->pid())));

  // Wait for throttling to show (bounded), then a little longer so the
  // usage figure covers several periods.
  absl::StatusOr<CpuThrottling> t;
  while (absl::Now() - start < absl::Seconds(15)) {
    t = (*limit)->Throttling();
    ASSERT_TRUE(t.ok()) << t.status();
    if (t->throttled_periods > 0 && absl::Now() - start > absl::Seconds(2)) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  absl::StatusOr<double> used = (*limit)->CpuSecondsUsed();
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
  ASSERT_TRUE(used.ok()) << used.status();
  EXPECT_GT(t->throttled_periods, 0) << "periods " << t->periods;
  EXPECT_GE(t->throttled_seconds, 0);
  EXPECT_GT(*used, 0);
  // The quota allows 0.5 s per second (plus at most one period's worth).
  EXPECT_LE(*used, 0.6 * elapsed + 0.05) << "used " << *used << " s in " << elapsed << " s";
  printf("0.5-CPU limit (%s): %.3f CPU-s in %.3f s = %.3f CPU; throttled %lld of %lld periods\n",
         (*limit)->mechanism().c_str(), *used, elapsed, *used / elapsed,
         static_cast<long long>(t->throttled_periods), static_cast<long long>(t->periods));

  ASSERT_TRUE(spinner->Stop(absl::Seconds(2)).ok());
  // Accounting survives the process until the cgroup is removed.
  absl::StatusOr<double> after = (*limit)->CpuSecondsUsed();
  ASSERT_TRUE(after.ok());
  EXPECT_GE(*after, *used);
  EXPECT_TRUE((*limit)->Release().ok());
  EXPECT_FALSE(fs::exists(cgroup));
  RemoveParents(options);
}

TEST_F(RealLimitTest, CgroupLimitAlsoPinsToTheAgentsCpus) {
  SystemCpuLimiter limiter;
  const std::vector<int> cpus = CurrentCpuSet();
  ASSERT_FALSE(cpus.empty());
  absl::StatusOr<std::unique_ptr<CpuLimit>> limit = limiter.Limit(1, {cpus.back()}, "pinned");
  ASSERT_TRUE(limit.ok()) << limit.status();
  std::unique_ptr<BackgroundProcess> spinner = StartSpinner(**limit);
  ASSERT_NE(spinner, nullptr);
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(spinner->pid(), sizeof set, &set), 0);
  EXPECT_EQ(CPU_COUNT(&set), 1);
  EXPECT_TRUE(CPU_ISSET(cpus.back(), &set));
  spinner->Stop(absl::Seconds(2)).IgnoreError();
  EXPECT_TRUE((*limit)->Release().ok());
}

TEST_F(RealLimitTest, AffinityFallbackPinsToWholeCpusAndCountsFromProc) {
  CpuLimiterOptions options;
  options.allow_cgroup2 = false;
  options.allow_cgroup1 = false;
  SystemCpuLimiter limiter(options);
  absl::StatusOr<std::unique_ptr<CpuLimit>> limit = limiter.Limit(0.5, {}, "affine");
  ASSERT_TRUE(limit.ok()) << limit.status();
  EXPECT_EQ((*limit)->mechanism(), "affinity");
  ASSERT_FALSE((*limit)->warnings().empty());
  EXPECT_THAT((*limit)->warnings()[0], HasSubstr("0.5 became 1 whole CPU(s)"));
  EXPECT_EQ((*limit)->cgroup_dir(), "");
  EXPECT_EQ((*limit)->Throttling().status().code(), absl::StatusCode::kUnavailable);

  std::unique_ptr<BackgroundProcess> spinner = StartSpinner(**limit);
  ASSERT_NE(spinner, nullptr);
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(spinner->pid(), sizeof set, &set), 0);
  EXPECT_EQ(CPU_COUNT(&set), 1);
  EXPECT_TRUE(CPU_ISSET(CurrentCpuSet().front(), &set));

  absl::StatusOr<double> used;
  for (absl::Time start = absl::Now(); absl::Now() - start < absl::Seconds(10);) {
    used = (*limit)->CpuSecondsUsed();
    ASSERT_TRUE(used.ok()) << used.status();
    if (*used >= 0.05) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_GE(*used, 0.05);
  spinner->Stop(absl::Seconds(2)).IgnoreError();
  // After the process is gone, the last figure read stays.
  EXPECT_GE(*(*limit)->CpuSecondsUsed(), *used);
}

TEST_F(RealLimitTest, ReleaseKillsLeftoversSoTheCgroupGoes) {
  SystemCpuLimiter limiter;
  absl::StatusOr<std::unique_ptr<CpuLimit>> limit = limiter.Limit(1, {}, "leftover");
  ASSERT_TRUE(limit.ok()) << limit.status();
  if ((*limit)->cgroup_dir().empty()) GTEST_SKIP() << "no writable cgroup here";
  // The shell leaves a background sleep behind in its own session, out of
  // reach of a process-group kill, but still in the cgroup.
  CommandSpec spec;
  spec.argv = {"sh", "-c", "setsid sleep 60 </dev/null >/dev/null 2>&1 & echo started"};
  (*limit)->ApplyTo(&spec);
  absl::StatusOr<CommandResult> r = runner_.Run(spec);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->ok()) << r->Describe();
  EXPECT_NE(ReadText((*limit)->cgroup_dir() + "/cgroup.procs"), "");
  const std::string cgroup = (*limit)->cgroup_dir();
  EXPECT_TRUE((*limit)->Release().ok());
  EXPECT_FALSE(fs::exists(cgroup));
}

TEST_F(RealLimitTest, CleanUpStaleRemovesCgroupsOfDeadAgentsAndKillsTheirTargets) {
  CpuLimiterOptions options;
  options.parent_name = absl::StrCat("gop-stale-test-", getpid());
  SystemCpuLimiter limiter(options);
  // A live limit of this agent, which must survive the clean-up.
  absl::StatusOr<std::unique_ptr<CpuLimit>> mine = limiter.Limit(1, {}, "mine");
  ASSERT_TRUE(mine.ok()) << mine.status();
  if ((*mine)->cgroup_dir().empty()) GTEST_SKIP() << "no writable cgroup here";
  const std::string parent = fs::path((*mine)->cgroup_dir()).parent_path().string();

  // An agent that is gone: the pid of a child that has exited and been reaped.
  CommandSpec true_spec;
  true_spec.argv = {"true"};
  absl::StatusOr<std::unique_ptr<BackgroundProcess>> gone = runner_.StartBackground(true_spec);
  ASSERT_TRUE(gone.ok());
  const pid_t dead_pid = (*gone)->pid();
  ASSERT_TRUE((*gone)->Wait(absl::Seconds(10)).ok());
  const std::string stale = absl::StrCat(parent, "/cell-", dead_pid, "-0");
  ASSERT_EQ(mkdir(stale.c_str(), 0755), 0);
  // ... whose target still runs in its cgroup.
  CommandSpec spec;
  spec.argv = {GOP_PROCESS_TARGET_HELPER, "spin"};
  spec.join_cgroup_procs = stale + "/cgroup.procs";
  absl::StatusOr<std::unique_ptr<BackgroundProcess>> orphan = runner_.StartBackground(spec);
  ASSERT_TRUE(orphan.ok()) << orphan.status();

  absl::StatusOr<int> removed = limiter.CleanUpStale();
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists((*mine)->cgroup_dir()));
  absl::StatusOr<CommandResult> ended = (*orphan)->Wait(absl::Seconds(10));
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_EQ(ended->term_signal, SIGKILL);

  EXPECT_TRUE((*mine)->Release().ok());
  RemoveParents(options);
}

}  // namespace
}  // namespace gop
