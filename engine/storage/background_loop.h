#pragma once
// BackgroundLoop: the waiting and stopping of a log's background coroutine (LogAppender,
// SealedSyncs). The coroutine parks until woken, or sleeps until a deadline that wake() cuts
// short; stop() asks it to end, and wait_stopped() completes once it said it has. One shard.

#include "engine/reactor/cancel.h"
#include "engine/reactor/reactor.h"
#include "engine/reactor/task.h"
#include "engine/reactor/timer.h"
#include "engine/storage/parked.h"

namespace ringlog::storage {

class BackgroundLoop {
 public:
  // Ends a pending park() or sleep_until().
  void wake() {
    idle_.wake();
    if (sleeping_) sleep_cancel_.cancel();
  }
  void stop() {
    stopping_ = true;
    wake();
  }
  bool stopping() const { return stopping_; }

  // For the loop itself: wait for wake(), or for the deadline or wake(), whichever comes first.
  Parked::Awaiter park() { return idle_.wait(); }
  reactor::Task<void> sleep_until(reactor::Clock::time_point deadline) {
    sleeping_ = true;
    co_await reactor::sleep_until(deadline, &sleep_cancel_);
    sleeping_ = false;
    sleep_cancel_.reset();
  }
  // The loop has returned.
  void mark_stopped() {
    stopped_ = true;
    stop_waiter_.wake();
  }

  reactor::Task<void> wait_stopped() {
    while (!stopped_) co_await stop_waiter_.wait();
  }

 private:
  Parked idle_;
  reactor::CancelSource sleep_cancel_;
  bool sleeping_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  Parked stop_waiter_;
};

}  // namespace ringlog::storage
