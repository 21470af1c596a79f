#include "sim/base/event_loop.h"

#include <gtest/gtest.h>

#include <string>

namespace sim {
namespace {

TEST(EventLoopTest, RunsEventsInTimeOrder) {
  EventLoop loop;
  std::string order;
  loop.At(FromMicros(30), [&] { order += 'c'; });
  loop.At(FromMicros(10), [&] { order += 'a'; });
  loop.At(FromMicros(20), [&] { order += 'b'; });
  while (loop.Step()) {}
  EXPECT_EQ(order, "abc");
  EXPECT_EQ(loop.Now(), FromMicros(30));
}

TEST(EventLoopTest, SameTimeEventsRunInInsertionOrder) {
  EventLoop loop;
  std::string order;
  for (char c : std::string("xyzw")) loop.At(FromMicros(5), [&, c] { order += c; });
  while (loop.Step()) {}
  EXPECT_EQ(order, "xyzw");
}

TEST(EventLoopTest, CancelledEventsDoNotRun) {
  EventLoop loop;
  int ran = 0;
  EventId a = loop.After(Seconds(1), [&] { ++ran; });
  loop.After(Seconds(2), [&] { ran += 10; });
  EXPECT_TRUE(loop.Cancel(a));
  EXPECT_FALSE(loop.Cancel(a));
  while (loop.Step()) {}
  EXPECT_EQ(ran, 10);
}

TEST(EventLoopTest, EventsCanScheduleMoreEvents) {
  EventLoop loop;
  int count = 0;
  std::function<void()> tick = [&] {
    if (++count < 5) loop.After(Seconds(1), tick);
  };
  loop.After(Seconds(1), tick);
  while (loop.Step()) {}
  EXPECT_EQ(count, 5);
  EXPECT_EQ(loop.Now(), FromMicros(5'000'000));
}

TEST(EventLoopTest, RunUntilStopsAtLimit) {
  EventLoop loop;
  int ran = 0;
  loop.At(FromMicros(10), [&] { ++ran; });
  loop.At(FromMicros(100), [&] { ++ran; });
  loop.RunUntil(FromMicros(50));
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(loop.Now(), FromMicros(50));
  EXPECT_THROW(loop.At(FromMicros(40), [] {}), std::logic_error);
}

TEST(EventLoopTest, BackgroundEventsDoNotKeepTheLoopBusy) {
  EventLoop loop;
  int ran = 0;
  EventId retention = loop.AtBackground(FromMicros(100), [&] { ran += 100; });
  loop.At(FromMicros(10), [&] { ++ran; });
  EXPECT_FALSE(loop.IdleExceptBackground());
  loop.Step();
  EXPECT_TRUE(loop.IdleExceptBackground());
  EXPECT_FALSE(loop.Idle());
  EXPECT_TRUE(loop.Cancel(retention));
  EXPECT_TRUE(loop.Idle());
  EXPECT_EQ(ran, 1);
}

}  // namespace
}  // namespace sim
