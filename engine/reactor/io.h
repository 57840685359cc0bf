#pragma once
// Awaitable io_uring operations. Each call returns an awaiter that lives in the awaiting
// coroutine's frame and is itself the operation's Completion: no allocation per I/O. The SQE is
// prepared when the coroutine suspends and submitted with the rest of the loop turn's SQEs.
//
// Results are Result<uint32_t, Errno>: bytes transferred, a new fd, or 0. -EINTR and -EAGAIN are
// retried inside the operation; short reads and writes are returned as they are (use the *_all /
// *_exact helpers in io_helpers.h when the whole buffer must move).
//
// Cancellation: pass IoOptions{.cancel = &source}; source.cancel() makes the operation complete
// with ECANCELED. A timeout (IoOptions::timeout) links an IORING_OP_LINK_TIMEOUT after the
// operation; on expiry it completes with ECANCELED too.

#include <liburing.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>

#include "engine/base/errno.h"
#include "engine/base/result.h"
#include "engine/reactor/cancel.h"
#include "engine/reactor/completion.h"
#include "engine/reactor/reactor.h"

namespace ringlog::reactor {

using IoResult = Result<uint32_t, Errno>;

struct IoOptions {
  CancelSource* cancel = nullptr;
  std::optional<std::chrono::nanoseconds> timeout;
  // The loop polls instead of sleeping while this operation is in flight
  // (ReactorOptions::in_flight_poll_us): for short blocking work on an io-wq thread whose
  // completion someone waits for, e.g. the fdatasync of a synced append.
  bool poll_until_done = false;
};

// How many times an operation is resubmitted after -EINTR/-EAGAIN before the error is returned.
inline constexpr int kIoRetryLimit = 64;

inline IoResult to_io_result(int32_t res) {
  if (res < 0) return Errno{-res};
  return static_cast<uint32_t>(res);
}

// The awaiter shared by every single-shot operation. `Prep` fills an SQE.
template <typename Prep>
class IoOp final : public Completion, public Cancellable {
 public:
  IoOp(Prep prep, IoOptions options) : prep_(std::move(prep)), options_(options) {}
  IoOp(const IoOp&) = delete;
  IoOp& operator=(const IoOp&) = delete;

  bool await_ready() {
    if (options_.cancel != nullptr && options_.cancel->cancelled()) {
      result_ = -ECANCELED;
      return true;
    }
    return false;
  }

  void await_suspend(std::coroutine_handle<> h) {
    waiter_ = h;
    reactor_ = &Reactor::current();
    if (options_.poll_until_done) reactor_->begin_polled_op();
    submit();
    if (options_.cancel != nullptr) options_.cancel->attach(this);
  }

  IoResult await_resume() { return to_io_result(result_); }

  void complete(int32_t result, uint32_t) override {
    if ((result == -EINTR || result == -EAGAIN) && retries_++ < kIoRetryLimit &&
        !(options_.cancel != nullptr && options_.cancel->cancelled())) {
      submit();
      return;
    }
    if (options_.poll_until_done) reactor_->end_polled_op();
    // A linked timeout that fired shows up as -ECANCELED (or -ETIME for a TIMEOUT op itself).
    result_ = result;
    if (options_.cancel != nullptr) options_.cancel->detach(this);
    reactor_->schedule(waiter_);
  }

  void request_cancel() override {
    io_uring_sqe* sqe = reactor_->get_sqe();
    io_uring_prep_cancel64(sqe, reinterpret_cast<uint64_t>(static_cast<Completion*>(this)), 0);
    io_uring_sqe_set_data64(sqe, kIgnoredUserData);
  }

 private:
  void submit() {
    io_uring_sqe* sqe = reactor_->get_sqe();
    prep_(sqe);
    io_uring_sqe_set_data(sqe, static_cast<Completion*>(this));
    if (options_.timeout) {
      sqe->flags |= IOSQE_IO_LINK;
      auto ns = options_.timeout->count();
      timeout_ = __kernel_timespec{.tv_sec = ns / 1'000'000'000, .tv_nsec = ns % 1'000'000'000};
      io_uring_sqe* link = reactor_->get_sqe();
      io_uring_prep_link_timeout(link, &timeout_, 0);
      io_uring_sqe_set_data64(link, kIgnoredUserData);
    }
  }

