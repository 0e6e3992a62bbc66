#include "agent/process_driver.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "agent/health_probe.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#ifdef GOP_HAVE_PG_SUPPORT
#include "tests/support/minibox_process.h"
#include "tests/support/pg_cluster.h"
#endif

namespace gop {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The environment a live process was started with.
std::map<std::string, std::string> EnvironOf(pid_t pid) {
  std::map<std::string, std::string> env;
  for (absl::string_view entry :
       absl::StrSplit(ReadText(absl::StrCat("/proc/", pid, "/environ")), '\0', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(entry, absl::MaxSplits('=', 1));
    env[kv.first] = kv.second;
  }
  return env;
}

bool Alive(pid_t pid) {
  // A zombie still answers kill(); only a reaped process is really gone.
  return kill(pid, 0) == 0 &&
         !absl::StrContains(ReadText(absl::StrCat("/proc/", pid, "/stat")), ") Z ");
}

class ProcessDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "gop-process-driver-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    settings_.command = {GOP_PROCESS_TARGET_HELPER, "serve"};
    settings_.work_dir = dir_ + "/work";
    settings_.env = {{"GOP_TEST_EXTRA", "extra value"}, {"BOX_WEB_THREAD", "overridden"}};
  }
  void TearDown() override {
    driver_.reset();
    fs::remove_all(dir_);
  }

  std::unique_ptr<ProcessDriver> MakeDriver(CpuLimiter* limiter = nullptr) {
    absl::StatusOr<std::unique_ptr<ProcessDriver>> d =
        ProcessDriver::Create(settings_, {&runner_, limiter ? limiter : &limiter_, cpu_set_});
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? *std::move(d) : nullptr;
  }

  static TargetConfig Cell(double cpu, int threads, int pool) {
    TargetConfig c;
    c.cpu_limit = cpu;
    c.web_threads = threads;
    c.db_pool = pool;
    c.cell_id = absl::StrCat("cpu", cpu, "_wt", threads, "_db", pool, "_rep1");
    return c;
  }

  std::string dir_;
  ProcessTargetSettings settings_;
  PosixCommandRunner runner_;
  SystemCpuLimiter limiter_;
  std::vector<int> cpu_set_;
  std::unique_ptr<ProcessDriver> driver_;
};

TEST_F(ProcessDriverTest, StartsWithTheCellsSettingsAndStops) {
  driver_ = MakeDriver();
  ASSERT_NE(driver_, nullptr);
  EXPECT_EQ(driver_->Kind(), "process");
  absl::StatusOr<TargetInfo> info = driver_->Start(Cell(1.5, 3, 4), absl::Seconds(20));
  ASSERT_TRUE(info.ok()) << info.status();

  const pid_t pid = driver_->pid();
  ASSERT_GT(pid, 0);
  std::map<std::string, std::string> env = EnvironOf(pid);
  EXPECT_EQ(env["BOX_WEB_THREAD"], "3");  // the cell wins over target.yaml's env
  EXPECT_EQ(env["BOX_DB_POOL_MAXIMUM_POOL_SIZE"], "4");
  EXPECT_EQ(env["BOX_INSTANCE_NAME"], "cpu_1.5__web_3__db_4");
  EXPECT_EQ(env["GOP_TEST_EXTRA"], "extra value");

  // A free port was picked and handed over; the base URL names it.
  int port = 0;
  ASSERT_TRUE(absl::SimpleAtoi(env["BOX_WEB_PORT"], &port));
  EXPECT_GT(port, 0);
  EXPECT_EQ(info->base_url, absl::StrCat("http://127.0.0.1:", port, "/fhir"));
  absl::StatusOr<int> health =
      HttpGetStatus(absl::StrCat("http://127.0.0.1:", port, "/health"), absl::Seconds(5));
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, 200);

  // The limit is in force and named.
  EXPECT_THAT(info->cpu_limit_mechanism, ::testing::AnyOf("cgroup2", "cgroup1", "affinity"));
  const std::string cgroup = driver_->cpu_limit()->cgroup_dir();
  if (!cgroup.empty()) {
    EXPECT_THAT(ReadText(cgroup + "/cgroup.procs"), HasSubstr(absl::StrCat(pid)));
  }
  // Its output went to the log.
  EXPECT_THAT(driver_->LogTail(10), HasSubstr("threads=3 pool=4 instance=cpu_1.5__web_3__db_4"));
  EXPECT_TRUE(absl::StartsWith(driver_->log_path(), settings_.work_dir + "/"));
  EXPECT_TRUE(driver_->CpuSecondsUsed().ok());

  ASSERT_TRUE(driver_->Stop().ok());
  EXPECT_FALSE(Alive(pid));
  EXPECT_EQ(driver_->pid(), -1);
  if (!cgroup.empty()) {
    EXPECT_FALSE(fs::exists(cgroup));
  }
  // The last figure stays readable after Stop; the log too.
  EXPECT_TRUE(driver_->CpuSecondsUsed().ok());
  EXPECT_THAT(driver_->LogTail(10), HasSubstr("listening"));
  EXPECT_TRUE(driver_->Stop().ok());  // idempotent
}

