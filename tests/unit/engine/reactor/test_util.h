#pragma once
// Helpers shared by the reactor tests: a watchdog that bounds every test's wall time, a stop
// listener that cancels a CancelSource, and small fd utilities.

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "engine/reactor/cancel.h"
#include "engine/reactor/reactor.h"

// ASSERT_* cannot be used in coroutines (they `return`): this records a fatal-looking failure
// and co_returns from a Task<void>.
#define RL_CO_ASSERT(cond)                         \
  do {                                             \
    const bool rl_co_ok = static_cast<bool>(cond); \
    EXPECT_TRUE(rl_co_ok) << #cond;                \
    if (!rl_co_ok) co_return;                      \
  } while (false)

namespace ringlog::reactor::testing {

// Aborts the process if the enclosing test is still running after `budget`: a hung reactor
// fails the run with a message instead of stalling it.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::milliseconds budget = std::chrono::seconds(30)) {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    name_ = info != nullptr ? std::string(info->test_suite_name()) + "." + info->name() : "?";
    thread_ = std::thread([this, budget] {
      std::unique_lock lock(mu_);
      if (!cv_.wait_for(lock, budget, [this] { return done_; })) {
        std::fprintf(stderr, "watchdog: %s exceeded %lld ms\n", name_.c_str(),
                     static_cast<long long>(budget.count()));
        std::fflush(stderr);
        std::abort();
      }
    });
  }
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::string name_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// Cancels `source` when the current reactor is asked to stop.
class CancelOnStop final : public StopListener {
 public:
  explicit CancelOnStop(CancelSource& source) : source_(source) {
    Reactor::current().add_stop_listener(*this);
  }
  ~CancelOnStop() { Reactor::current().remove_stop_listener(*this); }
  CancelOnStop(const CancelOnStop&) = delete;
  CancelOnStop& operator=(const CancelOnStop&) = delete;
  void on_stop() override { source_.cancel(); }

 private:
  CancelSource& source_;
};

// A connected AF_UNIX stream pair, closed on destruction.
struct SocketPair {
  int fd[2] = {-1, -1};
  SocketPair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd), 0); }
  ~SocketPair() {
    for (int f : fd) {
      if (f >= 0) ::close(f);
    }
  }
  SocketPair(const SocketPair&) = delete;
  SocketPair& operator=(const SocketPair&) = delete;
};

// Raises RLIMIT_NOFILE's soft limit to at least `wanted` (up to the hard limit); returns the
// resulting soft limit.
inline rlim_t raise_fd_limit(rlim_t wanted) {
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_cur < wanted) {
    lim.rlim_cur = std::min(wanted, lim.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &lim);
    ::getrlimit(RLIMIT_NOFILE, &lim);
  }
  return lim.rlim_cur;
}

inline double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace ringlog::reactor::testing
