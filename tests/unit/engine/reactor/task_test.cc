// Proves Task<T> is lazy, chains by symmetric transfer, and carries values and exceptions.
#include "engine/reactor/task.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "engine/reactor/reactor.h"

namespace ringlog::reactor {
namespace {

Task<int> forty_two() { co_return 42; }

Task<int> add_one(int depth) {
  if (depth == 0) co_return co_await forty_two();
  co_return 1 + co_await add_one(depth - 1);
}

Task<void> throws_runtime_error() {
  throw std::runtime_error("boom");
  co_return;
}

TEST(TaskTest, DoesNotRunUntilAwaited) {
  bool ran = false;
  auto body = [](bool* flag) -> Task<void> {
    *flag = true;
    co_return;
  };
  Reactor reactor;
  Task<void> t = body(&ran);
  EXPECT_FALSE(ran);
  reactor.block_on(std::move(t));
  EXPECT_TRUE(ran);
}

TEST(TaskTest, DeepChainsOfAwaitsComplete) {
  Reactor reactor;
  EXPECT_EQ(reactor.block_on(add_one(5000)), 5042);
}

TEST(TaskTest, ExceptionReachesTheAwaiter) {
  Reactor reactor;
  auto outer = []() -> Task<std::string> {
    try {
      co_await throws_runtime_error();
    } catch (const std::runtime_error& e) {
      co_return std::string(e.what());
    }
    co_return std::string("no exception");
  };
  EXPECT_EQ(reactor.block_on(outer()), "boom");
}

TEST(TaskTest, UnawaitedTaskIsDestroyedWithoutRunning) {
  bool ran = false;
  auto body = [](bool* flag) -> Task<void> {
    *flag = true;
    co_return;
  };
  { Task<void> t = body(&ran); }
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace ringlog::reactor