TEST_F(ProcessDriverTest, ConfiguredPortHostPathsAndAuth) {
  absl::StatusOr<int> port = PickFreePort();
  ASSERT_TRUE(port.ok());
  settings_.port = *port;
  settings_.base_path = "/";
  settings_.health_path = "/ready";
  settings_.auth = "bearer:t0ken";
  driver_ = MakeDriver();
  ASSERT_NE(driver_, nullptr);
  absl::StatusOr<TargetInfo> info = driver_->Start(Cell(1, 1, 1), absl::Seconds(20));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->base_url, absl::StrCat("http://127.0.0.1:", *port, "/"));
  EXPECT_EQ(info->auth, "bearer:t0ken");
  EXPECT_EQ(EnvironOf(driver_->pid())["BOX_WEB_PORT"], absl::StrCat(*port));
}

TEST_F(ProcessDriverTest, NextStartStopsThePreviousTarget) {
  driver_ = MakeDriver();
  ASSERT_NE(driver_, nullptr);
  ASSERT_TRUE(driver_->Start(Cell(1, 1, 1), absl::Seconds(20)).ok());
  const pid_t first = driver_->pid();
  ASSERT_TRUE(driver_->Start(Cell(1, 2, 2), absl::Seconds(20)).ok());
  EXPECT_FALSE(Alive(first));
  EXPECT_EQ(EnvironOf(driver_->pid())["BOX_WEB_THREAD"], "2");
}

TEST_F(ProcessDriverTest, NeverHealthyFailsWithinTheTimeoutWithTheLogTail) {
  const std::string pid_file = dir_ + "/pid";
  settings_.command = {"sh", "-c",
                       absl::StrCat("echo $$ > ", pid_file,
                                    "; echo starting up; echo 'FATAL: cannot reach database' >&2;"
                                    " exec sleep 60")};
  driver_ = MakeDriver();
  ASSERT_NE(driver_, nullptr);
  const absl::Time start = absl::Now();
  absl::StatusOr<TargetInfo> info = driver_->Start(Cell(1, 1, 1), absl::Seconds(1));
  const absl::Duration took = absl::Now() - start;
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(info.status().message()), HasSubstr("not healthy"));
  EXPECT_THAT(std::string(info.status().message()), HasSubstr("FATAL: cannot reach database"));
  EXPECT_THAT(std::string(info.status().message()), HasSubstr("starting up"));
  // The wait is bounded by the timeout plus the stop grace, not the sleep.
  EXPECT_LT(took, absl::Seconds(1) + settings_.stop_grace + absl::Seconds(5));

  int pid = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadText(pid_file)), &pid));
  EXPECT_FALSE(Alive(pid));
  EXPECT_EQ(driver_->pid(), -1);
  EXPECT_EQ(driver_->cpu_limit(), nullptr);
  EXPECT_THAT(driver_->LogTail(5), HasSubstr("FATAL"));
}

TEST_F(ProcessDriverTest, TargetThatExitsFailsAtOnceWithItsExitCode) {
  settings_.command = {"sh", "-c", "echo 'bad BOX_WEB_THREAD' >&2; exit 2"};
  driver_ = MakeDriver();
  ASSERT_NE(driver_, nullptr);
  const absl::Time start = absl::Now();
  absl::StatusOr<TargetInfo> info = driver_->Start(Cell(1, 1, 1), absl::Seconds(60));
  ASSERT_FALSE(info.ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));  // not the whole health timeout
  EXPECT_EQ(info.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(info.status().message()), HasSubstr("exit code 2"));
  EXPECT_THAT(std::string(info.status().message()), HasSubstr("bad BOX_WEB_THREAD"));
}

TEST_F(ProcessDriverTest, StopEscalatesToSigkillAfterTheGrace) {
  settings_.command = {GOP_PROCESS_TARGET_HELPER, "serve-ignore-term"};
  settings_.stop_grace = absl::Milliseconds(300);
  driver_ = MakeDriver();
  ASSERT_NE(driver_, nullptr);
  ASSERT_TRUE(driver_->Start(Cell(1, 1, 1), absl::Seconds(20)).ok());
  const pid_t pid = driver_->pid();
  ASSERT_TRUE(driver_->Stop().ok());
  EXPECT_FALSE(Alive(pid));
}

