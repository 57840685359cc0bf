#include "engine/reactor/idle_poll_window.h"

#include <gtest/gtest.h>

namespace ringlog::reactor {
namespace {

using std::chrono::microseconds;

TEST(IdlePollWindow, StartsAtTheMaximum) {
  IdlePollWindow w(microseconds(50));
  EXPECT_EQ(w.window(), microseconds(50));
}

TEST(IdlePollWindow, LongSleepsShrinkItToZero) {
  IdlePollWindow w(microseconds(50));
  w.on_sleep(microseconds(1000));
  EXPECT_EQ(w.window(), microseconds(25));
  for (int i = 0; i < 3; ++i) w.on_sleep(microseconds(1000));
  EXPECT_EQ(w.window(), microseconds(0)) << "25 -> 12.5 -> 6.25 -> below the start: off";
  w.on_sleep(microseconds(1000));
  EXPECT_EQ(w.window(), microseconds(0));
}

TEST(IdlePollWindow, ShortSleepsGrowItBackUpToTheMaximum) {
  IdlePollWindow w(microseconds(50));
  for (int i = 0; i < 10; ++i) w.on_sleep(microseconds(1000));
  ASSERT_EQ(w.window(), microseconds(0));
  w.on_sleep(microseconds(20));
  EXPECT_EQ(w.window(), IdlePollWindow::kStart);
  w.on_sleep(microseconds(20));
  EXPECT_EQ(w.window(), microseconds(10));
  for (int i = 0; i < 10; ++i) w.on_sleep(microseconds(20));
  EXPECT_EQ(w.window(), microseconds(50)) << "capped at the maximum";
}

TEST(IdlePollWindow, ASleepOfExactlyTheMaximumStillGrows) {
  IdlePollWindow w(microseconds(40));
  w.on_sleep(microseconds(1000));
  w.on_sleep(microseconds(40));
  EXPECT_EQ(w.window(), microseconds(40));
}

TEST(IdlePollWindow, ZeroMaximumNeverPolls) {
  IdlePollWindow w(microseconds(0));
  w.on_sleep(microseconds(1));
  EXPECT_EQ(w.window(), microseconds(0));
}

}  // namespace
}  // namespace ringlog::reactor
