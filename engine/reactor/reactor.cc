#include "engine/reactor/reactor.h"

#include <fmt/format.h>
#include <immintrin.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ringlog::reactor {
namespace {

thread_local Reactor* tls_current = nullptr;

// Ready coroutines run per turn before the loop looks at I/O again.
constexpr size_t kReadyBudgetPerTurn = 512;
// While work is still in flight after the grace period, the cancel-all is repeated this often.
constexpr auto kCancelRepeatInterval = std::chrono::milliseconds(10);
// CQEs copied out of the CQ per batch before their completions run (see reap_completions).
constexpr unsigned kReapBatch = 256;

__kernel_timespec to_timespec(Clock::duration d) {
  if (d < Clock::duration::zero()) d = Clock::duration::zero();
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  return __kernel_timespec{.tv_sec = ns / 1'000'000'000, .tv_nsec = ns % 1'000'000'000};
}

// Sets up the ring the way liburing recommends for one thread per ring, falling back step by
// step on older kernels.
unsigned init_ring(io_uring& ring, const ReactorOptions& options) {
  // TASKRUN_FLAG makes the kernel raise IORING_SQ_TASKRUN when completions wait for us to enter
  // it, so a turn with nothing to submit can skip the system call (see run_turn).
  const unsigned preferred[] = {
      IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
      IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
      IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
      IORING_SETUP_COOP_TASKRUN,
      0,
  };
  int rc = -EINVAL;
  for (unsigned flags : preferred) {
    io_uring_params params{};
    params.flags = flags | IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
    params.cq_entries = options.cq_entries;
    rc = io_uring_queue_init_params(options.sq_entries, &ring, &params);
    if (rc == 0) return flags;
    if (rc != -EINVAL) break;
  }
  throw std::runtime_error(
      fmt::format("io_uring_queue_init failed: {} (ringlog needs Linux >= 6.1 "
                  "with io_uring enabled)",
                  std::strerror(-rc)));
}

void require_opcodes(io_uring& ring, bool& has_msg_ring) {
  io_uring_probe* probe = io_uring_get_probe_ring(&ring);
  if (probe == nullptr) throw std::runtime_error("io_uring probe failed (needs Linux >= 6.1)");
  struct Needed {
    int op;
    const char* name;
  };
  const Needed needed[] = {
      {IORING_OP_READ, "READ"},       {IORING_OP_WRITE, "WRITE"},
      {IORING_OP_WRITEV, "WRITEV"},   {IORING_OP_FSYNC, "FSYNC"},
      {IORING_OP_RECV, "RECV"},       {IORING_OP_SEND, "SEND"},
      {IORING_OP_ACCEPT, "ACCEPT"},   {IORING_OP_CONNECT, "CONNECT"},
      {IORING_OP_TIMEOUT, "TIMEOUT"}, {IORING_OP_ASYNC_CANCEL, "ASYNC_CANCEL"},
      {IORING_OP_SPLICE, "SPLICE"},   {IORING_OP_LINK_TIMEOUT, "LINK_TIMEOUT"},
      {IORING_OP_CLOSE, "CLOSE"},     {IORING_OP_SEND_ZC, "SEND_ZC"},
  };
  for (const Needed& n : needed) {
    if (!io_uring_opcode_supported(probe, n.op)) {
      io_uring_free_probe(probe);
      throw std::runtime_error(
          fmt::format("io_uring lacks IORING_OP_{}: ringlog needs Linux >= 6.1", n.name));
    }
  }
  has_msg_ring = io_uring_opcode_supported(probe, IORING_OP_MSG_RING) != 0;
  io_uring_free_probe(probe);
}

}  // namespace

// Keeps one read pending on the reactor's eventfd so a write from any thread wakes the loop.
class Reactor::WakeReader final : public Completion {
 public:
  WakeReader(Reactor& reactor, int fd) : reactor_(reactor), fd_(fd) { arm(); }

  void complete(int32_t, uint32_t) override {
    if (!stopped_) arm();
  }
  void stop() { stopped_ = true; }

