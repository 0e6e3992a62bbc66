// Every shipped scenario (and one added from files alone) runs clean against
// the real minibox on a throwaway PostgreSQL.
#include <filesystem>

#include "gtest/gtest.h"
#include "loadgen/load_runner.h"
#include "loadgen/scenario.h"
#include "tests/support/minibox_process.h"
#include "tests/support/pg_cluster.h"

namespace gop::loadgen {
namespace {

namespace fs = std::filesystem;

class MiniboxScenariosTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto db = gop::testing::CreateTestDatabase("loadgen");
    ASSERT_TRUE(db.ok()) << db.status();
    gop::testing::MiniboxProcessOptions o;
    o.db = *db;
    o.web_threads = 2;
    o.pool_size = 4;
    auto box = gop::testing::MiniboxProcess::Start(o);
    ASSERT_TRUE(box.ok()) << box.status();
    minibox_ = box->release();
  }
  static void TearDownTestSuite() {
    delete minibox_;
    minibox_ = nullptr;
  }

  // Runs `vus` x `iterations` iterations: the counts are exact, whatever the
  // machine's speed.
  static void RunClean(const std::string& name, const fs::path& data_dir, size_t steps) {
    ASSERT_NE(minibox_, nullptr);
    absl::StatusOr<Scenario> sc = LoadScenario(name, data_dir);
    ASSERT_TRUE(sc.ok()) << sc.status();
    ASSERT_EQ(sc->steps.size(), steps);
    LoadOptions o;
    o.base_url = minibox_->base_url() + "/fhir";
    o.executor = Executor::kPerVuIterations;
    o.vus = 3;
    o.iterations = 2;
    o.threads = 2;
    o.duration = absl::Seconds(60);
    auto runner = LoadRunner::Create(*std::move(sc), o);
    ASSERT_TRUE(runner.ok()) << runner.status();
    absl::StatusOr<LoadResult> r = (*runner)->Run(nullptr);
    ASSERT_TRUE(r.ok()) << r.status();
    for (const OperationStats& op : r->operations) {
      EXPECT_EQ(op.errors, 0) << name << ": " << op.name << " status "
                              << (op.status_counts.empty() ? 0 : op.status_counts.begin()->first);
    }
    EXPECT_EQ(r->overall.errors, 0) << name;
    EXPECT_EQ(r->iterations, 6) << name;
    EXPECT_EQ(r->overall.requests, static_cast<int64_t>(6 * steps)) << name;
    EXPECT_EQ(r->checks_failed, 0) << name;
  }

  static gop::testing::MiniboxProcess* minibox_;
};

gop::testing::MiniboxProcess* MiniboxScenariosTest::minibox_ = nullptr;

TEST_F(MiniboxScenariosTest, Crud) { RunClean("crud", GOP_SOURCE_DIR, 36); }
TEST_F(MiniboxScenariosTest, Search) { RunClean("search", GOP_SOURCE_DIR, 17); }
TEST_F(MiniboxScenariosTest, Transaction) { RunClean("transaction", GOP_SOURCE_DIR, 4); }

TEST_F(MiniboxScenariosTest, Get) {
  // `get` fetches the base URL itself: point it at one resource type.
  ASSERT_NE(minibox_, nullptr);
  absl::StatusOr<Scenario> sc = LoadScenario("get", GOP_SOURCE_DIR);
  ASSERT_TRUE(sc.ok());
  LoadOptions o;
  o.base_url = minibox_->base_url() + "/fhir/Patient?_count=1";
  o.executor = Executor::kPerVuIterations;
  o.vus = 2;
  o.iterations = 5;
  o.threads = 1;
  auto runner = LoadRunner::Create(*std::move(sc), o);
  ASSERT_TRUE(runner.ok());
  absl::StatusOr<LoadResult> r = (*runner)->Run(nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->overall.requests, 10);
  EXPECT_EQ(r->overall.errors, 0);
}

TEST_F(MiniboxScenariosTest, ProcedureAddedFromFilesAlone) {
  fs::path dir = fs::path(::testing::TempDir()) / "gop-data-procedure-minibox";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(fs::path(GOP_SOURCE_DIR) / "seeds", dir / "seeds", fs::copy_options::recursive);
  fs::create_directories(dir / "scenarios");
  fs::path extra = fs::path(GOP_TESTDATA_DIR) / "procedure";
  fs::copy_file(extra / "seeds/procedure.json", dir / "seeds/procedure.json");
  fs::copy_file(extra / "scenarios/procedure.yaml", dir / "scenarios/procedure.yaml");
  RunClean("procedure", dir, 6);
}

}  // namespace
}  // namespace gop::loadgen
