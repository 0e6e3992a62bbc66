#include "agent/command_runner.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gop {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class CommandRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gop-runner-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CommandSpec Shell(const std::string& script) {
    CommandSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.timeout = absl::Seconds(30);
    return spec;
  }

  CommandResult MustRun(const CommandSpec& spec) {
    absl::StatusOr<CommandResult> r = runner_.Run(spec);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : CommandResult{};
  }

  static bool Alive(pid_t pid) { return kill(pid, 0) == 0; }

  PosixCommandRunner runner_;
  std::string dir_;
};

TEST_F(CommandRunnerTest, CapturesStdoutStderrAndExitCode) {
  CommandResult r = MustRun(Shell("echo out; echo err >&2; exit 3"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.term_signal, 0);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.stdout_tail, "out\n");
  EXPECT_EQ(r.stderr_tail, "err\n");
  EXPECT_EQ(r.Describe(), "exit code 3");
}

TEST_F(CommandRunnerTest, PassesArgvWithoutAShell) {
  CommandSpec spec;
  spec.argv = {"printf", "%s|", "a b", "$HOME", "*"};
  CommandResult r = MustRun(spec);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.stdout_tail, "a b|$HOME|*|");
}

TEST_F(CommandRunnerTest, AppliesEnvironmentChanges) {
  setenv("GOP_RUNNER_TEST_KEEP", "kept", 1);
  setenv("GOP_RUNNER_TEST_DROP", "dropped", 1);
  CommandSpec spec = Shell("echo \"$GOP_RUNNER_TEST_KEEP,${GOP_RUNNER_TEST_DROP-unset},$ADDED\"");
  spec.unset_env = {"GOP_RUNNER_TEST_DROP"};
  spec.env = {{"ADDED", "one"}, {"ADDED", "two"}};
  EXPECT_EQ(MustRun(spec).stdout_tail, "kept,unset,two\n");

  spec.clear_env = true;
  spec.env = {{"ADDED", "only"}};
  EXPECT_EQ(MustRun(spec).stdout_tail, ",unset,only\n");
}

TEST_F(CommandRunnerTest, ResolvesProgramInTheChildsPath) {
  const std::string tool = dir_ + "/gop-test-tool";
  std::ofstream(tool) << "#!/bin/sh\necho tool ran with \"$@\"\n";
  chmod(tool.c_str(), 0755);
  CommandSpec spec;
  spec.argv = {"gop-test-tool", "x"};
  spec.env = {{"PATH", absl::StrCat(dir_, ":/usr/bin:/bin")}};
  EXPECT_EQ(MustRun(spec).stdout_tail, "tool ran with x\n");

  spec.env = {{"PATH", "/usr/bin:/bin"}};
  absl::StatusOr<CommandResult> missing = runner_.Run(spec);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound) << missing.status();
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("gop-test-tool"));
}

TEST_F(CommandRunnerTest, RunsInWorkingDir) {
  CommandSpec spec;
  spec.argv = {"pwd"};
  spec.working_dir = dir_;
  EXPECT_EQ(MustRun(spec).stdout_tail, dir_ + "\n");

  spec.working_dir = dir_ + "/does-not-exist";
  absl::StatusOr<CommandResult> r = runner_.Run(spec);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("chdir"));
}

TEST_F(CommandRunnerTest, KeepsOnlyTheTailOfLongOutput) {
  CommandSpec spec = Shell("i=0; while [ $i -lt 5000 ]; do echo line$i; i=$((i+1)); done");
  spec.output_tail_bytes = 100;
  CommandResult r = MustRun(spec);
  EXPECT_EQ(r.stdout_tail.size(), 100u);
  EXPECT_THAT(r.stdout_tail, testing::EndsWith("line4998\nline4999\n"));
}

TEST_F(CommandRunnerTest, TimeoutTerminatesTheProcessGroup) {
  // The shell's background child is in the same group and must die with it.
  CommandSpec spec = Shell("echo $$; sleep 60 & echo $!; wait");
  spec.timeout = absl::Milliseconds(300);
  CommandResult r = MustRun(spec);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGTERM);
  EXPECT_THAT(r.Describe(), StartsWith("timed out"));
  std::string out(absl::StripTrailingAsciiWhitespace(r.stdout_tail));
  int grandchild = 0;
  ASSERT_TRUE(absl::SimpleAtoi(out.substr(out.find('\n') + 1), &grandchild)) << out;
  // SIGTERM was sent to the whole group; give the kernel a moment to deliver.
  for (int i = 0; i < 200 && Alive(grandchild); ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_FALSE(Alive(grandchild));
}