 private:
  void arm() {
    io_uring_sqe* sqe = reactor_.get_sqe();
    io_uring_prep_read(sqe, fd_, &counter_, sizeof(counter_), 0);
    io_uring_sqe_set_data(sqe, static_cast<Completion*>(this));
  }

  Reactor& reactor_;
  int fd_;
  uint64_t counter_ = 0;
  bool stopped_ = false;
};

Reactor::Reactor(ShardId id, ReactorOptions options)
    : id_(id), options_(options), idle_poll_(options_.idle_poll_us) {
  RL_ASSERT(tls_current == nullptr, "one reactor per thread");
  taskrun_flag_ = (init_ring(ring_, options_) & IORING_SETUP_TASKRUN_FLAG) != 0;
  require_opcodes(ring_, has_msg_ring_);
  if (!options_.io_worker_cpus.empty()) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu : options_.io_worker_cpus) CPU_SET(cpu, &set);
    // Best effort: without IORING_REGISTER_IOWQ_AFF (or outside the cpuset) the default stays.
    [[maybe_unused]] int rc = io_uring_register_iowq_aff(&ring_, sizeof(set), &set);
  }
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw std::runtime_error("eventfd failed");
  tls_current = this;
  wake_reader_ = new WakeReader(*this, wake_fd_);
}

Reactor::~Reactor() {
  RL_ASSERT(live_tasks_ == 0, "reactor destroyed with tasks still running");
  wake_reader_->stop();
  io_uring_queue_exit(&ring_);  // cancels the wake read; its CQE is never reaped
  delete wake_reader_;
  ::close(wake_fd_);
  tls_current = nullptr;
}

Reactor& Reactor::current() {
  RL_ASSERT(tls_current != nullptr, "no reactor on this thread");
  return *tls_current;
}

Reactor* Reactor::current_or_null() { return tls_current; }

