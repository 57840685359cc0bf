#pragma once
// Mutex: mutual exclusion between coroutines of one shard across suspension points (e.g. the
// topic controller, whose updates await disk and other shards). FIFO: waiters get the lock in
// the order they asked. Not thread-safe: a Mutex belongs to one shard.

#include <coroutine>
#include <deque>

#include "engine/base/assert.h"
#include "engine/reactor/reactor.h"

namespace ringlog::reactor {

class Mutex {
 public:
  class Guard {
   public:
    explicit Guard(Mutex* m) : mutex_(m) {}
    Guard(Guard&& other) noexcept : mutex_(std::exchange(other.mutex_, nullptr)) {}
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard() {
      if (mutex_ != nullptr) mutex_->unlock();
    }

   private:
    Mutex* mutex_;
  };

  struct LockAwaiter {
    Mutex* mutex;
    bool await_ready() {
      if (mutex->locked_) return false;
      mutex->locked_ = true;
      return true;
    }
    void await_suspend(std::coroutine_handle<> h) { mutex->waiters_.push_back(h); }
    Guard await_resume() { return Guard(mutex); }
  };

  // co_await mutex.lock() returns a Guard that unlocks when destroyed.
  LockAwaiter lock() { return LockAwaiter{this}; }

 private:
  void unlock() {
    RL_ASSERT(locked_);
    if (waiters_.empty()) {
      locked_ = false;
      return;
    }
    // Hand the lock straight to the next waiter: it stays locked.
    std::coroutine_handle<> next = waiters_.front();
    waiters_.pop_front();
    Reactor::current().schedule(next);
  }

  bool locked_ = false;
  std::deque<std::coroutine_handle<>> waiters_;
};

}  // namespace ringlog::reactor
