#include "engine/reactor/cpu_contention.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <thread>

namespace ringlog::reactor {
namespace {

using std::chrono::microseconds;
using Clock = CpuContention::Clock;

TEST(CpuContention, AStillCountIsNotContention) {
  CpuContention c;
  const Clock::time_point t0{};
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(c.contended(t0 + microseconds(500) * i, [] { return uint64_t{7}; }));
  }
}

TEST(CpuContention, TheFirstReadIsOnlyABaseline) {
  CpuContention c;
  EXPECT_FALSE(c.contended(Clock::time_point{}, [] { return uint64_t{1'000'000}; }));
}

TEST(CpuContention, AGrownCountIsContentionForTheHold) {
  CpuContention c;
  Clock::time_point t{};
  uint64_t count = 5;
  auto read = [&] { return count; };
  ASSERT_FALSE(c.contended(t, read));
  count = 6;
  t += CpuContention::kCheckInterval;
  EXPECT_TRUE(c.contended(t, read));
  const Clock::time_point grown_at = t;
  // No more preemptions: still contended until the hold has passed, then not.
  while (t + CpuContention::kCheckInterval < grown_at + CpuContention::kHold) {
    t += CpuContention::kCheckInterval;
    EXPECT_TRUE(c.contended(t, read));
  }
  t = grown_at + CpuContention::kHold;
  EXPECT_FALSE(c.contended(t, read));
}

TEST(CpuContention, ReadsTheCountAtMostOncePerInterval) {
  CpuContention c;
  int reads = 0;
  auto read = [&] {
    ++reads;
    return uint64_t{1};
  };
  const Clock::time_point t0{};
  for (int i = 0; i < 10; ++i) c.contended(t0 + microseconds(50) * i, read);
  EXPECT_EQ(reads, 1) << "ten calls within 0.5 ms";
  c.contended(t0 + CpuContention::kCheckInterval, read);
  EXPECT_EQ(reads, 2);
}

// The real signal: a thread that shares its CPU with another busy thread gets preempted.
TEST(CpuContention, AThreadSharingItsCpuWithABusyOneIsPreempted) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu(), &one);
  std::atomic<bool> stop{false};
  std::thread hog([&] {
    pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
    while (!stop.load(std::memory_order_relaxed)) {
    }
  });
  uint64_t grown = 0;
  std::thread victim([&] {
    pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
    const uint64_t before = thread_involuntary_switches();
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (std::chrono::steady_clock::now() < until) {
      grown = thread_involuntary_switches() - before;
      if (grown > 0) break;
    }
  });
  victim.join();
  stop = true;
  hog.join();
  EXPECT_GT(grown, 0u) << "two busy threads on one CPU for up to 2 s";
}

}  // namespace
}  // namespace ringlog::reactor