io_uring_sqe* Reactor::get_sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  while (sqe == nullptr) {
    // The submission queue is full: hand what we have to the kernel now.
    ++inline_flushes_;
    int rc = io_uring_submit(&ring_);
    if (rc == -EBUSY || rc == -EAGAIN) {
      // The completion side is backed up; make room by walking completions. Completions only
      // schedule coroutines or prepare SQEs (a retry), and reap_completions copies each batch
      // out of the CQ before running it, so calling it from inside a completion is safe.
      // With DEFER_TASKRUN the kernel posts completions only when asked to (get_events).
      io_uring_get_events(&ring_);
      reap_completions();
    } else if (rc < 0 && rc != -EINTR) {
      RL_ASSERT(false, "io_uring_submit failed with the SQ full");
    }
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

void Reactor::add_timer(TimerNode& node, Clock::time_point deadline) {
  RL_ASSERT(!node.armed);
  if (cancelled_everything_) {
    node.fire(true);
    return;
  }
  // multimap inserts after equal keys, so timers with the same deadline fire in arming order.
  node.position = timers_.emplace(deadline, &node);
  node.armed = true;
}

void Reactor::remove_timer(TimerNode& node) {
  if (!node.armed) return;
  timers_.erase(node.position);
  node.armed = false;
}

void Reactor::cancel_everything() {
  cancelled_everything_ = true;
  io_uring_sqe* sqe = get_sqe();
  io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
  io_uring_sqe_set_data64(sqe, kIgnoredUserData);
  while (!timers_.empty()) {
    TimerNode* node = timers_.begin()->second;
    timers_.erase(timers_.begin());
    node->armed = false;
    node->fire(true);
  }
}

void Reactor::wake_from_any_thread() {
  uint64_t one = 1;
  // A full counter (EAGAIN) already means a wake-up is pending.
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
}

void Reactor::request_stop() {
  stop_requested_.store(true, std::memory_order_release);
  if (tls_current != this) wake_from_any_thread();
}

void Reactor::on_stop_requested() {
  stopping_ = true;
  cancel_deadline_ = Clock::now() + options_.shutdown_grace_ms;
  for (StopListener* l = stop_listeners_; l != nullptr;) {
    StopListener* next = l->next;
    l->on_stop();
    l = next;
  }
}

void Reactor::add_stop_listener(StopListener& listener) {
  listener.next = stop_listeners_;
  listener.prev = nullptr;
  if (stop_listeners_ != nullptr) stop_listeners_->prev = &listener;
  stop_listeners_ = &listener;
  if (stopping_) listener.on_stop();
}

void Reactor::remove_stop_listener(StopListener& listener) {
  if (listener.prev != nullptr) {
    listener.prev->next = listener.next;
  } else if (stop_listeners_ == &listener) {
    stop_listeners_ = listener.next;
  }
  if (listener.next != nullptr) listener.next->prev = listener.prev;
  listener.next = listener.prev = nullptr;
}

void Reactor::run_ready() {
  size_t budget = kReadyBudgetPerTurn;
  // turn_over_ is set by maybe_yield() once the turn has run for kTurnRunMax.
  while (!ready_.empty() && budget-- > 0 && !turn_over_) ready_.pop().resume();
}

void Reactor::fire_timers() {
  if (timers_.empty()) return;
  const Clock::time_point now = Clock::now();
  while (!timers_.empty() && timers_.begin()->first <= now) {
    TimerNode* node = timers_.begin()->second;
    timers_.erase(timers_.begin());
    node->armed = false;
    node->fire(false);
  }
}

// Fix: the first version ran each completion while walking the CQ and advanced it once at the
// end. A completion may need an SQE (an EAGAIN retry, the eventfd re-arm, a multishot re-arm);
// with the SQ full, get_sqe() flushes and on -EBUSY reaps again, re-entering this function,
// which then ran the same CQEs twice and advanced the CQ past entries not yet seen. Now each
// batch is copied out and the CQ advanced (once per batch) before any completion runs.
bool Reactor::reap_completions() {
  struct Entry {
    uint64_t data;
    int32_t res;
    uint32_t flags;
  };
  Entry batch[kReapBatch];
  bool any = false;
  for (;;) {
    unsigned head;
    unsigned count = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      batch[count] = Entry{io_uring_cqe_get_data64(cqe), cqe->res, cqe->flags};
      if (++count == kReapBatch) break;
    }
    if (count == 0) return any;
    io_uring_cq_advance(&ring_, count);
    any = true;
    for (unsigned i = 0; i < count; ++i) {
      // Small values are wake-ups and cancels nobody waits for.
      if (batch[i].data < kReservedUserData) continue;
      reinterpret_cast<Completion*>(batch[i].data)->complete(batch[i].res, batch[i].flags);
    }
    if (count < kReapBatch) return any;
  }
}

bool Reactor::exit_condition() const {
  if (!stopping_ || live_tasks_ != 0 || !ready_.empty()) return false;
  return hooks_ == nullptr || hooks_->exit_agreed();
}

