#include "analysis/run_settings.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace gop::analysis {
namespace {

TEST(RoundHalfEvenTest, PythonRounding) {
  EXPECT_EQ(RoundHalfEven(4.5), 4);  // 3 x 1.5
  EXPECT_EQ(RoundHalfEven(1.5), 2);
  EXPECT_EQ(RoundHalfEven(2.5), 2);
  EXPECT_EQ(RoundHalfEven(2.6), 3);
  EXPECT_EQ(RoundHalfEven(3.0), 3);
}

class RunSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gop-run-settings-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(RunSettingsTest, ReadsMultipliersAndKeepsText) {
  const std::string text = "cpu_limits: [2]\nweb_thread_multipliers: [1, 1.5]\n"
                           "db_pool_multipliers: [2]\n";
  std::ofstream(dir_ / "grid.yaml") << text;
  const RunSettings s = ReadRunSettings(dir_ / "grid.yaml");
  EXPECT_TRUE(s.found);
  EXPECT_EQ(s.grid_yaml, text);
  EXPECT_EQ(s.web_thread_multipliers, (std::vector<double>{1, 1.5}));
  EXPECT_EQ(s.db_pool_multipliers, (std::vector<double>{2}));
  EXPECT_TRUE(s.problem.empty());
}

TEST_F(RunSettingsTest, MissingAndBrokenFiles) {
  EXPECT_FALSE(ReadRunSettings(dir_ / "nope.yaml").found);
  std::ofstream(dir_ / "grid.yaml") << "web_thread_multipliers: [1, [\n";
  const RunSettings s = ReadRunSettings(dir_ / "grid.yaml");
  EXPECT_TRUE(s.found);
  EXPECT_FALSE(s.problem.empty());
  EXPECT_TRUE(s.web_thread_multipliers.empty());
}

}  // namespace
}  // namespace gop::analysis
