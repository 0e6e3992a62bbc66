#include "ctl/interrupt.h"

#include "gtest/gtest.h"

namespace gop::ctl {
namespace {

TEST(InterruptTest, RunsTheHandlerAndReportsWhetherOneWasThere) {
  Interrupt interrupt;
  EXPECT_FALSE(interrupt.Trigger()) << "nothing to stop: gopctl exits at once";
  EXPECT_TRUE(interrupt.triggered());

  int calls = 0;
  interrupt.SetHandler([&] { ++calls; });
  EXPECT_EQ(calls, 1) << "an interrupt that came first is not lost";
  EXPECT_TRUE(interrupt.Trigger());
  EXPECT_EQ(calls, 2);
  interrupt.ClearHandler();
  EXPECT_FALSE(interrupt.Trigger());
  EXPECT_EQ(calls, 2);
}

TEST(InterruptTest, UntriggeredHandlerWaits) {
  Interrupt interrupt;
  int calls = 0;
  interrupt.SetHandler([&] { ++calls; });
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(interrupt.triggered());
}

}  // namespace
}  // namespace gop::ctl
