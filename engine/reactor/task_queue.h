#pragma once
// TaskQueue: the reactor's FIFO of coroutines ready to run. A growable power-of-two ring of
// handles: it grows to the number of simultaneously ready coroutines and never shrinks, so the
// steady state allocates nothing.

#include <coroutine>
#include <cstddef>
#include <vector>

#include "engine/base/assert.h"

namespace ringlog::reactor {

class TaskQueue {
 public:
  TaskQueue() : slots_(kInitialCapacity) {}

  bool empty() const { return head_ == tail_; }
  size_t size() const { return tail_ - head_; }

  void push(std::coroutine_handle<> h) {
    RL_DASSERT(h);
    if (size() == slots_.size()) grow();
    slots_[tail_ & (slots_.size() - 1)] = h;
    ++tail_;
  }

  std::coroutine_handle<> pop() {
    RL_DASSERT(!empty());
    std::coroutine_handle<> h = slots_[head_ & (slots_.size() - 1)];
    ++head_;
    return h;
  }

 private:
  static constexpr size_t kInitialCapacity = 1024;

  void grow() {
    std::vector<std::coroutine_handle<>> bigger(slots_.size() * 2);
    size_t n = size();
    for (size_t i = 0; i < n; ++i) bigger[i] = slots_[(head_ + i) & (slots_.size() - 1)];
    slots_.swap(bigger);
    head_ = 0;
    tail_ = n;
  }

  std::vector<std::coroutine_handle<>> slots_;
  size_t head_ = 0;  // monotonically increasing; masked on access
  size_t tail_ = 0;
};

}  // namespace ringlog::reactor
