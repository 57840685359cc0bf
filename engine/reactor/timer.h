#pragma once
// Timers on the reactor: sleep(d), sleep_until(t) and PeriodicTimer. They cost no SQE: the
// reactor keeps them ordered by deadline (equal deadlines fire in the order they were armed)
// and bounds its wait in the kernel by the earliest one.
//
// A sleep returns true when the deadline passed and false when it was cancelled (through its
// CancelSource, or by the reactor cancelling everything at shutdown).

#include <chrono>
#include <coroutine>

#include "engine/reactor/cancel.h"
#include "engine/reactor/reactor.h"
#include "engine/reactor/task.h"

namespace ringlog::reactor {

class SleepAwaiter final : public TimerNode, public Cancellable {
 public:
  SleepAwaiter(Clock::time_point deadline, CancelSource* cancel)
      : deadline_(deadline), cancel_(cancel) {}
  SleepAwaiter(const SleepAwaiter&) = delete;
  SleepAwaiter& operator=(const SleepAwaiter&) = delete;

  bool await_ready() const { return cancel_ != nullptr && cancel_->cancelled(); }
  void await_suspend(std::coroutine_handle<> h) {
    waiter_ = h;
    reactor_ = &Reactor::current();
    if (cancel_ != nullptr) cancel_->attach(this);
    reactor_->add_timer(*this, deadline_);
  }
  // True if the deadline passed, false if cancelled.
  bool await_resume() const { return !cancelled_ && !(cancel_ != nullptr && cancel_->cancelled()); }

  void fire(bool cancelled) override {
    cancelled_ = cancelled;
    if (cancel_ != nullptr) cancel_->detach(this);
    reactor_->schedule(waiter_);
  }
  void request_cancel() override {
    reactor_->remove_timer(*this);
    fire(true);
  }

 private:
  Clock::time_point deadline_;
  CancelSource* cancel_;
  Reactor* reactor_ = nullptr;
  std::coroutine_handle<> waiter_;
  bool cancelled_ = false;
};

inline SleepAwaiter sleep_until(Clock::time_point deadline, CancelSource* cancel = nullptr) {
  return SleepAwaiter(deadline, cancel);
}

inline SleepAwaiter sleep(Clock::duration duration, CancelSource* cancel = nullptr) {
  return SleepAwaiter(Clock::now() + duration, cancel);
}

// Ticks every `period`, on a fixed schedule: a late tick does not shift later ones, and ticks
// missed while the caller was busy are skipped rather than delivered in a burst.
class PeriodicTimer {
 public:
  explicit PeriodicTimer(Clock::duration period) : period_(period), next_(Clock::now() + period) {}

  // Waits for the next tick; false if cancelled.
  Task<bool> tick(CancelSource* cancel = nullptr) {
    const Clock::time_point deadline = next_;
    const Clock::time_point now = Clock::now();
    next_ += period_;
    if (next_ <= now) {
      // Skip the ticks we are already late for.
      auto missed = (now - next_) / period_ + 1;
      next_ += missed * period_;
    }
    co_return co_await sleep_until(deadline, cancel);
  }

  Clock::duration period() const { return period_; }

 private:
  Clock::duration period_;
  Clock::time_point next_;
};

// Yields only if the current loop turn has run for Reactor::kTurnRunMax, so long loops do not
// starve I/O, timers and other coroutines. Cheap: a counter, and a clock read every
// Reactor::kYieldCheckEvery calls. When it yields, the turn ends: ready coroutines run again
// after the loop has looked at I/O and timers.
// (Fix: it used to yield unconditionally, which cost a trip through the ready queue per call.)
struct MaybeYield {
  bool await_ready() const { return !Reactor::current().should_yield(); }
  void await_suspend(std::coroutine_handle<> h) const { Reactor::current().schedule(h); }
  void await_resume() const noexcept {}
};
inline MaybeYield maybe_yield() { return {}; }

}  // namespace ringlog::reactor
