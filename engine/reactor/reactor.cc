#include "engine/reactor/reactor.h"

#include <fmt/format.h>
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

__kernel_timespec to_timespec(Clock::duration d) {
  if (d < Clock::duration::zero()) d = Clock::duration::zero();
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  return __kernel_timespec{.tv_sec = ns / 1'000'000'000, .tv_nsec = ns % 1'000'000'000};
}

// Sets up the ring the way liburing recommends for one thread per ring, falling back step by
// step on older kernels.
void init_ring(io_uring& ring, const ReactorOptions& options) {
  const unsigned preferred[] = {
      IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
      IORING_SETUP_COOP_TASKRUN,
      0,
  };
  int rc = -EINVAL;
  for (unsigned flags : preferred) {
    io_uring_params params{};
    params.flags = flags | IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
    params.cq_entries = options.cq_entries;
    rc = io_uring_queue_init_params(options.sq_entries, &ring, &params);
    if (rc == 0) return;
    if (rc != -EINVAL) break;
  }
  throw std::runtime_error(fmt::format("io_uring_queue_init failed: {} (ringlog needs Linux >= 6.1 "
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

Reactor::Reactor(ShardId id, ReactorOptions options) : id_(id), options_(options) {
  RL_ASSERT(tls_current == nullptr, "one reactor per thread");
  init_ring(ring_, options_);
  require_opcodes(ring_, has_msg_ring_);
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
      // The completion side is backed up; make room by walking completions (they only
      // schedule coroutines, so this does not re-enter anyone).
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
  while (!ready_.empty() && budget-- > 0) ready_.pop().resume();
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

bool Reactor::reap_completions() {
  unsigned head;
  unsigned count = 0;
  io_uring_cqe* cqe;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    ++count;
    const uint64_t data = io_uring_cqe_get_data64(cqe);
    if (data < kReservedUserData) continue;  // wake-ups and cancels nobody waits for
    reinterpret_cast<Completion*>(data)->complete(cqe->res, cqe->flags);
  }
  if (count > 0) io_uring_cq_advance(&ring_, count);
  return count > 0;
}

bool Reactor::exit_condition() const {
  if (!stopping_ || live_tasks_ != 0 || !ready_.empty()) return false;
  return hooks_ == nullptr || hooks_->exit_agreed();
}

void Reactor::run_turn(bool may_block) {
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

  if (block) {
    // Announce sleep, then look once more at what peers may have sent: a peer that pushed
    // before seeing `sleeping` is caught here; one that pushed after will wake us.
    sleeping_.store(true, std::memory_order_seq_cst);
    if ((hooks_ != nullptr && hooks_->has_inbound()) ||
        (!stopping_ && stop_requested_.load(std::memory_order_acquire))) {
      block = false;
    }
  }

  if (block) {
    io_uring_cqe* cqe = nullptr;
    if (wake_at) {
      __kernel_timespec ts = to_timespec(*wake_at - Clock::now());
      io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    } else {
      io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, nullptr, nullptr);
    }
    sleeping_.store(false, std::memory_order_relaxed);
  } else {
    sleeping_.store(false, std::memory_order_relaxed);
    io_uring_submit_and_get_events(&ring_);
  }
  reap_completions();
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
