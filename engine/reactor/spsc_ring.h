#pragma once
// SpscRing<T>: a fixed-capacity single-producer single-consumer ring of trivially copyable
// items, the mailbox between one pair of shards. The producer writes items into slots and makes
// them visible with publish() (one release store per loop turn, not per item); the consumer
// reads everything published so far and frees the slots with one release store. Head and tail
// sit on separate cache lines, and each side caches the other's index so the shared lines are
// touched only when the cached view runs out.
//
// Back-pressure wake-up: a producer that holds items it could not push and is about to sleep
// calls announce_waiting() and then has_room() once more; a consumer that freed slots calls
// take_waiting() and, if it returns true, wakes the producer. (Store, full fence, load on both
// sides: at least one of them sees the other.)

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>

#include "engine/base/assert.h"

namespace ringlog::reactor {

inline constexpr size_t kCacheLineBytes = 64;

template <typename T>
class SpscRing {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  explicit SpscRing(size_t capacity) : mask_(capacity - 1), slots_(new T[capacity]) {
    RL_ASSERT(capacity >= 2 && (capacity & (capacity - 1)) == 0, "capacity is a power of two");
  }
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  size_t capacity() const { return mask_ + 1; }

  // Producer side. Returns false when full (the caller keeps the item and retries later).
  bool try_push(T item) {
    if (producer_.next - producer_.cached_head > mask_) {
      producer_.cached_head = head_.value.load(std::memory_order_acquire);
      if (producer_.next - producer_.cached_head > mask_) return false;
    }
    slots_[producer_.next & mask_] = item;
    ++producer_.next;
    return true;
  }
  // Makes pushed items visible to the consumer. Returns true if anything new was published.
  bool publish() {
    if (producer_.next == producer_.published) return false;
    producer_.published = producer_.next;
    tail_.value.store(producer_.next, std::memory_order_release);
    return true;
  }

  // Consumer side: calls fn(item) for every published item, then frees their slots.
  template <typename Fn>
  size_t consume_all(Fn&& fn) {
    uint64_t tail = tail_.value.load(std::memory_order_acquire);
    uint64_t head = consumer_.head;
    if (head == tail) return 0;
    size_t n = 0;
    while (head != tail) {
      fn(slots_[head & mask_]);
      ++head;
      ++n;
    }
    consumer_.head = head;
    head_.value.store(head, std::memory_order_release);
    return n;
  }
  // Consumer side: true if published items are waiting.
  bool has_items() const { return tail_.value.load(std::memory_order_seq_cst) != consumer_.head; }

  // Producer side: about to sleep with items waiting for room.
  void announce_waiting() { producer_waiting_.value.store(1, std::memory_order_seq_cst); }
  // Producer side: no longer waiting for room (cheap when nothing was announced).
  void clear_waiting() {
    if (producer_waiting_.value.load(std::memory_order_relaxed) != 0) {
      producer_waiting_.value.store(0, std::memory_order_relaxed);
    }
  }
  // Producer side: true if at least one slot is free (re-reads the consumer's index).
  bool has_room() {
    producer_.cached_head = head_.value.load(std::memory_order_seq_cst);
    return producer_.next - producer_.cached_head <= mask_;
  }
  // Consumer side, after consume_all freed slots: true if the producer announced it is waiting
  // for room (and must be woken). Clears the announcement.
  bool take_waiting() {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (producer_waiting_.value.load(std::memory_order_relaxed) == 0) return false;
    return producer_waiting_.value.exchange(0, std::memory_order_acq_rel) != 0;
  }

 private:
  struct alignas(kCacheLineBytes) AlignedIndex {
    std::atomic<uint64_t> value{0};
  };
  struct alignas(kCacheLineBytes) ProducerState {
    uint64_t next = 0;
    uint64_t published = 0;
    uint64_t cached_head = 0;
  };
  struct alignas(kCacheLineBytes) ConsumerState {
    uint64_t head = 0;
  };

  const size_t mask_;
  std::unique_ptr<T[]> slots_;
  AlignedIndex head_;              // written by the consumer
  AlignedIndex tail_;              // written by the producer
  AlignedIndex producer_waiting_;  // 1 while a sleeping producer waits for room
  ProducerState producer_;
  ConsumerState consumer_;
};

}  // namespace ringlog::reactor