TEST_F(CommandRunnerTest, EscalatesToSigkillAfterGrace) {
  CommandSpec spec = Shell("trap '' TERM; while true; do sleep 0.05; done");
  spec.timeout = absl::Milliseconds(200);
  spec.kill_grace = absl::Milliseconds(200);
  CommandResult r = MustRun(spec);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGKILL);
}

TEST_F(CommandRunnerTest, ReturnsWhenTheChildExitsEvenIfAGrandchildHoldsItsPipes) {
  CommandSpec spec = Shell("sleep 60 & echo $!");
  CommandResult r = MustRun(spec);
  EXPECT_TRUE(r.ok()) << r.Describe();  // not timed out after 30 s
  int grandchild = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripTrailingAsciiWhitespace(r.stdout_tail), &grandchild));
  EXPECT_TRUE(Alive(grandchild));
  kill(grandchild, SIGKILL);
}

TEST_F(CommandRunnerTest, SurvivesAParentThatIgnoresSigchld) {
  // The kernel then reaps children itself; Run() must still return.
  struct sigaction ignore {}, old {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGCHLD, &ignore, &old);
  absl::StatusOr<CommandResult> r = runner_.Run(Shell("echo hi; exit 3"));
  sigaction(SIGCHLD, &old, nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->exit_code, -1);  // unknowable
  EXPECT_FALSE(r->ok());
}

TEST_F(CommandRunnerTest, SetsCpuAffinity) {
  CommandSpec spec = Shell("grep Cpus_allowed_list /proc/self/status");
  spec.cpu_affinity = {0};
  EXPECT_THAT(MustRun(spec).stdout_tail, HasSubstr("Cpus_allowed_list:\t0\n"));
}

TEST_F(CommandRunnerTest, JoinCgroupFailureIsReported) {
  CommandSpec spec = Shell("true");
  spec.join_cgroup_procs = dir_ + "/no-such-cgroup/cgroup.procs";
  absl::StatusOr<CommandResult> r = runner_.Run(spec);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("join cgroup"));
}

TEST_F(CommandRunnerTest, BackgroundProcessWritesItsOutputAndStops) {
  CommandSpec spec = Shell("echo started; exec sleep 60");
  spec.output_path = dir_ + "/out.log";
  absl::StatusOr<std::unique_ptr<BackgroundProcess>> p = runner_.StartBackground(spec);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE((*p)->Running());
  for (int i = 0; i < 500 && FileTail(spec.output_path, 1).empty(); ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(FileTail(spec.output_path, 5), "started\n");
  EXPECT_EQ((*p)->Wait(absl::Milliseconds(50)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  absl::StatusOr<CommandResult> r = (*p)->Stop(absl::Seconds(5));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->term_signal, SIGTERM);
  EXPECT_FALSE((*p)->Running());
  EXPECT_FALSE(Alive((*p)->pid()));
  EXPECT_EQ((*p)->Stop(absl::Seconds(1))->term_signal, SIGTERM);  // idempotent
}

TEST_F(CommandRunnerTest, BackgroundProcessExitCodeIsReported) {
  absl::StatusOr<std::unique_ptr<BackgroundProcess>> p = runner_.StartBackground(Shell("exit 7"));
  ASSERT_TRUE(p.ok()) << p.status();
  absl::StatusOr<CommandResult> r = (*p)->Wait(absl::Seconds(30));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 7);
  EXPECT_FALSE((*p)->Running());
}

TEST_F(CommandRunnerTest, DestroyingABackgroundProcessStopsIt) {
  absl::StatusOr<std::unique_ptr<BackgroundProcess>> p =
      runner_.StartBackground(Shell("exec sleep 60"));
  ASSERT_TRUE(p.ok()) << p.status();
  pid_t pid = (*p)->pid();
  EXPECT_TRUE(Alive(pid));
  p->reset();
  EXPECT_FALSE(Alive(pid));
}

TEST(LastLinesTest, KeepsTheLastLines) {
  EXPECT_EQ(LastLines("a\nb\nc\n", 2), "b\nc\n");
  EXPECT_EQ(LastLines("a\nb\nc", 2), "b\nc");
  EXPECT_EQ(LastLines("a\nb\n", 5), "a\nb\n");
  EXPECT_EQ(LastLines("a\nb\n", 0), "");
  EXPECT_EQ(LastLines("", 3), "");
}

}  // namespace
}  // namespace gop
