#pragma once
// Reactor: one shard's event loop. It owns one io_uring, a queue of ready coroutines and the
// shard's timers, and runs on exactly one thread (the shard's). Everything in it is touched only
// by that thread, except the wake-up (eventfd / MSG_RING) and the `sleeping` flag, which other
// shards use to wake it.
//
// One loop turn:
//   1. run ready coroutines (a bounded number, so I/O is never starved);
//   2. drain inbound cross-shard rings (their messages make more coroutines ready);
//   3. fire expired timers;
//   4. publish outbound cross-shard messages and wake sleeping peers;
//   5. one submit-and-wait: wait only if nothing is ready, at most until the next timer
//      (an idle loop first polls for up to idle_poll_us, see ReactorOptions);
//   6. walk the completions, then one CQ advance.
// SQEs are prepared during the turn and submitted together in step 5; when the submission queue
// is full an SQE request flushes it inline. A turn that must not wait and has nothing to submit
// and no kernel-side completion work pending skips the system call and only walks the CQ.
// A coroutine that runs long calls maybe_yield() (timer.h): once the turn has run for
// kTurnRunMax it yields, and the turn ends at step 1 so I/O and timers get their turn.

#include <liburing.h>

#include <atomic>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <vector>

#include "engine/base/types.h"
#include "engine/reactor/completion.h"
#include "engine/reactor/cpu_contention.h"
#include "engine/reactor/task.h"
#include "engine/reactor/idle_poll_window.h"
#include "engine/reactor/task_queue.h"

namespace ringlog::reactor {

using Clock = std::chrono::steady_clock;

struct ReactorOptions {
  uint32_t sq_entries = 1024;
  uint32_t cq_entries = 16384;
  // After a stop request, in-flight work has this long to finish before it is cancelled.
  std::chrono::milliseconds shutdown_grace_ms{2000};
  // Before sleeping in the kernel, an idle loop polls its inbound rings, CQ and timers up to
  // this long. Waking a sleeping thread costs ~10-15 us per hop on a VM (an IPI to a halted
  // vCPU); a peer that answers within the window is seen without any wake-up. The window in use
  // adapts between 0 and this maximum to how soon the loop's sleeps end (IdlePollWindow), so a
  // loop whose work comes rarely stops spinning for it, and a loop whose thread is being
  // preempted (its CPU is shared with other runnable work) does not spin at all (CpuContention).
  // 0 disables polling.
  std::chrono::microseconds idle_poll_us{50};
  // After a turn that sent a reply (Reactor::note_reply_sent), the idle spin lasts at least
  // this long, even when the adaptive window is 0 (not when the CPU is contended, as above).
  // Measured, not explained: at 1,000 produce requests/s, p99 latency was 0.13-0.18 ms in 10
  // of 10 runs with a spin after each reply and 0.11-1.08 ms (bimodal) without
  // (perf/broker.md); it costs up to this much CPU per reply.
  std::chrono::microseconds reply_linger_us{20};
  // While an operation marked IoOptions::poll_until_done is in flight (an fdatasync that an
  // append waits on), the idle loop polls this long instead: the completion comes from an io-wq
  // thread within ~100-200 us, and a shard that slept meanwhile pays a wake-up per sync (with
  // one append in flight, ~25% of the synced append rate on this VM; perf/engine.md).
  std::chrono::microseconds in_flight_poll_us{2000};
  // CPUs for io_uring's worker threads (which run what cannot complete without blocking:
  // buffered file writes, fsync); empty: the kernel's default (any CPU). A shard pinned to one
  // CPU gives its workers the others, so a loop polling for a worker's completion
  // (in_flight_poll_us) never keeps that worker from running: with both on one CPU a synced
  // append ran at 2.5 k/s, with the worker elsewhere at 8 k/s (perf/engine.md).
  std::vector<int> io_worker_cpus;
};

// Hooks the shard group installs so the loop can move cross-shard messages (see smp.h).
class CrossShardHooks {
 public:
  // Runs inbound messages; returns true if it ran any.
  virtual bool poll_inbound() = 0;
  // Publishes this turn's outbound messages and wakes sleeping targets.
  virtual void flush_outbound() = 0;
  // Checked after announcing sleep: true if an inbound ring holds messages or an outbound ring
  // that messages wait on has room again (either means: do not sleep).
  virtual bool has_pending_work() = 0;
  // Called once per turn after stop was requested, with whether this shard is idle.
  virtual void report_idle(bool idle) = 0;
  // True once the whole group agreed to exit.
  virtual bool exit_agreed() const = 0;

