#include "ctl/render_status.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ctl/fake_coordinator.h"

namespace gop::ctl {
namespace {

using ::gop::testing::CannedFinishedStatus;
using ::gop::testing::CannedRunningStatus;
using ::gop::testing::kCannedNow;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Compares with tests/ctl/testdata/NAME; GOP_UPDATE_GOLDEN=1 rewrites it.
void ExpectGolden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(GOP_TESTDATA_DIR) + "/" + name;
  if (std::getenv("GOP_UPDATE_GOLDEN") != nullptr) std::ofstream(path) << actual;
  EXPECT_EQ(actual, ReadFile(path)) << "regenerate with GOP_UPDATE_GOLDEN=1 if the change is intended";
}

TEST(RenderStatusTest, RunningStatusMatchesGolden) {
  ExpectGolden("status.golden", RenderStatus(CannedRunningStatus(), kCannedNow));
}

TEST(RenderStatusTest, FinishedStatusMatchesGolden) {
  ExpectGolden("status_finished.golden",
               RenderStatus(CannedFinishedStatus(v1::RUN_STATE_FAILED), kCannedNow));
}

TEST(RenderStatusTest, NoAgentsUnknownEtaNoStart) {
  v1::RunStatus status;
  status.set_run_id("r");
  status.set_state(v1::RUN_STATE_RUNNING);
  status.set_cells_total(4);
  status.set_cells_queued(4);
  status.set_eta_ms(-1);
  const std::string text = RenderStatus(status, kCannedNow);
  EXPECT_EQ(text,
            "run r  RUNNING\n"
            "cells: 0 done, 0 running, 4 queued, 0 failed of 4 (0%)  ETA unknown\n"
            "\n"
            "no agents connected\n");
}

TEST(RenderStatusTest, LineIsOneLineWithTotals) {
  const std::string line = RenderStatusLine(CannedRunningStatus(), kCannedNow);
  EXPECT_EQ(line,
            "2025-06-15T15:06:40Z run 20250615-103000 RUNNING: 11/20 done, 2 running, 6 queued, "
            "1 failed; 3 agents, 1834.6 req/s; ETA 31m15s; 1 warnings\n");
  const std::string final_line = RenderStatusLine(CannedFinishedStatus(), kCannedNow);
  EXPECT_THAT(final_line, HasSubstr("FINISHED: 19/20 done"));
  EXPECT_THAT(final_line, Not(HasSubstr("ETA")));
}

TEST(RenderStatusTest, JsonRoundTripsAndUsesProtoFieldNames) {
  const v1::RunStatus status = CannedRunningStatus();
  for (bool pretty : {true, false}) {
    absl::StatusOr<std::string> json = RenderStatusJson(status, pretty);
    ASSERT_TRUE(json.ok()) << json.status();
    EXPECT_THAT(*json, HasSubstr("\"run_id\""));
    EXPECT_THAT(*json, HasSubstr("\"RUN_STATE_RUNNING\""));
    EXPECT_EQ(json->back(), '\n');
    // One object per line when compact (watch --json).
    if (!pretty) {
      EXPECT_EQ(json->find('\n'), json->size() - 1);
    }
    v1::RunStatus parsed;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*json, &parsed).ok());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, status));
  }
}

TEST(RenderStatusTest, DefaultsAreVisibleInJson) {
  v1::RunStatus status;  // all zero
  absl::StatusOr<std::string> json = RenderStatusJson(status, false);
  ASSERT_TRUE(json.ok());
  EXPECT_THAT(*json, HasSubstr("\"cells_failed\":0"));
}

TEST(RenderStatusTest, FormatDuration) {
  EXPECT_EQ(FormatDurationMs(-5), "0ms");
  EXPECT_EQ(FormatDurationMs(850), "850ms");
  EXPECT_EQ(FormatDurationMs(12'999), "12s");
  EXPECT_EQ(FormatDurationMs(60'000), "1m00s");
  EXPECT_EQ(FormatDurationMs(250'000), "4m10s");
  EXPECT_EQ(FormatDurationMs(3'720'000), "1h02m");
}

TEST(RenderStatusTest, TerminalStates) {
  EXPECT_FALSE(IsTerminal(v1::RUN_STATE_UNSPECIFIED));
  EXPECT_FALSE(IsTerminal(v1::RUN_STATE_RUNNING));
  EXPECT_TRUE(IsTerminal(v1::RUN_STATE_FINISHED));
  EXPECT_TRUE(IsTerminal(v1::RUN_STATE_FAILED));
  EXPECT_TRUE(IsTerminal(v1::RUN_STATE_CANCELLED));
}

}  // namespace
}  // namespace gop::ctl