  Prep prep_;
  IoOptions options_;
  Reactor* reactor_ = nullptr;
  std::coroutine_handle<> waiter_;
  __kernel_timespec timeout_{};
  int32_t result_ = 0;
  int retries_ = 0;
};

template <typename Prep>
IoOp<Prep> make_op(Prep prep, IoOptions options) {
  return IoOp<Prep>(std::move(prep), options);
}

inline auto nop(IoOptions options = {}) {
  return make_op([](io_uring_sqe* s) { io_uring_prep_nop(s); }, options);
}

inline auto accept(int listen_fd, IoOptions options = {}) {
  return make_op(
      [=](io_uring_sqe* s) { io_uring_prep_accept(s, listen_fd, nullptr, nullptr, SOCK_CLOEXEC); },
      options);
}

inline auto connect(int fd, const sockaddr* addr, socklen_t len, IoOptions options = {}) {
  return make_op([=](io_uring_sqe* s) { io_uring_prep_connect(s, fd, addr, len); }, options);
}

inline auto recv(int fd, std::span<std::byte> buf, IoOptions options = {}) {
  return make_op([=](io_uring_sqe* s) { io_uring_prep_recv(s, fd, buf.data(), buf.size(), 0); },
                 options);
}

inline auto send(int fd, std::span<const std::byte> buf, IoOptions options = {}) {
  return make_op(
      [=](io_uring_sqe* s) { io_uring_prep_send(s, fd, buf.data(), buf.size(), MSG_NOSIGNAL); },
      options);
}

inline auto read(int fd, std::span<std::byte> buf, uint64_t offset, IoOptions options = {}) {
  return make_op(
      [=](io_uring_sqe* s) { io_uring_prep_read(s, fd, buf.data(), buf.size(), offset); }, options);
}

inline auto write(int fd, std::span<const std::byte> buf, uint64_t offset, IoOptions options = {}) {
  return make_op(
      [=](io_uring_sqe* s) { io_uring_prep_write(s, fd, buf.data(), buf.size(), offset); },
      options);
}

// `iov` must stay valid until the operation completes (it does when it lives in the awaiting
// frame, as the awaiter does).
inline auto writev(int fd, const iovec* iov, unsigned count, uint64_t offset,
                   IoOptions options = {}) {
  return make_op([=](io_uring_sqe* s) { io_uring_prep_writev(s, fd, iov, count, offset); },
                 options);
}

inline auto fsync(int fd, IoOptions options = {}) {
  return make_op([=](io_uring_sqe* s) { io_uring_prep_fsync(s, fd, 0); }, options);
}

inline auto fdatasync(int fd, IoOptions options = {}) {
  return make_op([=](io_uring_sqe* s) { io_uring_prep_fsync(s, fd, IORING_FSYNC_DATASYNC); },
                 options);
}

// Offsets of -1 mean "use the file position" (required for pipes and sockets).
inline auto splice(int fd_in, int64_t off_in, int fd_out, int64_t off_out, uint32_t len,
                   IoOptions options = {}) {
  return make_op(
      [=](io_uring_sqe* s) {
        io_uring_prep_splice(s, fd_in, off_in, fd_out, off_out, len, SPLICE_F_MOVE);
      },
      options);
}

inline auto close(int fd, IoOptions options = {}) {
  return make_op([=](io_uring_sqe* s) { io_uring_prep_close(s, fd); }, options);
}

// Cancels every operation in flight on `fd` (e.g. before closing a connection).
inline auto cancel_fd(int fd) {
  return make_op([=](io_uring_sqe* s) { io_uring_prep_cancel_fd(s, fd, IORING_ASYNC_CANCEL_ALL); },
                 {});
}

// An IORING_OP_TIMEOUT: completes after `duration` with success (ETIME is mapped to 0). Most code
// wants the reactor's timers (timer.h), which cost no SQE; this is the ring-level primitive.
class RingTimeout final : public Completion, public Cancellable {
 public:
  RingTimeout(std::chrono::nanoseconds duration, IoOptions options) : options_(options) {
    auto ns = duration.count();
    ts_ = __kernel_timespec{.tv_sec = ns / 1'000'000'000, .tv_nsec = ns % 1'000'000'000};
  }
  bool await_ready() const { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    waiter_ = h;
    reactor_ = &Reactor::current();
    io_uring_sqe* sqe = reactor_->get_sqe();
    io_uring_prep_timeout(sqe, &ts_, 0, 0);
    io_uring_sqe_set_data(sqe, static_cast<Completion*>(this));
    if (options_.cancel != nullptr) options_.cancel->attach(this);
  }
  IoResult await_resume() { return result_ == -ETIME ? IoResult(0u) : to_io_result(result_); }
  void complete(int32_t result, uint32_t) override {
    result_ = result;
    if (options_.cancel != nullptr) options_.cancel->detach(this);
    reactor_->schedule(waiter_);
  }
  void request_cancel() override {
    io_uring_sqe* sqe = reactor_->get_sqe();
    io_uring_prep_timeout_remove(sqe, reinterpret_cast<uint64_t>(static_cast<Completion*>(this)),
                                 0);
    io_uring_sqe_set_data64(sqe, kIgnoredUserData);
  }

