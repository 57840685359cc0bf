#pragma once
// IdlePollWindow: how long an idle loop spins before it sleeps, adapted to what the wake-ups
// it saw would have needed (the rule of KVM's halt polling). Spinning pays when work comes
// back within the window: the loop sees it without a sleep and a wake-up (~10-15 us per hop on
// a VM). It is pure loss when work comes later: under a steady produce load a shard whose
// requests arrive every few hundred microseconds spent half of its CPU spinning (perf/broker.md).
//
//   - a poll that found work leaves the window alone;
//   - a sleep that ended within the maximum window means a longer spin would have caught it:
//     the window doubles (from kStart when it was 0), up to the maximum;
//   - a longer sleep means spinning would not have paid: the window halves, to 0 below kStart.

#include <algorithm>
#include <chrono>

namespace ringlog::reactor {

class IdlePollWindow {
 public:
  using Duration = std::chrono::nanoseconds;
  static constexpr Duration kStart = std::chrono::microseconds(5);

  // Starts at the maximum: a fresh loop behaves as a fixed window until sleeps say otherwise.
  explicit IdlePollWindow(Duration max) : max_(max), window_(max) {}

  Duration window() const { return window_; }
  Duration max() const { return max_; }

  // After a sleep (polling did not find work, or the window was 0) of `slept`.
  void on_sleep(Duration slept) {
    if (max_ <= Duration::zero()) return;
    if (slept <= max_) {
      window_ = window_ < kStart ? std::min(max_, kStart) : std::min(max_, window_ * 2);
    } else {
      window_ /= 2;
      if (window_ < kStart) window_ = Duration::zero();
    }
  }

 private:
  Duration max_;
  Duration window_;
};

}  // namespace ringlog::reactor