TEST_F(ProcessDriverTest, AffinityFallbackIsReportedInTheTargetInfo) {
  CpuLimiterOptions options;
  options.allow_cgroup1 = false;
  options.allow_cgroup2 = false;
  SystemCpuLimiter affinity_only(options);
  driver_ = MakeDriver(&affinity_only);
  ASSERT_NE(driver_, nullptr);
  absl::StatusOr<TargetInfo> info = driver_->Start(Cell(0.5, 1, 1), absl::Seconds(20));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->cpu_limit_mechanism, "affinity");
  ASSERT_FALSE(info->warnings.empty());
  EXPECT_THAT(info->warnings[0], HasSubstr("NOT enforced by cgroups"));
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(driver_->pid(), sizeof set, &set), 0);
  EXPECT_EQ(CPU_COUNT(&set), 1);
}

TEST_F(ProcessDriverTest, ForcedMechanismThatIsUnavailableFailsTheStart) {
  CpuLimiterOptions options;
  options.allow_cgroup1 = false;
  options.allow_cgroup2 = false;
  SystemCpuLimiter affinity_only(options);
  settings_.cpu_limit = "cgroup2";
  driver_ = MakeDriver(&affinity_only);
  ASSERT_NE(driver_, nullptr);
  absl::StatusOr<TargetInfo> info = driver_->Start(Cell(1, 1, 1), absl::Seconds(20));
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(info.status().message()), HasSubstr("only \"affinity\" is possible"));
  EXPECT_EQ(driver_->pid(), -1);
}

TEST_F(ProcessDriverTest, AffinityChosenInTargetYamlSkipsCgroups) {
  settings_.cpu_limit = "affinity";
  SystemCpuLimiter limiter(CpuLimiterOptionsFor(settings_));
  EXPECT_FALSE(limiter.options().allow_cgroup1);
  EXPECT_FALSE(limiter.options().allow_cgroup2);
  driver_ = MakeDriver(&limiter);
  ASSERT_NE(driver_, nullptr);
  absl::StatusOr<TargetInfo> info = driver_->Start(Cell(1, 1, 1), absl::Seconds(20));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->cpu_limit_mechanism, "affinity");
  EXPECT_EQ(driver_->cpu_limit()->cgroup_dir(), "");

  settings_.cpu_limit = "cgroup1";
  EXPECT_FALSE(CpuLimiterOptionsFor(settings_).allow_cgroup2);
  EXPECT_TRUE(CpuLimiterOptionsFor(settings_).allow_cgroup1);
}

TEST_F(ProcessDriverTest, PinsTheTargetToTheAgentsCpuSet) {
  const std::vector<int> cpus = CurrentCpuSet();
  cpu_set_ = {cpus.back()};
  driver_ = MakeDriver();
  ASSERT_NE(driver_, nullptr);
  ASSERT_TRUE(driver_->Start(Cell(1, 1, 1), absl::Seconds(20)).ok());
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(driver_->pid(), sizeof set, &set), 0);
  EXPECT_EQ(CPU_COUNT(&set), 1);
  EXPECT_TRUE(CPU_ISSET(cpus.back(), &set));
}

TEST_F(ProcessDriverTest, CreateRejectsAMissingCommand) {
  settings_.command = {dir_ + "/no-such-server"};
  absl::StatusOr<std::unique_ptr<ProcessDriver>> d =
      ProcessDriver::Create(settings_, {&runner_, &limiter_, {}});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("no-such-server"));
}

TEST_F(ProcessDriverTest, DefaultCommandIsMiniboxNextToTheAgent) {
  auto make_exe = [](const std::string& path) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << "#!/bin/sh\n";
    chmod(path.c_str(), 0755);
  };
  // Build tree: build/agent/gop-agent and build/minibox/minibox.
  make_exe(dir_ + "/build/minibox/minibox");
  fs::create_directories(dir_ + "/build/agent");
  EXPECT_EQ(DefaultTargetCommand(dir_ + "/build/agent/gop-agent"),
            std::vector<std::string>{dir_ + "/build/agent/../minibox/minibox"});
  // Installed: both in one bin/ (preferred).
  make_exe(dir_ + "/build/agent/minibox");
  EXPECT_EQ(DefaultTargetCommand(dir_ + "/build/agent/gop-agent"),
            std::vector<std::string>{dir_ + "/build/agent/minibox"});
  // Neither: PATH.
  EXPECT_EQ(DefaultTargetCommand(dir_ + "/elsewhere/gop-agent"),
            std::vector<std::string>{"minibox"});
}

