#include "coordinator/cell_scheduler.h"

#include <algorithm>

#include "gtest/gtest.h"

namespace gop {
namespace {

using Event = CellScheduler::Event;

v1::CellConfig Cell(const std::string& id, double cpu) {
  v1::CellConfig c;
  c.set_cell_id(id);
  c.set_cpu_limit(cpu);
  return c;
}

class CellSchedulerTest : public ::testing::Test {
 protected:
  CellScheduler Make(std::vector<v1::CellConfig> cells, CellScheduler::Options options = {}) {
    options.lease_timeout = absl::Seconds(10);
    options.unschedulable_grace = absl::Seconds(30);
    return CellScheduler(std::move(cells), options, &clock_);
  }
  static bool Has(const std::vector<Event>& events, Event::Kind kind, const std::string& cell) {
    return std::any_of(events.begin(), events.end(),
                       [&](const Event& e) { return e.kind == kind && e.cell_id == cell; });
  }
  FakeClock clock_;
};

TEST_F(CellSchedulerTest, IdleAgentsPullCellsInGridOrderOneAtATime) {
  CellScheduler s = Make({Cell("a", 1), Cell("b", 1), Cell("c", 1)});
  s.AgentConnected({"x", "h", 2, "process"});
  auto first = s.NextFor("x");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->cell.cell_id(), "a");
  EXPECT_EQ(first->attempt, 1);
  EXPECT_FALSE(s.NextFor("x").has_value()) << "a busy agent gets nothing more";
  s.AgentConnected({"y", "h", 2, "process"});
  EXPECT_EQ(s.NextFor("y")->cell.cell_id(), "b");
  EXPECT_EQ(s.CountIn(v1::CELL_STATE_RUNNING), 2);
  EXPECT_EQ(s.CountIn(v1::CELL_STATE_QUEUED), 1);
}

TEST_F(CellSchedulerTest, CellsGoOnlyToAgentsWithEnoughCoresAndTheRightKind) {
  CellScheduler::Options options;
  options.required_target_kind = "process";
  CellScheduler s = Make({Cell("big", 4), Cell("small", 1)}, options);
  s.AgentConnected({"tiny", "h", 2, "process"});
  s.AgentConnected({"docker", "h", 8, "compose"});
  EXPECT_EQ(s.NextFor("tiny")->cell.cell_id(), "small");
  EXPECT_FALSE(s.NextFor("docker").has_value());
  s.AgentConnected({"large", "h", 4, "process"});
  EXPECT_EQ(s.NextFor("large")->cell.cell_id(), "big");
}

TEST_F(CellSchedulerTest, AnyKindAcceptsEveryAgent) {
  CellScheduler::Options options;
  options.required_target_kind = "any";
  CellScheduler s = Make({Cell("a", 1)}, options);
  s.AgentConnected({"docker", "h", 8, "compose"});
  EXPECT_TRUE(s.NextFor("docker").has_value());
}

TEST_F(CellSchedulerTest, LapsedLeaseRequeuesTheCellForAnotherAgent) {
  CellScheduler s = Make({Cell("a", 1)});
  s.AgentConnected({"x", "h", 1, "process"});
  ASSERT_TRUE(s.NextFor("x").has_value());
  s.AgentDisconnected("x");
  clock_.Advance(absl::Seconds(5));
  EXPECT_TRUE(s.Tick().empty()) << "the lease still holds";
  clock_.Advance(absl::Seconds(6));
  std::vector<Event> events = s.Tick();
  EXPECT_TRUE(Has(events, Event::Kind::kRequeued, "a"));
  s.AgentConnected({"y", "h", 1, "process"});
  auto retry = s.NextFor("y");
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->attempt, 2);
}

TEST_F(CellSchedulerTest, MessagesFromTheAgentRenewItsLease) {
  CellScheduler s = Make({Cell("a", 1)});
  s.AgentConnected({"x", "h", 1, "process"});
  ASSERT_TRUE(s.NextFor("x").has_value());
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(absl::Seconds(8));
    s.Touch("x");
    EXPECT_TRUE(s.Tick().empty());
  }
  EXPECT_EQ(s.StateOf("a"), v1::CELL_STATE_RUNNING);
}

