#pragma once
// Smp: the shard group. One shard per core, each a thread pinned to its core running its own
// Reactor; shards share nothing mutable and talk only through messages:
//
//   R r = co_await smp.call(target, fn);   // runs fn on `target`, result (or exception) comes back
//   co_await smp.post(target, fn);         // one-way; returns once the message is queued
//
// Each ordered pair of shards has a bounded SPSC ring. Messages pushed during a loop turn are
// published together at the end of the turn, and a target that is asleep in the kernel is woken
// once (IORING_OP_MSG_RING, or its eventfd where MSG_RING is missing). When a ring is full the
// sender's message waits in a per-target FIFO inside the sender's own frame (call) or heap
// message (post) and the sending coroutine stays suspended: back-pressure, not growth.
//
// A call to the current shard runs inline. Nested calls must form a DAG: bounded rings plus a
// cycle of blocking calls can deadlock.
//
// Shutdown: request_stop() (any thread) asks every reactor to stop; each lets its work finish
// (cancelling what is still in flight after the grace period), and the group exits once every
// shard is idle and no message is in flight (checked twice, the counts unchanged in between).

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include "engine/base/assert.h"
#include "engine/base/types.h"
#include "engine/reactor/reactor.h"
#include "engine/reactor/spsc_ring.h"
#include "engine/reactor/task.h"

namespace ringlog::reactor {

struct SmpOptions {
  // Number of shards; 0 means one per available core.
  uint32_t shards = 0;
  // Pin shard i's thread to the i-th available core.
  bool pin_threads = true;
  // Slots in each shard pair's ring (power of two).
  uint32_t ring_capacity = 4096;
  ReactorOptions reactor;
};

// A cross-shard message: the first field is what the receiving shard runs.
struct Message {
  void (*run)(Message*) = nullptr;
  // Intrusive link for the sender's overflow FIFO while the ring is full.
  Message* next_pending = nullptr;
  // A sender suspended until this message is in the ring (post under back-pressure).
  std::coroutine_handle<> blocked_sender;
};

class Smp;

namespace detail {

template <typename F>
using CallResultOf = std::invoke_result_t<F&>;

template <typename T>
struct IsTask : std::false_type {};
template <typename T>
struct IsTask<Task<T>> : std::true_type {
  using value_type = T;
};

// What call(fn) yields: fn's return value, or the value of the Task fn returns.
template <typename F>
struct CallValue {
  using type = CallResultOf<F>;
};
template <typename F>
  requires IsTask<CallResultOf<F>>::value
struct CallValue<F> {
  using type = typename IsTask<CallResultOf<F>>::value_type;
};

template <typename T>
struct ValueSlot {
  std::optional<T> value;
  template <typename F>
  void set_from(F& fn) {
    value.emplace(fn());
  }
  T take() { return std::move(*value); }
};
template <>
struct ValueSlot<void> {
  template <typename F>
  void set_from(F& fn) {
    fn();
  }
  void take() {}
};

}  // namespace detail

// Per-shard side of the group: its outbound rings, overflow FIFOs and counters. Implements the
// reactor's cross-shard hooks.
class ShardLink final : public CrossShardHooks {
 public:
  ShardLink(Smp& smp, ShardId self);

  // Sends `msg` to `target` (never the current shard). Never blocks: if the ring is full the
  // message waits in the FIFO, which the sender bounds by staying suspended.
  void send(ShardId target, Message* msg);
  // True if `target`'s ring accepted a message right now (used by post's fast path).
  bool try_send_now(ShardId target, Message* msg);

  bool poll_inbound() override;
  void flush_outbound() override;
  bool has_pending_work() override;
  void report_idle(bool idle) override;
  bool exit_agreed() const override;

  // Read by the group's exit check from another thread.
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> received{0};
  std::atomic<bool> idle{false};

 private:
  struct Outbound {
    SpscRing<Message*>* ring = nullptr;
    Message* pending_head = nullptr;
    Message* pending_tail = nullptr;
    bool dirty = false;
    bool wake = false;  // published this turn: wake the target if it sleeps
  };
  void drain_pending(Outbound& out);
  void wake_peer(ShardId target);

  Smp& smp_;
  ShardId self_;
  std::vector<Outbound> outbound_;            // indexed by target shard
  std::vector<SpscRing<Message*>*> inbound_;  // indexed by source shard
  uint64_t sent_local_ = 0;
  uint64_t received_local_ = 0;
};

class Smp {
 public:
  explicit Smp(SmpOptions options = {});
  ~Smp();
  Smp(const Smp&) = delete;
  Smp& operator=(const Smp&) = delete;

  uint32_t size() const { return shard_count_; }

  // Starts every shard, spawns `per_shard(id)` on each, and blocks until request_stop() was
  // called and every shard has exited. Exceptions from shard start-up are rethrown here.
  void run(std::function<Task<void>(ShardId)> per_shard);

  // Thread-safe, idempotent; also from a signal-handling thread.
  void request_stop();

  // The group the calling shard belongs to.
  static Smp& current();
  static ShardId this_shard() { return Reactor::current().id(); }

  // Runs fn() on `target` and returns its result; fn may return a Task. Exceptions thrown by fn
  // on the target are rethrown in the caller.
  template <typename F>
  Task<typename detail::CallValue<F>::type> call(ShardId target, F fn);

