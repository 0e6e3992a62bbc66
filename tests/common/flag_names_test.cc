#include "common/flag_names.h"

#include "gtest/gtest.h"

namespace gop {
namespace {

std::vector<std::string> Normalize(std::vector<std::string> in) {
  std::vector<char*> argv;
  for (auto& s : in) argv.push_back(s.data());
  std::vector<std::string> storage;
  std::vector<char*> out = NormalizeFlagNames(static_cast<int>(argv.size()), argv.data(), &storage);
  EXPECT_EQ(out.back(), nullptr);
  return std::vector<std::string>(out.begin(), out.end() - 1);
}

TEST(FlagNamesTest, HyphensInFlagNamesBecomeUnderscores) {
  EXPECT_EQ(Normalize({"gop-coordinator", "--local-agents", "2", "--dry-run", "--state-dir=/tmp/a-b"}),
            (std::vector<std::string>{"gop-coordinator", "--local_agents", "2", "--dry_run", "--state_dir=/tmp/a-b"}));
}

TEST(FlagNamesTest, ValuesPositionalsAndArgumentsAfterDoubleDashAreKept) {
  EXPECT_EQ(Normalize({"prog", "-x", "my-file", "--", "--not-a-flag"}),
            (std::vector<std::string>{"prog", "-x", "my-file", "--", "--not-a-flag"}));
  EXPECT_EQ(Normalize({"prog-name"}), (std::vector<std::string>{"prog-name"}));
}

}  // namespace
}  // namespace gop