 protected:
  ~CrossShardHooks() = default;
};

// A timer waiting in the reactor's timer map. Lives in the awaiting coroutine's frame.
class TimerNode {
 public:
  using Map = std::multimap<Clock::time_point, TimerNode*>;

  virtual void fire(bool cancelled) = 0;

  Map::iterator position;
  bool armed = false;

 protected:
  ~TimerNode() = default;
};

// Something that wants to hear about a stop request (e.g. an acceptor that cancels its accept).
// Registered with Reactor::add_stop_listener; unregisters itself when destroyed.
class StopListener {
 public:
  virtual void on_stop() = 0;

  StopListener* next = nullptr;
  StopListener* prev = nullptr;

 protected:
  ~StopListener() = default;
};

class Reactor {
 public:
  explicit Reactor(ShardId id = ShardId(0), ReactorOptions options = {});
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  // The reactor running on this thread. Asserts there is one.
  static Reactor& current();
  static Reactor* current_or_null();

  ShardId id() const { return id_; }

  // Starts `task` as background work. The reactor's run() does not return before it finishes.
  // An exception escaping it terminates the process (background work must handle its errors).
  template <typename T>
  void spawn(Task<T> task);

  // Runs the loop until stop is requested and every spawned task has finished.
  void run();

  // Runs a standalone reactor (no shard group) until `task` finishes; returns its value.
  // For tests, tools and single-shard programs. Spawned background work keeps running
  // while `task` runs and is waited for (after a stop request) before returning.
  template <typename T>
  T block_on(Task<T> task);

  // Asks the loop to stop: stopping() turns true, waiters on stopped() wake, and after
  // shutdown_grace_ms every operation still in flight is cancelled. Thread-safe.
  void request_stop();
  bool stopping() const { return stopping_; }
  // Listeners hear on_stop() once, when the loop notices the stop request (at once if it already
  // has). They must be removed before they are destroyed.
  void add_stop_listener(StopListener& listener);
  void remove_stop_listener(StopListener& listener);

  // Number of spawned tasks that have not finished.
  uint64_t live_tasks() const { return live_tasks_; }

  // --- for awaiters and the shard group ---

  // Returns an SQE, flushing the submission queue inline if it is full (never null).
  io_uring_sqe* get_sqe();
  // Queues a suspended coroutine to resume in this turn or the next.
  void schedule(std::coroutine_handle<> h) { ready_.push(h); }
  void add_timer(TimerNode& node, Clock::time_point deadline);
  void remove_timer(TimerNode& node);
  // Cancels every in-flight operation and fires every timer as cancelled.
  void cancel_everything();

  void set_cross_shard_hooks(CrossShardHooks* hooks) { hooks_ = hooks; }
  int ring_fd() const { return ring_.ring_fd; }
  bool has_msg_ring() const { return has_msg_ring_; }
  // Wakes the reactor from any thread (eventfd write).
  void wake_from_any_thread();
  // Set while the loop may block in the kernel; peers read it to decide whether to wake us.
  std::atomic<bool>& sleeping() { return sleeping_; }

  // Number of io_uring_submit calls forced by a full SQ (tests check the path was taken).
  uint64_t inline_flushes() const { return inline_flushes_; }

  // Makes the current turn skip its wait in the kernel (state a loop condition checks changed).
  void skip_wait_this_turn() { skip_wait_ = true; }
  // Called after a reply went out: the next idle spin lasts reply_linger_us at least (see
  // ReactorOptions), whatever the adaptive window says.
  void note_reply_sent() { linger_after_reply_ = true; }
  // An operation the loop should poll for rather than sleep through (see in_flight_poll_us).
  void begin_polled_op() { ++polled_ops_; }
  void end_polled_op() {
    RL_ASSERT(polled_ops_ > 0);
    --polled_ops_;
  }