  // Runs fn() on `target` without waiting for it. Suspends only while the ring is full.
  template <typename F>
  auto post(ShardId target, F fn);

  // --- internal ---
  Reactor* reactor(ShardId id) const {
    return reactors_[id.value()].load(std::memory_order_acquire);
  }
  SpscRing<Message*>& ring(ShardId from, ShardId to) {
    return *rings_[from.value() * shard_count_ + to.value()];
  }
  ShardLink& link(ShardId id) { return *links_[id.value()]; }
  bool exit_agreed() const { return exit_agreed_.load(std::memory_order_acquire); }

 private:
  void shard_main(ShardId id, const std::function<Task<void>(ShardId)>& per_shard);
  void wait_for_exit();

  SmpOptions options_;
  uint32_t shard_count_;
  std::vector<int> cpus_;
  std::vector<std::unique_ptr<SpscRing<Message*>>> rings_;  // [from * n + to]
  std::vector<std::unique_ptr<ShardLink>> links_;
  std::unique_ptr<std::atomic<Reactor*>[]> reactors_;
  std::vector<std::thread> threads_;
  std::atomic<uint32_t> started_{0};
  std::atomic<uint32_t> finished_{0};
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> exit_agreed_{false};
  std::atomic<bool> startup_failed_{false};
  // Threads outside the group currently waking reactors (request_stop, the exit check); a shard
  // does not destroy its reactor while this is non-zero.
  std::atomic<uint32_t> external_wakers_{0};
  std::exception_ptr startup_error_;
};

// ---- call ----

namespace detail {

template <typename F>
struct CallMessage : Message {
  using Value = typename CallValue<F>::type;

  F fn;
  ShardId origin;
  std::coroutine_handle<> caller;
  ValueSlot<Value> slot;
  std::exception_ptr error;

  explicit CallMessage(F f, ShardId from) : fn(std::move(f)), origin(from) {}

  // Runs on the target shard.
  static void execute(Message* m) {
    auto* self = static_cast<CallMessage*>(m);
    if constexpr (IsTask<CallResultOf<F>>::value) {
      Reactor::current().spawn(run_task(self));
    } else {
      try {
        self->slot.set_from(self->fn);
      } catch (...) {
        self->error = std::current_exception();
      }
      self->reply();
    }
  }

  static Task<void> run_task(CallMessage* self) {
    try {
      if constexpr (std::is_void_v<Value>) {
        co_await self->fn();
      } else {
        self->slot.value.emplace(co_await self->fn());
      }
    } catch (...) {
      self->error = std::current_exception();
    }
    self->reply();
  }

  void reply() {
    run = &CallMessage::resume_caller;
    next_pending = nullptr;
    Smp::current().link(Smp::this_shard()).send(origin, this);
  }

  // Runs back on the origin shard.
  static void resume_caller(Message* m) {
    auto* self = static_cast<CallMessage*>(m);
    Reactor::current().schedule(self->caller);
  }
};

template <typename F>
struct SendAndWait {
  CallMessage<F>* msg;
  ShardId target;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    msg->caller = h;
    Smp::current().link(msg->origin).send(target, msg);
  }
  void await_resume() const noexcept {}
};

template <typename F>
struct PostMessage : Message {
  F fn;
  explicit PostMessage(F f) : fn(std::move(f)) {}
  static void execute(Message* m) {
    auto* self = static_cast<PostMessage*>(m);
    if constexpr (IsTask<CallResultOf<F>>::value) {
      Reactor::current().spawn(self->fn());
    } else {
      self->fn();
    }
    delete self;  // one-way messages are freed by the receiver
  }
};

struct PostAwaiter {
  Message* msg;
  ShardId from;
  ShardId target;
  bool await_ready() {
    if (target == from) {
      msg->run(msg);  // a local post runs inline
      return true;
    }
    // Fast path: room in the ring, no suspension.
    return Smp::current().link(from).try_send_now(target, msg);
  }
  void await_suspend(std::coroutine_handle<> h) {
    msg->blocked_sender = h;
    Smp::current().link(from).send(target, msg);
  }
  void await_resume() const noexcept {}
};

}  // namespace detail

template <typename F>
Task<typename detail::CallValue<F>::type> Smp::call(ShardId target, F fn) {
  RL_ASSERT(target.value() < shard_count_, "call to a shard that does not exist");
  const ShardId self = this_shard();
  if (target == self) {
    // A local call runs inline.
    if constexpr (detail::IsTask<detail::CallResultOf<F>>::value) {
      co_return co_await fn();
    } else {
      co_return fn();
    }
  }
  detail::CallMessage<F> msg(std::move(fn), self);
  msg.run = &detail::CallMessage<F>::execute;
  co_await detail::SendAndWait<F>{&msg, target};
  if (msg.error) std::rethrow_exception(msg.error);
  co_return msg.slot.take();
}

template <typename F>
auto Smp::post(ShardId target, F fn) {
  RL_ASSERT(target.value() < shard_count_, "post to a shard that does not exist");
  auto* msg = new detail::PostMessage<F>(std::move(fn));
  msg->run = &detail::PostMessage<F>::execute;
  return detail::PostAwaiter{msg, this_shard(), target};
}

}  // namespace ringlog::reactor