TEST_F(CellSchedulerTest, AttemptsAreBoundedAndEveryReasonIsKept) {
  CellScheduler::Options options;
  options.max_attempts = 2;
  CellScheduler s = Make({Cell("a", 1)}, options);
  s.AgentConnected({"x", "h", 1, "process"});
  std::vector<Event> events;
  auto a1 = s.NextFor("x");
  s.OnResult("a", a1->attempt, "x", false, "target never healthy", &events);
  EXPECT_TRUE(Has(events, Event::Kind::kRequeued, "a"));
  auto a2 = s.NextFor("x");
  ASSERT_TRUE(a2.has_value());
  EXPECT_EQ(a2->attempt, 2);
  events.clear();
  s.OnResult("a", a2->attempt, "x", false, "connection refused", &events);
  ASSERT_TRUE(Has(events, Event::Kind::kFailed, "a"));
  EXPECT_EQ(s.StateOf("a"), v1::CELL_STATE_FAILED);
  EXPECT_TRUE(s.AllFinished());
  v1::RunStatus status;
  s.FillStatus(&status);
  EXPECT_NE(status.cells(0).failure_reason().find("target never healthy"), std::string::npos);
  EXPECT_NE(status.cells(0).failure_reason().find("connection refused"), std::string::npos);
}

TEST_F(CellSchedulerTest, DuplicateResultsAreDropped) {
  CellScheduler s = Make({Cell("a", 1)});
  s.AgentConnected({"x", "h", 1, "process"});
  auto a = s.NextFor("x");
  std::vector<Event> events;
  EXPECT_EQ(s.OnResult("a", a->attempt, "x", true, "", &events), CellScheduler::ResultDisposition::kAccepted);
  EXPECT_EQ(s.OnResult("a", a->attempt, "x", true, "", &events), CellScheduler::ResultDisposition::kDuplicate);
  EXPECT_EQ(s.CountIn(v1::CELL_STATE_DONE), 1);
}

TEST_F(CellSchedulerTest, LateResultOfAnEarlierAttemptCompletesTheCellAndCancelsTheNewer) {
  CellScheduler s = Make({Cell("a", 1)});
  s.AgentConnected({"x", "h", 1, "process"});
  ASSERT_EQ(s.NextFor("x")->attempt, 1);
  s.AgentDisconnected("x");
  clock_.Advance(absl::Seconds(11));
  s.Tick();
  s.AgentConnected({"y", "h", 1, "process"});
  ASSERT_EQ(s.NextFor("y")->attempt, 2);
  std::vector<Event> events;
  EXPECT_EQ(s.OnResult("a", 1, "x", true, "", &events), CellScheduler::ResultDisposition::kAccepted);
  ASSERT_TRUE(Has(events, Event::Kind::kCancelAttempt, "a"));
  EXPECT_EQ(events[0].agent_id, "y");
  EXPECT_EQ(events[0].attempt, 2);
  EXPECT_EQ(s.OnResult("a", 2, "y", true, "", &events), CellScheduler::ResultDisposition::kDuplicate);
}

TEST_F(CellSchedulerTest, StaleFailureDoesNotCount) {
  CellScheduler s = Make({Cell("a", 1)});
  s.AgentConnected({"x", "h", 1, "process"});
  s.NextFor("x");
  s.AgentDisconnected("x");
  clock_.Advance(absl::Seconds(11));
  s.Tick();
  s.AgentConnected({"y", "h", 1, "process"});
  s.NextFor("y");
  std::vector<Event> events;
  EXPECT_EQ(s.OnResult("a", 1, "x", false, "late", &events), CellScheduler::ResultDisposition::kDuplicate);
  EXPECT_EQ(s.StateOf("a"), v1::CELL_STATE_RUNNING);
}

TEST_F(CellSchedulerTest, UnschedulableCellIsReportedAtOnceAndFailedAfterGrace) {
  CellScheduler s = Make({Cell("huge", 64), Cell("ok", 1)});
  s.AgentConnected({"x", "h", 2, "process"});
  std::vector<Event> events = s.Tick();
  ASSERT_TRUE(Has(events, Event::Kind::kUnschedulable, "huge"));
  EXPECT_NE(events[0].reason.find("has 2 cores, the cell needs 64"), std::string::npos) << events[0].reason;
  EXPECT_EQ(s.Unschedulable().size(), 1u);
  clock_.Advance(absl::Seconds(29));
  EXPECT_FALSE(Has(s.Tick(), Event::Kind::kFailed, "huge"));
  clock_.Advance(absl::Seconds(2));
  EXPECT_TRUE(Has(s.Tick(), Event::Kind::kFailed, "huge"));
  EXPECT_EQ(s.StateOf("huge"), v1::CELL_STATE_FAILED);
  EXPECT_EQ(s.StateOf("ok"), v1::CELL_STATE_QUEUED);
}

