// Proves the SPSC ring and the shard group: cross-shard calls and posts carry values, errors and
// exceptions (2 and 3+ shards), tiny rings apply back-pressure without loss or reordering, and the
// group shuts down with work in flight.
#include "engine/reactor/smp.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "engine/base/errno.h"
#include "engine/base/result.h"
#include "engine/reactor/io.h"
#include "engine/reactor/spsc_ring.h"
#include "engine/reactor/timer.h"
#include "tests/unit/engine/reactor/test_util.h"

namespace ringlog::reactor {
namespace {

using namespace std::chrono_literals;
using testing::CancelOnStop;
using testing::ms_since;
using testing::SocketPair;
using testing::Watchdog;

// ---- SpscRing ----

TEST(SpscRingTest, WrapsAroundManyTimesInOrder) {
  SpscRing<uint64_t> ring(8);
  uint64_t next_in = 0, next_out = 0;
  for (int round = 0; round < 1000; ++round) {
    const int n = 1 + round % 8;
    for (int i = 0; i < n; ++i) ASSERT_TRUE(ring.try_push(next_in++));
    ring.publish();
    ring.consume_all([&](uint64_t v) { ASSERT_EQ(v, next_out++); });
  }
  EXPECT_EQ(next_in, next_out);
}

TEST(SpscRingTest, RefusesPushWhenFullUntilTheConsumerFreesSlots) {
  SpscRing<int> ring(4);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(ring.try_push(i));
  EXPECT_FALSE(ring.try_push(4));
  EXPECT_FALSE(ring.has_room());
  ring.publish();
  EXPECT_FALSE(ring.try_push(4)) << "published but not consumed: still full";
  int seen = 0;
  EXPECT_EQ(ring.consume_all([&](int v) { EXPECT_EQ(v, seen++); }), 4u);
  EXPECT_TRUE(ring.has_room());
  EXPECT_TRUE(ring.try_push(4));
}

TEST(SpscRingTest, PushedItemsAreInvisibleUntilPublished) {
  SpscRing<int> ring(16);
  ASSERT_TRUE(ring.try_push(1));
  ASSERT_TRUE(ring.try_push(2));
  EXPECT_FALSE(ring.has_items());
  EXPECT_EQ(ring.consume_all([](int) {}), 0u);
  EXPECT_TRUE(ring.publish());
  EXPECT_FALSE(ring.publish()) << "nothing new to publish";
  EXPECT_TRUE(ring.has_items());
  EXPECT_EQ(ring.consume_all([](int) {}), 2u);
  EXPECT_FALSE(ring.has_items());
}

TEST(SpscRingTest, WaitingAnnouncementIsTakenOnce) {
  SpscRing<int> ring(2);
  EXPECT_FALSE(ring.take_waiting());
  ring.announce_waiting();
  EXPECT_TRUE(ring.take_waiting());
  EXPECT_FALSE(ring.take_waiting());
  ring.announce_waiting();
  ring.clear_waiting();
  EXPECT_FALSE(ring.take_waiting());
}

TEST(SpscRingTest, TwoThreadsPassAMillionItemsInOrder) {
  Watchdog watchdog(30s);
  constexpr uint64_t kItems = 1'000'000;
  SpscRing<uint64_t> ring(64);
  std::thread producer([&ring] {
    uint64_t next = 0;
    while (next < kItems) {
      int batch = 0;
      while (next < kItems && batch < 16 && ring.try_push(next)) {
        ++next;
        ++batch;
      }
      ring.publish();
      if (batch == 0) std::this_thread::yield();
    }
  });
  uint64_t expected = 0;
  bool in_order = true;
  while (expected < kItems) {
    if (ring.consume_all([&](uint64_t v) { in_order = in_order && v == expected++; }) == 0) {
      std::this_thread::yield();
    }
  }
  producer.join();
  EXPECT_TRUE(in_order);
}

// ---- Smp: calls and posts ----

SmpOptions unpinned(uint32_t shards, uint32_t ring_capacity = 4096) {
  SmpOptions o;
  o.shards = shards;
  o.pin_threads = false;
  o.ring_capacity = ring_capacity;
  return o;
}

Result<int, Errno> fails_with_enoent() { return Errno{ENOENT}; }

Task<int> slow_square(int x) {
  co_await sleep(1ms);
  co_return x* x;
}

struct CallOutcome {
  int value = 0;
  uint32_t ran_on = 99;
  bool error_is_enoent = false;
  std::string exception;
  int task_value = 0;
  bool posted_ran_on_target = false;
};

Task<void> caller_shard(CallOutcome* out, std::atomic<bool>* posted) {
  Smp& smp = Smp::current();
  out->value = co_await smp.call(ShardId(1), [] { return 6 * 7; });
  out->ran_on = co_await smp.call(ShardId(1), [] { return Smp::this_shard().value(); });
  Result<int, Errno> r = co_await smp.call(ShardId(1), [] { return fails_with_enoent(); });
  out->error_is_enoent = !r.has_value() && r.error().code == ENOENT;
  try {
    co_await smp.call(ShardId(1), []() -> int { throw std::runtime_error("thrown on shard 1"); });
  } catch (const std::runtime_error& e) {
    out->exception = e.what();
  }
  out->task_value = co_await smp.call(ShardId(1), [] { return slow_square(9); });
  co_await smp.post(ShardId(1), [posted] { posted->store(Smp::this_shard() == ShardId(1)); });
  // The post is one-way; wait (bounded) for its effect.
  for (int i = 0; i < 5000 && !posted->load(); ++i) co_await sleep(1ms);
  out->posted_ran_on_target = posted->load();
  smp.request_stop();
}

TEST(SmpTest, CallsCarryValuesErrorsExceptionsAndTasksAcrossShards) {
  Watchdog watchdog(20s);
  Smp smp(unpinned(2));
  CallOutcome out;
  std::atomic<bool> posted{false};
  smp.run([&out, &posted](ShardId id) -> Task<void> {
    if (id == ShardId(0)) return caller_shard(&out, &posted);
    return []() -> Task<void> { co_return; }();
  });
  EXPECT_EQ(out.value, 42);
  EXPECT_EQ(out.ran_on, 1u);
  EXPECT_TRUE(out.error_is_enoent);
  EXPECT_EQ(out.exception, "thrown on shard 1");
  EXPECT_EQ(out.task_value, 81);
  EXPECT_TRUE(out.posted_ran_on_target);
}

Task<void> local_call(bool* inline_ok) {
  Smp& smp = Smp::current();
  const std::thread::id me = std::this_thread::get_id();
  bool ran = false;
  Task<int> t = smp.call(Smp::this_shard(), [&ran, me] {
    ran = true;
    EXPECT_EQ(std::this_thread::get_id(), me);
    return 5;
  });
  EXPECT_FALSE(ran) << "Task is lazy";
  const int v = co_await std::move(t);
  *inline_ok = ran && v == 5;
  // A local post runs before co_await returns, too.
  bool posted = false;
  co_await smp.post(Smp::this_shard(), [&posted] { posted = true; });
  *inline_ok = *inline_ok && posted;
  smp.request_stop();
}

TEST(SmpTest, LocalCallAndPostRunInline) {
  Watchdog watchdog(20s);
  Smp smp(unpinned(2));
  bool inline_ok = false;
  smp.run([&inline_ok](ShardId id) -> Task<void> {
    if (id == ShardId(0)) return local_call(&inline_ok);
    return []() -> Task<void> { co_return; }();
  });
  EXPECT_TRUE(inline_ok);
}

// Every shard calls every other shard `rounds` times; each call returns a value derived from
// the request so mix-ups show.
Task<void> ping_everyone(int rounds, std::atomic<int>* good, std::atomic<int>* done) {
  Smp& smp = Smp::current();
  const uint32_t self = Smp::this_shard().value();
  for (int i = 0; i < rounds; ++i) {
    for (uint32_t target = 0; target < smp.size(); ++target) {
      if (target == self) continue;
      const int request = static_cast<int>(self * 1'000'000 + i);
      const int reply = co_await smp.call(ShardId(target), [request] {
        return request * 2 + static_cast<int>(Smp::this_shard().value());
      });
      if (reply == request * 2 + static_cast<int>(target)) good->fetch_add(1);
    }
  }
  if (done->fetch_add(1) + 1 == static_cast<int>(smp.size())) smp.request_stop();
}

void run_ping_pong(uint32_t shards, int rounds) {
  Smp smp(unpinned(shards));
  std::atomic<int> good{0};
  std::atomic<int> done{0};
  smp.run([&](ShardId) { return ping_everyone(rounds, &good, &done); });
  EXPECT_EQ(good.load(), static_cast<int>(shards * (shards - 1)) * rounds);
}

TEST(SmpTest, PingPongBetweenTwoShards) {
  Watchdog watchdog(30s);
  run_ping_pong(2, 5000);
}

TEST(SmpTest, PingPongAmongThreeShardsOnTwoCores) {
  Watchdog watchdog(30s);
  run_ping_pong(3, 2000);
}

TEST(SmpTest, PingPongAmongFiveShardsOnTwoCores) {
  Watchdog watchdog(30s);
  run_ping_pong(5, 500);
}

// ---- back-pressure on tiny rings ----

constexpr int kPostsPerSender = 5000;

struct Inbox {
  // Written only on shard 0.
  std::vector<int> last_seen;
  int received = 0;
  bool in_order = true;
};

void record_post(Inbox* inbox, uint32_t sender, int seq) {
  RL_ASSERT(Smp::this_shard() == ShardId(0));
  if (inbox->last_seen[sender] + 1 != seq) inbox->in_order = false;
  inbox->last_seen[sender] = seq;
  ++inbox->received;
  if (inbox->received == kPostsPerSender * static_cast<int>(Smp::current().size() - 1)) {
    Smp::current().request_stop();
  }
}

Task<void> post_many(Inbox* inbox) {
  Smp& smp = Smp::current();
  const uint32_t self = Smp::this_shard().value();
  for (int seq = 0; seq < kPostsPerSender; ++seq) {
    co_await smp.post(ShardId(0), [inbox, self, seq] { record_post(inbox, self, seq); });
  }
}

TEST(SmpTest, TinyRingsDeliverThousandsOfPostsInOrderPerSender) {
  Watchdog watchdog(30s);
  for (uint32_t shards : {2u, 4u}) {
    Smp smp(unpinned(shards, /*ring_capacity=*/4));
    Inbox inbox;
    inbox.last_seen.assign(shards, -1);
    smp.run([&inbox](ShardId id) -> Task<void> {
      if (id == ShardId(0)) return []() -> Task<void> { co_return; }();
      return post_many(&inbox);
    });
    EXPECT_EQ(inbox.received, kPostsPerSender * static_cast<int>(shards - 1)) << shards;
    EXPECT_TRUE(inbox.in_order) << shards;
  }
}

Task<void> one_call(int i, std::atomic<int>* good) {
  const int r = co_await Smp::current().call(ShardId(1), [i] { return i + 1; });
  if (r == i + 1) good->fetch_add(1);
}

Task<void> many_concurrent_calls(int n, std::atomic<int>* good) {
  for (int i = 0; i < n; ++i) Reactor::current().spawn(one_call(i, good));
  // Wait (bounded) for them, then stop.
  const Clock::time_point deadline = Clock::now() + 20s;
  while (good->load() < n && Clock::now() < deadline) co_await sleep(1ms);
  Smp::current().request_stop();
}

TEST(SmpTest, TinyRingsCarryThousandsOfConcurrentCalls) {
  // 3,000 calls in flight through 4-slot rings both ways: requests wait in the caller's FIFO,
  // replies in the callee's.
  Watchdog watchdog(30s);
  Smp smp(unpinned(2, /*ring_capacity=*/4));
  std::atomic<int> good{0};
  smp.run([&good](ShardId id) -> Task<void> {
    if (id == ShardId(0)) return many_concurrent_calls(3000, &good);
    return []() -> Task<void> { co_return; }();
  });
  EXPECT_EQ(good.load(), 3000);
}

// ---- shutdown ----

struct ShutdownLog {
  std::atomic<int> cancelled_by_listener{0};
  std::atomic<int> cancelled_after_grace{0};
  std::atomic<int> sleeps_cancelled{0};
};

Task<void> recv_cancelled_by_listener(int fd, ShutdownLog* log) {
  CancelSource cancel;
  CancelOnStop on_stop(cancel);
  std::array<std::byte, 8> buf{};
  IoResult r = co_await recv(fd, buf, IoOptions{.cancel = &cancel});
  if (!r && r.error().code == ECANCELED) log->cancelled_by_listener.fetch_add(1);
}

Task<void> recv_ignoring_stop(int fd, ShutdownLog* log) {
  std::array<std::byte, 8> buf{};
  IoResult r = co_await recv(fd, buf);
  if (!r && r.error().code == ECANCELED) log->cancelled_after_grace.fetch_add(1);
}

Task<void> sleep_ignoring_stop(ShutdownLog* log) {
  const bool slept = co_await sleep(1h);
  if (!slept) log->sleeps_cancelled.fetch_add(1);
}

Task<void> shard_with_blocked_work(int fd_listener, int fd_ignoring, ShutdownLog* log) {
  Reactor::current().spawn(recv_cancelled_by_listener(fd_listener, log));
  Reactor::current().spawn(recv_ignoring_stop(fd_ignoring, log));
  Reactor::current().spawn(sleep_ignoring_stop(log));
  co_await sleep(5ms);
  if (Smp::this_shard() == ShardId(1)) Smp::current().request_stop();
}

TEST(SmpTest, ShutdownCancelsWorkInFlightAndJoinsEveryThread) {
  Watchdog watchdog(30s);
  SocketPair a, b, c, d;  // one per blocked recv; nothing is ever written
  SmpOptions options = unpinned(2);
  options.reactor.shutdown_grace_ms = std::chrono::milliseconds(100);
  ShutdownLog log;
  const Clock::time_point start = Clock::now();
  {
    Smp smp(options);
    smp.run([&](ShardId id) {
      return id == ShardId(0) ? shard_with_blocked_work(a.fd[0], b.fd[0], &log)
                              : shard_with_blocked_work(c.fd[0], d.fd[0], &log);
    });
  }  // run returned: every shard exited and its thread was joined
  EXPECT_EQ(log.cancelled_by_listener.load(), 2);
  EXPECT_EQ(log.cancelled_after_grace.load(), 2);
  EXPECT_EQ(log.sleeps_cancelled.load(), 2);
  EXPECT_GE(ms_since(start), 100.0);
  EXPECT_LT(ms_since(start), 10'000.0);
}

TEST(SmpTest, RequestStopFromAnOutsideThreadEndsRun) {
  Watchdog watchdog(30s);
  Smp smp(unpinned(3));
  std::thread stopper([&smp] {
    std::this_thread::sleep_for(20ms);
    smp.request_stop();
  });
  smp.run([](ShardId) -> Task<void> {
    return []() -> Task<void> {
      CancelSource cancel;
      CancelOnStop on_stop(cancel);
      const bool slept = co_await sleep(1h, &cancel);
      EXPECT_FALSE(slept);
    }();
  });
  stopper.join();
}

TEST(SmpTest, StopRequestedBeforeRunStillRunsAndEnds) {
  Watchdog watchdog(30s);
  Smp smp(unpinned(2));
  smp.request_stop();
  std::atomic<int> ran{0};
  smp.run([&ran](ShardId) -> Task<void> {
    ran.fetch_add(1);
    return []() -> Task<void> { co_return; }();
  });
  EXPECT_EQ(ran.load(), 2);
}

}  // namespace
}  // namespace ringlog::reactor
