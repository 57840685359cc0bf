#pragma once
// CancelSource: lets one coroutine stop another's pending wait. An operation awaited with a
// source registers itself while it is in flight; cancel() then asks io_uring to cancel it (it
// completes with -ECANCELED) or, for a timer, removes it and wakes it with ECANCELED. A source
// cancelled before anything waits on it makes the next wait fail at once.

#include "engine/base/assert.h"
#include "engine/reactor/completion.h"

namespace ringlog::reactor {

class CancelSource {
 public:
  CancelSource() = default;
  CancelSource(const CancelSource&) = delete;
  CancelSource& operator=(const CancelSource&) = delete;

  void cancel() {
    cancelled_ = true;
    if (pending_ != nullptr) {
      Cancellable* p = pending_;
      pending_ = nullptr;
      p->request_cancel();
    }
  }
  bool cancelled() const { return cancelled_; }
  // Lets the source be used again after a cancellation was observed.
  void reset() {
    RL_ASSERT(pending_ == nullptr, "reset while a wait is pending");
    cancelled_ = false;
  }

  // Used by awaiters: register while in flight, unregister on completion.
  void attach(Cancellable* op) {
    RL_ASSERT(pending_ == nullptr, "one pending wait per CancelSource");
    pending_ = op;
  }
  void detach(Cancellable* op) {
    if (pending_ == op) pending_ = nullptr;
  }

 private:
  Cancellable* pending_ = nullptr;
  bool cancelled_ = false;
};

}  // namespace ringlog::reactor