TEST_F(CellSchedulerTest, NoAgentsMeansWaitingNotFailing) {
  CellScheduler s = Make({Cell("a", 1)});
  clock_.Advance(absl::Hours(1));
  EXPECT_TRUE(s.Tick().empty());
  EXPECT_EQ(s.StateOf("a"), v1::CELL_STATE_QUEUED);
}

TEST_F(CellSchedulerTest, ReconnectWithoutTheRunningCellRequeuesIt) {
  CellScheduler s = Make({Cell("a", 1)});
  s.AgentConnected({"x", "h", 1, "process"});
  s.NextFor("x");
  std::vector<Event> events = s.Reconcile("x", "", 0);
  EXPECT_TRUE(Has(events, Event::Kind::kRequeued, "a"));
  EXPECT_EQ(s.StateOf("a"), v1::CELL_STATE_QUEUED);
}

TEST_F(CellSchedulerTest, ReconnectStillRunningKeepsTheCell) {
  CellScheduler s = Make({Cell("a", 1)});
  s.AgentConnected({"x", "h", 1, "process"});
  auto a = s.NextFor("x");
  EXPECT_TRUE(s.Reconcile("x", "a", a->attempt).empty());
  EXPECT_EQ(s.StateOf("a"), v1::CELL_STATE_RUNNING);
}

TEST_F(CellSchedulerTest, QueuedCellStillRunningOnAReconnectingAgentIsAdopted) {
  // After a coordinator restart the cell is queued again, but an agent is
  // still running attempt 2 of it: keep that work.
  CellScheduler s = Make({Cell("a", 1), Cell("b", 1)});
  s.RestoreAttempts("a", 2);
  s.AgentConnected({"x", "h", 1, "process"});
  EXPECT_TRUE(s.Reconcile("x", "a", 2).empty());
  EXPECT_EQ(s.StateOf("a"), v1::CELL_STATE_RUNNING);
  EXPECT_FALSE(s.NextFor("x").has_value()) << "the agent is busy with the adopted cell";
  s.AgentConnected({"y", "h", 1, "process"});
  EXPECT_EQ(s.NextFor("y")->cell.cell_id(), "b");
}

TEST_F(CellSchedulerTest, RestoredAttemptNumbersAreNeverReused) {
  CellScheduler s = Make({Cell("a", 1)});
  s.RestoreAttempts("a", 2);
  s.AgentConnected({"x", "h", 1, "process"});
  EXPECT_EQ(s.NextFor("x")->attempt, 3);
}

TEST_F(CellSchedulerTest, BouncedAttemptDoesNotCountAgainstTheLimit) {
  CellScheduler::Options options;
  options.max_attempts = 1;
  CellScheduler s = Make({Cell("a", 1)}, options);
  s.AgentConnected({"x", "h", 1, "process"});
  auto first = s.NextFor("x");
  s.OnNotStarted("a", first->attempt);
  EXPECT_EQ(s.StateOf("a"), v1::CELL_STATE_QUEUED);
  auto second = s.NextFor("x");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->attempt, 2);
  std::vector<Event> events;
  s.OnResult("a", 2, "x", false, "boom", &events);
  EXPECT_TRUE(Has(events, Event::Kind::kFailed, "a")) << "one real attempt allowed, one used";
}

TEST_F(CellSchedulerTest, ReconnectWithAStaleAttemptIsCancelled) {
  CellScheduler s = Make({Cell("a", 1)});
  s.AgentConnected({"x", "h", 1, "process"});
  ASSERT_TRUE(s.NextFor("x").has_value());  // a now runs on x
  s.AgentConnected({"y", "h", 1, "process"});
  std::vector<Event> events = s.Reconcile("y", "a", 7);
  ASSERT_TRUE(Has(events, Event::Kind::kCancelAttempt, "a"));
  EXPECT_EQ(events[0].agent_id, "y");
}

TEST_F(CellSchedulerTest, RestoredCellsAreNeverHandedOut) {
  CellScheduler s = Make({Cell("a", 1), Cell("b", 1)});
  s.RestoreFinished("a", true, 1, "");
  s.AgentConnected({"x", "h", 1, "process"});
  EXPECT_EQ(s.NextFor("x")->cell.cell_id(), "b");
  EXPECT_FALSE(s.NextFor("x").has_value());
}

TEST_F(CellSchedulerTest, CancelAllFinishesTheRun) {
  CellScheduler s = Make({Cell("a", 1), Cell("b", 1)});
  s.AgentConnected({"x", "h", 1, "process"});
  s.NextFor("x");
  s.CancelAll("user said so");
  EXPECT_TRUE(s.AllFinished());
  EXPECT_EQ(s.CountIn(v1::CELL_STATE_FAILED), 2);
}

}  // namespace
}  // namespace gop
