// Proves the event loop: spawn/block_on, 10,000 concurrent coroutines, a full SQ flushing inline,
// stop listeners and the shutdown grace, and completions reaching a busy loop.
#include "engine/reactor/reactor.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "engine/reactor/io.h"
#include "engine/reactor/timer.h"
#include "tests/unit/engine/reactor/test_util.h"

namespace ringlog::reactor {
namespace {

using namespace std::chrono_literals;
using testing::CancelOnStop;
using testing::ms_since;
using testing::SocketPair;
using testing::Watchdog;

Task<int> value_after_yields(int n, int value) {
  for (int i = 0; i < n; ++i) co_await yield();
  co_return value;
}

TEST(ReactorTest, BlockOnReturnsTheTaskValue) {
  Watchdog watchdog(10s);
  Reactor reactor;
  EXPECT_EQ(reactor.block_on(value_after_yields(3, 7)), 7);
  // A standalone reactor can be used again.
  EXPECT_EQ(reactor.block_on(value_after_yields(0, 8)), 8);
}

Task<void> bump_after_sleep(std::chrono::microseconds d, int* counter) {
  co_await sleep(d);
  ++*counter;
}

TEST(ReactorTest, BlockOnWaitsForSpawnedBackgroundWork) {
  Watchdog watchdog(10s);
  Reactor reactor;
  int counter = 0;
  auto main = [](int* c) -> Task<void> {
    Reactor::current().spawn(bump_after_sleep(5ms, c));
    Reactor::current().spawn(bump_after_sleep(1ms, c));
    co_return;
  };
  reactor.block_on(main(&counter));
  EXPECT_EQ(counter, 2);
  EXPECT_EQ(reactor.live_tasks(), 0u);
}

Task<void> sleeper_that_counts(uint32_t seed, int* finished) {
  std::minstd_rand rng(seed);
  co_await sleep(std::chrono::microseconds(rng() % 5000));
  for (int i = 0; i < 3; ++i) co_await yield();
  co_await sleep(std::chrono::microseconds(rng() % 1000));
  ++*finished;
}

TEST(ReactorTest, TenThousandConcurrentCoroutinesAllFinish) {
  Watchdog watchdog(30s);
  constexpr int kCoroutines = 10'000;
  Reactor reactor;
  int finished = 0;
  auto main = [](int* f) -> Task<void> {
    for (int i = 0; i < kCoroutines; ++i) {
      Reactor::current().spawn(sleeper_that_counts(static_cast<uint32_t>(i + 1), f));
    }
    // All are in flight at once: none can finish before the first sleep's shortest deadline.
    EXPECT_EQ(Reactor::current().live_tasks(), static_cast<uint64_t>(kCoroutines) + 1);
    co_return;
  };
  reactor.block_on(main(&finished));
  EXPECT_EQ(finished, kCoroutines);
}

Task<void> one_nop(int* done) {
  IoResult r = co_await nop();
  EXPECT_TRUE(r.has_value());
  ++*done;
}

TEST(ReactorTest, FullSubmissionQueueFlushesInlineAndEveryNopCompletes) {
  Watchdog watchdog(10s);
  Reactor reactor(ShardId(0), ReactorOptions{.sq_entries = 8, .cq_entries = 4096});
  int done = 0;
  auto main = [](int* d) -> Task<void> {
    for (int i = 0; i < 1000; ++i) Reactor::current().spawn(one_nop(d));
    co_return;
  };
  reactor.block_on(main(&done));
  EXPECT_EQ(done, 1000);
  EXPECT_GT(reactor.inline_flushes(), 0u);
}

Task<void> one_read(int fd, uint64_t offset, int* good) {
  std::array<std::byte, 16> buf{};
  IoResult r = co_await read(fd, buf, offset);
  EXPECT_TRUE(r.has_value());
  if (r && *r == buf.size() && buf[0] == static_cast<std::byte>(offset % 251)) ++*good;
}

TEST(ReactorTest, FullSubmissionQueueWithAThousandFileReads) {
  Watchdog watchdog(10s);
  char path[] = "/tmp/ringlog_reactor_test_XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::unlink(path);
  std::vector<unsigned char> data(1000 * 16);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<unsigned char>((i / 16 * 16) % 251);
  ASSERT_EQ(::pwrite(fd, data.data(), data.size(), 0), static_cast<ssize_t>(data.size()));

  Reactor reactor(ShardId(0), ReactorOptions{.sq_entries = 8, .cq_entries = 4096});
  int good = 0;
  auto main = [](int f, int* g) -> Task<void> {
    for (int i = 0; i < 1000; ++i) Reactor::current().spawn(one_read(f, uint64_t(i) * 16, g));
    co_return;
  };
  reactor.block_on(main(fd, &good));
  EXPECT_EQ(good, 1000);
  EXPECT_GT(reactor.inline_flushes(), 0u);
  ::close(fd);
}

TEST(ReactorTest, CompletionQueueSmallerThanTheWorkStillCompletesEverything) {
  // 1,000 nops through an 8-entry SQ into a 16-entry CQ: the kernel keeps the overflow and the
  // loop drains it; nothing is lost.
  Watchdog watchdog(10s);
  Reactor reactor(ShardId(0), ReactorOptions{.sq_entries = 8, .cq_entries = 16});
  int done = 0;
  auto main = [](int* d) -> Task<void> {
    for (int i = 0; i < 1000; ++i) Reactor::current().spawn(one_nop(d));
    co_return;
  };
  reactor.block_on(main(&done));
  EXPECT_EQ(done, 1000);
}

Task<void> recv_until_cancelled(int fd, CancelSource* cancel, int* cancelled) {
  std::array<std::byte, 8> buf{};
  IoResult r = co_await recv(fd, buf, IoOptions{.cancel = cancel});
  if (!r && r.error().code == ECANCELED) ++*cancelled;
}

Task<void> recv_with_stop_listener(int fd, int* cancelled) {
  CancelSource cancel;
  CancelOnStop on_stop(cancel);
  co_await recv_until_cancelled(fd, &cancel, cancelled);
}

TEST(ReactorTest, StopListenersCancelBlockedWorkAtOnce) {
  Watchdog watchdog(10s);
  SocketPair pair;
  Reactor reactor(ShardId(0),
                  ReactorOptions{.shutdown_grace_ms = std::chrono::milliseconds(20'000)});
  int cancelled = 0;
  auto main = [](int fd, int* c) -> Task<void> {
    Reactor::current().spawn(recv_with_stop_listener(fd, c));
    co_await sleep(1ms);  // let it block
    co_return;
  };
  const Clock::time_point start = Clock::now();
  reactor.block_on(main(pair.fd[0], &cancelled));
  EXPECT_EQ(cancelled, 1);
  EXPECT_LT(ms_since(start), 5'000.0) << "the grace period should not have been needed";
}

Task<void> ignores_stop_recv(int fd, int* cancelled) {
  std::array<std::byte, 8> buf{};
  IoResult r = co_await recv(fd, buf);
  if (!r && r.error().code == ECANCELED) ++*cancelled;
}

Task<void> ignores_stop_sleep(int* cancelled) {
  const bool slept = co_await sleep(1h);  // not inside the if: GCC 12 miscompiles that
  if (!slept) ++*cancelled;
}

TEST(ReactorTest, WorkThatIgnoresStopIsCancelledAfterTheGrace) {
  Watchdog watchdog(10s);
  SocketPair pair;
  Reactor reactor(ShardId(0), ReactorOptions{.shutdown_grace_ms = std::chrono::milliseconds(100)});
  int cancelled = 0;
  auto main = [](int fd, int* c) -> Task<void> {
    Reactor::current().spawn(ignores_stop_recv(fd, c));
    Reactor::current().spawn(ignores_stop_sleep(c));
    co_await sleep(1ms);
  };
  const Clock::time_point start = Clock::now();
  reactor.block_on(main(pair.fd[0], &cancelled));
  EXPECT_EQ(cancelled, 2);
  EXPECT_GE(ms_since(start), 100.0);
  EXPECT_LT(ms_since(start), 5'000.0);
}

class CountingListener final : public StopListener {
 public:
  void on_stop() override { ++calls; }
  int calls = 0;
};

TEST(ReactorTest, StopListenerHearsTheStopOnceAndLateListenersAtOnce) {
  Watchdog watchdog(10s);
  Reactor reactor;
  CountingListener early;
  CountingListener removed;
  reactor.add_stop_listener(early);
  reactor.add_stop_listener(removed);
  reactor.remove_stop_listener(removed);
  auto main = [](CountingListener* e) -> Task<void> {
    Reactor::current().request_stop();
    co_await sleep(1ms);  // the loop notices the request at the start of a turn
    EXPECT_TRUE(Reactor::current().stopping());
    EXPECT_EQ(e->calls, 1);
    CountingListener late;
    Reactor::current().add_stop_listener(late);
    EXPECT_EQ(late.calls, 1);
    Reactor::current().remove_stop_listener(late);
  };
  reactor.block_on(main(&early));
  EXPECT_EQ(early.calls, 1);
  EXPECT_EQ(removed.calls, 0);
  reactor.remove_stop_listener(early);
}

Task<void> sleep_until_stopped(bool* woke_by_stop) {
  CancelSource cancel;
  CancelOnStop on_stop(cancel);
  *woke_by_stop = !co_await sleep(1h, &cancel);
}

TEST(ReactorTest, RequestStopFromAnotherThreadWakesASleepingLoop) {
  Watchdog watchdog(10s);
  Reactor reactor;
  bool woke_by_stop = false;
  std::thread stopper([&reactor] {
    std::this_thread::sleep_for(50ms);
    reactor.request_stop();
  });
  reactor.block_on(sleep_until_stopped(&woke_by_stop));
  stopper.join();
  EXPECT_TRUE(woke_by_stop);
}

Task<void> recv_one(int fd, bool* got) {
  std::array<std::byte, 4> buf{};
  IoResult r = co_await recv(fd, buf);
  *got = r.has_value() && *r == 4;
}

Task<bool> spin_until(bool* flag, int write_fd) {
  // Keeps the ready queue busy so the loop never waits in the kernel: completions must still
  // be collected (the loop enters the kernel when IORING_SQ_TASKRUN says work is pending).
  const Clock::time_point deadline = Clock::now() + 5s;
  int turns = 0;
  while (!*flag && Clock::now() < deadline) {
    if (++turns == 10) {
      const char msg[4] = {'p', 'i', 'n', 'g'};
      EXPECT_EQ(::write(write_fd, msg, 4), 4);
    }
    co_await yield();
  }
  co_return *flag;
}

TEST(ReactorTest, BusyLoopStillCollectsSocketCompletions) {
  Watchdog watchdog(10s);
  SocketPair pair;
  Reactor reactor;
  bool got = false;
  auto main = [](int rfd, int wfd, bool* g) -> Task<bool> {
    Reactor::current().spawn(recv_one(rfd, g));
    co_return co_await spin_until(g, wfd);
  };
  EXPECT_TRUE(reactor.block_on(main(pair.fd[0], pair.fd[1], &got)));
}

Task<void> exception_in_block_on() {
  co_await yield();
  throw std::runtime_error("from the task");
}

TEST(ReactorTest, BlockOnRethrowsTheTaskException) {
  Watchdog watchdog(10s);
  Reactor reactor;
  EXPECT_THROW(reactor.block_on(exception_in_block_on()), std::runtime_error);
}

}  // namespace
}  // namespace ringlog::reactor
