#pragma once
// Parked: one coroutine waiting until another coroutine of the same shard wakes it. No state
// besides the waiter: the waker re-checks its condition in a loop, so a wake with nobody
// parked is simply dropped.

#include <coroutine>
#include <utility>

#include "engine/base/assert.h"
#include "engine/reactor/reactor.h"

namespace ringlog::storage {

class Parked {
 public:
  struct Awaiter {
    Parked* parked;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      RL_ASSERT(!parked->waiter_, "one coroutine parks at a time");
      parked->waiter_ = h;
    }
    void await_resume() const noexcept {}
  };

  Awaiter wait() { return Awaiter{this}; }
  bool waiting() const { return static_cast<bool>(waiter_); }
  // Makes the parked coroutine ready (it runs later in this loop turn or the next).
  void wake() {
    if (waiter_) reactor::Reactor::current().schedule(std::exchange(waiter_, {}));
  }

 private:
  std::coroutine_handle<> waiter_;
};

}  // namespace ringlog::storage