 private:
  IoOptions options_;
  __kernel_timespec ts_{};
  Reactor* reactor_ = nullptr;
  std::coroutine_handle<> waiter_;
  int32_t result_ = 0;
};

inline RingTimeout timeout(std::chrono::nanoseconds duration, IoOptions options = {}) {
  return RingTimeout(duration, options);
}

// SEND_ZC: the kernel sends straight from `buf` and tells us with a second CQE (the
// notification) when it no longer needs the buffer. The awaiter resumes only after that, so the
// caller may reuse or free the buffer as soon as co_await returns. On loopback the notification
// comes only once the peer has read the data: keep the receiver running concurrently.
class SendZc final : public Completion {
 public:
  SendZc(int fd, std::span<const std::byte> buf) : fd_(fd), buf_(buf) {}
  bool await_ready() const { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    waiter_ = h;
    reactor_ = &Reactor::current();
    io_uring_sqe* sqe = reactor_->get_sqe();
    io_uring_prep_send_zc(sqe, fd_, buf_.data(), buf_.size(), MSG_NOSIGNAL, 0);
    io_uring_sqe_set_data(sqe, static_cast<Completion*>(this));
  }
  IoResult await_resume() { return to_io_result(result_); }
  void complete(int32_t result, uint32_t flags) override {
    if (flags & IORING_CQE_F_NOTIF) {
      notified_ = true;
    } else {
      result_ = result;
      got_result_ = true;
      // Without F_MORE no notification follows (e.g. the send failed).
      if (!(flags & IORING_CQE_F_MORE)) notified_ = true;
    }
    if (got_result_ && notified_) reactor_->schedule(waiter_);
  }

 private:
  int fd_;
  std::span<const std::byte> buf_;
  Reactor* reactor_ = nullptr;
  std::coroutine_handle<> waiter_;
  int32_t result_ = 0;
  bool got_result_ = false;
  bool notified_ = false;
};

inline SendZc send_zc(int fd, std::span<const std::byte> buf) { return SendZc(fd, buf); }

// A write followed by fdatasync, linked so the sync starts only after the write succeeded.
// Both results are reported: the write's byte count and whether the data is durable.
struct WriteSyncResult {
  IoResult write;
  IoResult sync;
};

class WritevDatasync final {
 public:
  WritevDatasync(int fd, const iovec* iov, unsigned count, uint64_t offset)
      : fd_(fd), iov_(iov), count_(count), offset_(offset) {}
  WritevDatasync(const WritevDatasync&) = delete;
  WritevDatasync& operator=(const WritevDatasync&) = delete;

  bool await_ready() const { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    waiter_ = h;
    Reactor& r = Reactor::current();
    reactor_ = &r;
    io_uring_sqe* w = r.get_sqe();
    io_uring_prep_writev(w, fd_, iov_, count_, offset_);
    io_uring_sqe_set_data(w, static_cast<Completion*>(&write_part_));
    w->flags |= IOSQE_IO_LINK;
    io_uring_sqe* s = r.get_sqe();
    io_uring_prep_fsync(s, fd_, IORING_FSYNC_DATASYNC);
    io_uring_sqe_set_data(s, static_cast<Completion*>(&sync_part_));
  }
  WriteSyncResult await_resume() {
    return {to_io_result(write_part_.result), to_io_result(sync_part_.result)};
  }

 private:
  struct Part final : Completion {
    explicit Part(WritevDatasync* o) : owner(o) {}
    WritevDatasync* owner;
    int32_t result = 0;
    void complete(int32_t res, uint32_t) override {
      result = res;
      owner->part_done();
    }
  };
  void part_done() {
    if (++parts_done_ == 2) reactor_->schedule(waiter_);
  }

  int fd_;
  const iovec* iov_;
  unsigned count_;
  uint64_t offset_;
  Reactor* reactor_ = nullptr;
  std::coroutine_handle<> waiter_;
  Part write_part_{this};
  Part sync_part_{this};
  int parts_done_ = 0;
};

inline WritevDatasync writev_then_fdatasync(int fd, const iovec* iov, unsigned count,
                                            uint64_t offset) {
  return WritevDatasync(fd, iov, count, offset);
}

}  // namespace ringlog::reactor