void Reactor::run_turn(bool may_block) {
  turn_started_ = Clock::now();
  turn_over_ = false;
  yield_checks_ = 0;
  if (!stopping_ && stop_requested_.load(std::memory_order_acquire)) on_stop_requested();

  run_ready();
  if (hooks_ != nullptr) hooks_->poll_inbound();
  fire_timers();

  if (stopping_) {
    const bool idle = live_tasks_ == 0 && ready_.empty();
    if (hooks_ != nullptr) hooks_->report_idle(idle);
    if (!idle && cancel_deadline_ && Clock::now() >= *cancel_deadline_) {
      cancel_everything();
      cancel_deadline_ = Clock::now() + kCancelRepeatInterval;
    }
  }
  if (hooks_ != nullptr) hooks_->flush_outbound();

  bool block = may_block && !skip_wait_ && ready_.empty() && !exit_condition();
  skip_wait_ = false;
  std::optional<Clock::time_point> wake_at;
  if (!timers_.empty()) wake_at = timers_.begin()->first;
  if (stopping_ && cancel_deadline_ && live_tasks_ != 0) {
    wake_at = wake_at ? std::min(*wake_at, *cancel_deadline_) : *cancel_deadline_;
  }
  if (stopping_ && hooks_ != nullptr && live_tasks_ == 0) {
    // Waiting for the group to agree on exit: look again soon rather than sleep forever.
    auto soon = Clock::now() + std::chrono::milliseconds(1);
    wake_at = wake_at ? std::min(*wake_at, soon) : soon;
  }

  // An operation marked poll_until_done polls its own fixed window, and its sleeps say nothing
  // about how soon ordinary work comes back.
  const bool adapt_poll = polled_ops_ == 0;
  std::chrono::nanoseconds window =
      adapt_poll ? idle_poll_.window()
                 : std::chrono::nanoseconds(
                       std::max(options_.idle_poll_us, options_.in_flight_poll_us));
  if (linger_after_reply_) {
    window = std::max<std::chrono::nanoseconds>(window, options_.reply_linger_us);
  }
  // A polled operation (an fdatasync an append waits on) keeps its window regardless: its
  // completion comes from a worker on another CPU.
  if (block && window.count() > 0 && adapt_poll &&
      contention_.contended(Clock::now(), thread_involuntary_switches)) {
    window = std::chrono::nanoseconds::zero();
    linger_after_reply_ = false;
  }
  if (block && window.count() > 0) {
    // Hand the kernel what this turn prepared (a peer's wake-up, new I/O) before spinning.
    if (io_uring_sq_ready(&ring_) > 0) io_uring_submit(&ring_);
    Clock::time_point until =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(window);
    if (wake_at) until = std::min(until, *wake_at);
    linger_after_reply_ = false;
    if (poll_idle(until)) block = false;
  }

  if (block) {
    // Announce sleep, then look once more at what peers may have sent: a peer that pushed
    // before seeing `sleeping` is caught here; one that pushed after will wake us.
    sleeping_.store(true, std::memory_order_seq_cst);
    if ((hooks_ != nullptr && hooks_->has_pending_work()) ||
        (!stopping_ && stop_requested_.load(std::memory_order_acquire))) {
      block = false;
    }
  }

  if (block) {
    io_uring_cqe* cqe = nullptr;
    const Clock::time_point slept_from = Clock::now();
    if (wake_at) {
      __kernel_timespec ts = to_timespec(*wake_at - Clock::now());
      io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    } else {
      io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, nullptr, nullptr);
    }
    sleeping_.store(false, std::memory_order_relaxed);
    if (adapt_poll) idle_poll_.on_sleep(Clock::now() - slept_from);
  } else {
    sleeping_.store(false, std::memory_order_relaxed);
    // Enter the kernel only if there is something to submit or completions wait for us there
    // (IORING_SQ_TASKRUN needs TASKRUN_FLAG; without it we cannot tell, so always enter).
    const unsigned kflags = IO_URING_READ_ONCE(*ring_.sq.kflags);
    if (io_uring_sq_ready(&ring_) > 0 || !taskrun_flag_ ||
        (kflags & (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW)) != 0) {
      io_uring_submit_and_get_events(&ring_);
    }
  }
  reap_completions();
}

bool Reactor::poll_idle(Clock::time_point until) {
  for (unsigned spins = 0;; ++spins) {
    if (hooks_ != nullptr && hooks_->has_pending_work()) return true;
    if (io_uring_cq_ready(&ring_) > 0) return true;
    if ((IO_URING_READ_ONCE(*ring_.sq.kflags) & (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW)) != 0) {
      return true;
    }
    if (!stopping_ && stop_requested_.load(std::memory_order_relaxed)) return true;
    // The clock is read every 16 spins (~0.5 us) only.
    if ((spins & 15) == 15 && Clock::now() >= until) return false;
    _mm_pause();
  }
}

void Reactor::run() {
  RL_ASSERT(tls_current == this, "run() on the reactor's own thread");
  while (!exit_condition()) run_turn(true);
  // Hand the kernel anything prepared in the last turn (e.g. a final cancel).
  io_uring_submit(&ring_);
  // A standalone reactor can be used again (block_on in tests and tools).
  stop_requested_.store(false, std::memory_order_relaxed);
  stopping_ = false;
  cancelled_everything_ = false;
  cancel_deadline_.reset();
}

}  // namespace ringlog::reactor
