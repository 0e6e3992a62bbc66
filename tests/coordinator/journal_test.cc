#include "coordinator/journal.h"

#include <fstream>

#include "gtest/gtest.h"

namespace gop {
namespace {

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gop-journal-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = dir_ / "journal.jsonl";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_, path_;
};

TEST_F(JournalTest, MissingJournalIsAFreshRun) {
  auto replay = Journal::Read(path_);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->records, 0);
  EXPECT_TRUE(replay->finished.empty());
}

TEST_F(JournalTest, ReplaysFinishedAndFailedCellsWithAttempts) {
  {
    auto j = Journal::Open(path_);
    ASSERT_TRUE(j.ok());
    ASSERT_TRUE((*j)->Append({{"event", "assigned"}, {"cell", "a"}, {"attempt", 1}}).ok());
    ASSERT_TRUE((*j)->Append({{"event", "requeued"}, {"cell", "a"}, {"attempt", 1}}).ok());
    ASSERT_TRUE((*j)->Append({{"event", "assigned"}, {"cell", "a"}, {"attempt", 2}}).ok());
    ASSERT_TRUE((*j)->Append({{"event", "finished"}, {"cell", "a"}, {"attempt", 2}, {"file", "f.json"}}).ok());
    ASSERT_TRUE((*j)->Append({{"event", "assigned"}, {"cell", "b"}, {"attempt", 1}}).ok());
    ASSERT_TRUE((*j)->Append({{"event", "failed"}, {"cell", "b"}, {"attempt", 1}, {"reason", "boom"}}).ok());
    ASSERT_TRUE((*j)->Append({{"event", "assigned"}, {"cell", "c"}, {"attempt", 1}}).ok());
  }
  auto replay = Journal::Read(path_);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->records, 7);
  ASSERT_EQ(replay->finished.size(), 2u);
  EXPECT_TRUE(replay->finished["a"].ok);
  EXPECT_EQ(replay->finished["a"].attempts, 2);
  EXPECT_EQ(replay->finished["a"].file, "f.json");
  EXPECT_FALSE(replay->finished["b"].ok);
  EXPECT_EQ(replay->finished["b"].reason, "boom");
  EXPECT_EQ(replay->attempts["c"], 1);
  EXPECT_EQ(replay->finished.count("c"), 0u) << "assigned but never finished: runs again";
}

TEST_F(JournalTest, TornLastLineFromACrashIsSkippedAndReported) {
  {
    auto j = Journal::Open(path_);
    ASSERT_TRUE((*j)->Append({{"event", "finished"}, {"cell", "a"}, {"attempt", 1}}).ok());
  }
  std::ofstream(path_, std::ios::app) << "{\"event\":\"fini";
  auto replay = Journal::Read(path_);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->finished["a"].ok);
  ASSERT_EQ(replay->problems.size(), 1u);
  EXPECT_NE(replay->problems[0].find(":2:"), std::string::npos) << replay->problems[0];
}

TEST_F(JournalTest, AppendsAfterReopen) {
  {
    auto j = Journal::Open(path_);
    ASSERT_TRUE((*j)->Append({{"event", "finished"}, {"cell", "a"}, {"attempt", 1}}).ok());
  }
  {
    auto j = Journal::Open(path_);
    ASSERT_TRUE((*j)->Append({{"event", "finished"}, {"cell", "b"}, {"attempt", 1}}).ok());
  }
  auto replay = Journal::Read(path_);
  EXPECT_EQ(replay->finished.size(), 2u);
}

TEST_F(JournalTest, UnwritableDirectoryIsAnError) {
  auto j = Journal::Open(dir_ / "no-such-dir" / "journal.jsonl");
  EXPECT_FALSE(j.ok());
}

}  // namespace
}  // namespace gop