TEST(ProcessInstanceNameTest, SeedNaming) {
  TargetConfig c;
  c.cpu_limit = 2;
  c.web_threads = 4;
  c.db_pool = 6;
  EXPECT_EQ(InstanceName(c), "cpu_2__web_4__db_6");
  c.cpu_limit = 0.5;
  EXPECT_EQ(InstanceName(c), "cpu_0.5__web_4__db_6");
}

#ifdef GOP_HAVE_PG_SUPPORT
// --- Against a real PostgreSQL ----------------------------------------------

class ProcessDriverPgTest : public ProcessDriverTest {
 protected:
  void SetUp() override {
    ProcessDriverTest::SetUp();
    absl::StatusOr<testing::PgConnInfo> db = testing::CreateTestDatabase("process_driver");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *db;
    settings_.env = {{"BOX_DB_HOST", db_.host},
                     {"BOX_DB_PORT", absl::StrCat(db_.port)},
                     {"BOX_DB_DATABASE", db_.dbname},
                     {"BOX_DB_USER", db_.user},
                     {"BOX_DB_PASSWORD", ""}};
  }

  // The first column of the first row of `sql` ("" when there is none).
  std::string Query(const std::string& sql) {
    absl::StatusOr<std::vector<std::string>> rows = testing::QueryColumn(db_, sql);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() && !rows->empty() ? rows->front() : "";
  }

  testing::PgConnInfo db_;
};

TEST_F(ProcessDriverPgTest, ResetDataTruncatesEveryPublicTable) {
  Query("CREATE TABLE patient (id text PRIMARY KEY, resource jsonb)");
  Query("CREATE TABLE patient_history (id text REFERENCES patient (id), txid bigint)");
  Query("INSERT INTO patient VALUES ('a', '{}'), ('b', '{}')");
  Query("INSERT INTO patient_history VALUES ('a', 1)");
  settings_.reset_data = true;
  driver_ = MakeDriver();
  ASSERT_NE(driver_, nullptr);
  ASSERT_TRUE(driver_->Start(Cell(1, 1, 1), absl::Seconds(20)).ok());
  EXPECT_EQ(Query("SELECT count(*) FROM patient"), "0");
  EXPECT_EQ(Query("SELECT count(*) FROM patient_history"), "0");
}

TEST_F(ProcessDriverPgTest, ResetDataFailsTheStartWhenTheDatabaseIsUnreachable) {
  absl::StatusOr<int> port = PickFreePort();  // nothing listens there
  ASSERT_TRUE(port.ok());
  settings_.env.emplace_back("BOX_DB_PORT", absl::StrCat(*port));  // the later entry wins
  settings_.reset_data = true;
  driver_ = MakeDriver();
  ASSERT_NE(driver_, nullptr);
  absl::StatusOr<TargetInfo> info = driver_->Start(Cell(1, 1, 1), absl::Seconds(5));
  ASSERT_FALSE(info.ok());
  EXPECT_THAT(std::string(info.status().message()), HasSubstr("reset_data"));
  EXPECT_EQ(driver_->pid(), -1);
}

TEST_F(ProcessDriverPgTest, RealMiniboxStartsAnswersHealthAndStops) {
  const std::string minibox = testing::MiniboxProcess::DefaultBinary();
  if (access(minibox.c_str(), X_OK) != 0) GTEST_SKIP() << minibox << " is not built";
  settings_.command = {minibox};
  settings_.reset_data = true;
  driver_ = MakeDriver();
  ASSERT_NE(driver_, nullptr);
  absl::StatusOr<TargetInfo> info = driver_->Start(Cell(1, 2, 3), absl::Seconds(30));
  ASSERT_TRUE(info.ok()) << info.status();
  const pid_t pid = driver_->pid();
  std::map<std::string, std::string> env = EnvironOf(pid);
  EXPECT_EQ(env["BOX_WEB_THREAD"], "2");
  EXPECT_EQ(env["BOX_DB_POOL_MAXIMUM_POOL_SIZE"], "3");
  EXPECT_EQ(env["BOX_INSTANCE_NAME"], "cpu_1__web_2__db_3");
  absl::StatusOr<int> meta = HttpGetStatus(info->base_url + "/metadata", absl::Seconds(5));
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(*meta, 200);
  // minibox made its schema in the database the driver pointed it at.
  EXPECT_NE(Query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0");
  ASSERT_TRUE(driver_->Stop().ok());
  EXPECT_FALSE(Alive(pid));
  absl::StatusOr<double> used = driver_->CpuSecondsUsed();
  ASSERT_TRUE(used.ok()) << used.status();
  EXPECT_GT(*used, 0);
}
#endif  // GOP_HAVE_PG_SUPPORT

}  // namespace
}  // namespace gop