  // For maybe_yield(): true (and the current turn's step 1 ends) once the turn has run for
  // kTurnRunMax. Reads the clock only every kYieldCheckEvery calls to stay cheap.
  static constexpr auto kTurnRunMax = std::chrono::microseconds(500);
  static constexpr uint32_t kYieldCheckEvery = 8;
  bool should_yield() {
    if (turn_over_) return true;
    if (++yield_checks_ < kYieldCheckEvery) return false;
    yield_checks_ = 0;
    if (Clock::now() - turn_started_ < kTurnRunMax) return false;
    turn_over_ = true;
    return true;
  }

  // Bookkeeping for the spawn wrapper.
  void task_started() { ++live_tasks_; }
  void task_finished() { --live_tasks_; }

 private:
  class WakeReader;

  void run_turn(bool may_block);
  // Spins until work shows up (true) or until `until` (false). See ReactorOptions::idle_poll_us.
  bool poll_idle(Clock::time_point until);
  void run_ready();
  void fire_timers();
  bool reap_completions();
  void on_stop_requested();
  bool exit_condition() const;

  ShardId id_;
  ReactorOptions options_;
  io_uring ring_{};
  bool has_msg_ring_ = false;
  bool taskrun_flag_ = false;
  TaskQueue ready_;
  TimerNode::Map timers_;
  CrossShardHooks* hooks_ = nullptr;
  StopListener* stop_listeners_ = nullptr;
  int wake_fd_ = -1;
  WakeReader* wake_reader_ = nullptr;
  std::atomic<bool> sleeping_{false};
  std::atomic<bool> stop_requested_{false};
  bool stopping_ = false;
  std::optional<Clock::time_point> cancel_deadline_;
  bool cancelled_everything_ = false;
  uint64_t live_tasks_ = 0;
  uint64_t inline_flushes_ = 0;
  bool skip_wait_ = false;
  uint32_t polled_ops_ = 0;
  IdlePollWindow idle_poll_;
  // Spins only while the thread has its CPU to itself (see cpu_contention.h).
  CpuContention contention_;
  bool linger_after_reply_ = false;
  bool reaping_ = false;
  Clock::time_point turn_started_{};
  uint32_t yield_checks_ = 0;
  bool turn_over_ = false;
};

namespace detail {

// A self-destroying coroutine that owns a spawned Task until it completes.
struct Detached {
  struct promise_type {
    Detached get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    [[noreturn]] void unhandled_exception() noexcept { std::terminate(); }
  };
};

template <typename T>
Detached run_detached(Task<T> task, Reactor* reactor) {
  co_await std::move(task);
  reactor->task_finished();
}

// Yields once so the detached wrapper starts from the ready queue, not inside spawn()'s caller.
struct ScheduleOn {
  Reactor* reactor;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { reactor->schedule(h); }
  void await_resume() const noexcept {}
};

template <typename T>
Detached run_detached_later(Task<T> task, Reactor* reactor) {
  co_await ScheduleOn{reactor};
  co_await std::move(task);
  reactor->task_finished();
}

}  // namespace detail

template <typename T>
void Reactor::spawn(Task<T> task) {
  task_started();
  detail::run_detached_later(std::move(task), this);
}

template <typename T>
T Reactor::block_on(Task<T> task) {
  std::optional<T> result;
  std::exception_ptr error;
  bool done = false;
  auto wrapper = [](Task<T> t, std::optional<T>* out, std::exception_ptr* err,
                    bool* finished) -> Task<void> {
    try {
      out->emplace(co_await std::move(t));
    } catch (...) {
      *err = std::current_exception();
    }
    *finished = true;
    Reactor::current().skip_wait_this_turn();
  };
  spawn(wrapper(std::move(task), &result, &error, &done));
  while (!done) run_turn(true);
  request_stop();
  run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

template <>
inline void Reactor::block_on(Task<void> task) {
  std::exception_ptr error;
  bool done = false;
  auto wrapper = [](Task<void> t, std::exception_ptr* err, bool* finished) -> Task<void> {
    try {
      co_await std::move(t);
    } catch (...) {
      *err = std::current_exception();
    }
    *finished = true;
    Reactor::current().skip_wait_this_turn();
  };
  spawn(wrapper(std::move(task), &error, &done));
  while (!done) run_turn(true);
  request_stop();
  run();
  if (error) std::rethrow_exception(error);
}

// Suspends the current coroutine and puts it at the back of the ready queue.
struct Yield {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) { Reactor::current().schedule(h); }
  void await_resume() const noexcept {}
};
inline Yield yield() { return {}; }

}  // namespace ringlog::reactor
