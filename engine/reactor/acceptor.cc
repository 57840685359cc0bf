#include "engine/reactor/acceptor.h"

#include <liburing.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace ringlog::reactor {

// A coroutine waiting in accept(). Lives in that coroutine's frame.
class Acceptor::Waiter final : public Cancellable {
 public:
  Waiter(Acceptor& owner, CancelSource* cancel) : owner_(owner), cancel_(cancel) {}
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    handle_ = h;
    owner_.enqueue(this);
    if (cancel_ != nullptr) cancel_->attach(this);
  }
  Result<int, Errno> await_resume() const {
    if (result_ < 0) return Errno{-result_};
    return result_;
  }

  void request_cancel() override {
    owner_.remove(this);
    finish(-ECANCELED);
  }
  void finish(int32_t result) {
    result_ = result;
    if (cancel_ != nullptr) cancel_->detach(this);
    owner_.reactor_.schedule(handle_);
  }

  Waiter* next = nullptr;
  Waiter* prev = nullptr;

 private:
  Acceptor& owner_;
  CancelSource* cancel_;
  std::coroutine_handle<> handle_;
  int32_t result_ = -ECANCELED;
};

// stop() waiting for the multishot's final CQE.
class Acceptor::Drained {
 public:
  explicit Drained(Acceptor& owner) : owner_(owner) {}
  bool await_ready() const noexcept { return !owner_.armed_; }
  void await_suspend(std::coroutine_handle<> h) {
    RL_ASSERT(!owner_.drained_waiter_, "one stop() at a time");
    owner_.drained_waiter_ = h;
  }
  void await_resume() const noexcept {}

 private:
  Acceptor& owner_;
};

Acceptor::Acceptor(int listen_fd, AcceptorOptions options)
    : reactor_(Reactor::current()), listen_fd_(listen_fd), options_(options) {
  RL_ASSERT(listen_fd >= 0);
  RL_ASSERT(options_.queue_max >= 1);
  reactor_.add_stop_listener(*this);
}

Acceptor::~Acceptor() {
  RL_ASSERT(!armed_, "co_await stop() before destroying an Acceptor");
  RL_ASSERT(waiters_head_ == nullptr, "an Acceptor destroyed with coroutines in accept()");
  for (int fd : queue_) ::close(fd);
  reactor_.remove_stop_listener(*this);
}

Task<Result<int, Errno>> Acceptor::accept(CancelSource* cancel) {
  if (stopped_) co_return Errno{ECANCELED};
  if (cancel != nullptr && cancel->cancelled()) co_return Errno{ECANCELED};
  if (!queue_.empty()) {
    const int fd = queue_.front();
    queue_.pop_front();
    maybe_rearm();
    co_return fd;
  }
  maybe_rearm();
  co_return co_await Waiter(*this, cancel);
}

Task<void> Acceptor::stop() {
  begin_stop();
  co_await Drained(*this);
  RL_ASSERT(!armed_);
}

void Acceptor::begin_stop() {
  if (stopped_) return;
  stopped_ = true;
  pause_or_cancel();
  while (waiters_head_ != nullptr) {
    Waiter* w = waiters_head_;
    remove(w);
    w->finish(-ECANCELED);
  }
  for (int fd : queue_) ::close(fd);
  queue_.clear();
}

void Acceptor::arm() {
  RL_ASSERT(!armed_);
  RL_ASSERT(!stopped_);
  io_uring_sqe* sqe = reactor_.get_sqe();
  io_uring_prep_multishot_accept(sqe, listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  io_uring_sqe_set_data(sqe, static_cast<Completion*>(this));
  armed_ = true;
  cancel_requested_ = false;
  ++arm_count_;
}

void Acceptor::pause_or_cancel() {
  if (!armed_ || cancel_requested_) return;
  io_uring_sqe* sqe = reactor_.get_sqe();
  io_uring_prep_cancel64(sqe, reinterpret_cast<uint64_t>(static_cast<Completion*>(this)), 0);
  io_uring_sqe_set_data64(sqe, kIgnoredUserData);
  cancel_requested_ = true;
}

void Acceptor::maybe_rearm() {
  if (!stopped_ && !armed_ && queue_.size() < options_.queue_max) arm();
}

void Acceptor::enqueue(Waiter* w) {
  w->next = nullptr;
  w->prev = waiters_tail_;
  if (waiters_tail_ != nullptr) {
    waiters_tail_->next = w;
  } else {
    waiters_head_ = w;
  }
  waiters_tail_ = w;
}

void Acceptor::remove(Waiter* w) {
  if (w->prev != nullptr) {
    w->prev->next = w->next;
  } else {
    waiters_head_ = w->next;
  }
  if (w->next != nullptr) {
    w->next->prev = w->prev;
  } else {
    waiters_tail_ = w->prev;
  }
  w->next = w->prev = nullptr;
}

bool Acceptor::hand_to_waiter(int32_t result) {
  Waiter* w = waiters_head_;
  if (w == nullptr) return false;
  remove(w);
  w->finish(result);
  return true;
}

void Acceptor::complete(int32_t result, uint32_t cqe_flags) {
  const bool more = (cqe_flags & IORING_CQE_F_MORE) != 0;
  if (!more) armed_ = false;

  if (result >= 0) {
    if (stopped_) {
      ::close(result);  // accepted while the cancel was in flight
    } else if (!hand_to_waiter(result)) {
      queue_.push_back(result);
      if (queue_.size() >= options_.queue_max) pause_or_cancel();
    }
  } else if (result == -ECANCELED && !cancel_requested_) {
    // Not our cancel: the reactor cancelled everything at shutdown. Nobody gets a connection.
    while (waiters_head_ != nullptr) hand_to_waiter(-ECANCELED);
  } else if (result != -ECANCELED) {
    // EMFILE, ENFILE, ENOMEM, ...: the oldest waiter hears of it.
    hand_to_waiter(result);
  }

  if (armed_) return;
  // The kernel ended the operation (no F_MORE).
  if (drained_waiter_) {
    std::coroutine_handle<> h = std::exchange(drained_waiter_, {});
    reactor_.schedule(h);
    return;
  }
  if (stopped_) return;
  if (result == -ECANCELED && !cancel_requested_) return;  // shutdown: the next accept() re-arms
  // Re-arm after a normal end or a pause; after an error only if others still wait (otherwise
  // the next accept() re-arms, so a persistent EMFILE is not spun on).
  if (result >= 0 || result == -ECANCELED || waiters_head_ != nullptr) maybe_rearm();
}

}  // namespace ringlog::reactor
