#pragma once
// Event: wakes coroutines of the same shard waiting for something to change (a response became
// ready, in-flight bytes dropped, a log grew). set() resumes every current waiter in the next
// loop turn; a waiter always re-checks its condition, so spurious wake-ups are harmless.
// Not thread-safe: an Event belongs to one shard.

#include <coroutine>
#include <vector>

#include "engine/reactor/reactor.h"

namespace ringlog::reactor {

class Event {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  struct Awaiter {
    Event* event;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { event->waiters_.push_back(h); }
    void await_resume() const noexcept {}
  };
  // Suspends until the next set().
  Awaiter wait() { return Awaiter{this}; }

  void set() {
    if (waiters_.empty()) return;
    Reactor& r = Reactor::current();
    for (std::coroutine_handle<> h : waiters_) r.schedule(h);
    waiters_.clear();
  }

  bool has_waiters() const { return !waiters_.empty(); }

 private:
  std::vector<std::coroutine_handle<>> waiters_;
};

}  // namespace ringlog::reactor
