#pragma once
// Acceptor: one multishot accept (IORING_OP_ACCEPT with IORING_ACCEPT_MULTISHOT) on a listening
// socket. Each accepted connection arrives as a CQE with IORING_CQE_F_MORE; the fd goes straight
// to the oldest coroutine waiting in accept(), or into a small queue if nobody waits. The
// operation is re-armed whenever a CQE comes without F_MORE (the kernel ended it).
//
// Limits: when queue_max connections are queued and nobody takes them, the multishot is
// cancelled (paused) and re-armed once accept() drains the queue. Connections the kernel had
// already accepted before the cancel landed are still queued, so the queue can exceed queue_max
// by at most the listen backlog (net.core.somaxconn).
//
// Errors are returned, never asserted: a CQE with an error (EMFILE, ENFILE, ENOMEM, ...) goes to
// the oldest waiter; the operation is re-armed by the next accept() call, so a process out of
// file descriptors is not spun on.
//
// Shutdown: stop() cancels the multishot, fails every waiter and later accept() with ECANCELED
// and closes queued connections; it returns once no CQE can reference the Acceptor any more.
// The Acceptor registers itself as a stop listener of its reactor, so a reactor stop request
// starts that at once. An Acceptor must be stopped (co_await stop()) before it is destroyed.
// Everything runs on the reactor's thread that created the Acceptor.

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <deque>

#include "engine/base/errno.h"
#include "engine/base/result.h"
#include "engine/reactor/cancel.h"
#include "engine/reactor/completion.h"
#include "engine/reactor/reactor.h"
#include "engine/reactor/task.h"

namespace ringlog::reactor {

inline constexpr size_t kAcceptQueueMaxDefault = 64;

struct AcceptorOptions {
  // Accepted connections held for later accept() calls before the acceptor pauses.
  size_t queue_max = kAcceptQueueMaxDefault;
};

class Acceptor final : public Completion, public StopListener {
 public:
  // `listen_fd` stays owned by the caller and must outlive the Acceptor.
  explicit Acceptor(int listen_fd, AcceptorOptions options = {});
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  // The next accepted connection (a close-on-exec fd the caller owns). ECANCELED once stopped
  // or when `cancel` fires; other errors as the kernel reported them.
  Task<Result<int, Errno>> accept(CancelSource* cancel = nullptr);

  // Stops accepting (see the header comment) and waits until no operation is in flight.
  Task<void> stop();

  // Starts stopping without waiting (idempotent). Called by the reactor on a stop request.
  void begin_stop();

  size_t queued() const { return queue_.size(); }
  bool armed() const { return armed_; }
  // How many times the multishot operation was (re)submitted (tests check re-arming).
  uint64_t arm_count() const { return arm_count_; }

  // Completion: one CQE of the multishot accept.
  void complete(int32_t result, uint32_t cqe_flags) override;
  // StopListener.
  void on_stop() override { begin_stop(); }

 private:
  class Waiter;
  class Drained;

  void arm();
  void pause_or_cancel();
  void maybe_rearm();
  void enqueue(Waiter* w);
  void remove(Waiter* w);
  // Hands `result` (an fd or -errno) to the oldest waiter; false if nobody waits.
  bool hand_to_waiter(int32_t result);

  Reactor& reactor_;
  int listen_fd_;
  AcceptorOptions options_;
  std::deque<int> queue_;
  Waiter* waiters_head_ = nullptr;
  Waiter* waiters_tail_ = nullptr;
  std::coroutine_handle<> drained_waiter_;  // a stop() waiting for the final CQE
  bool armed_ = false;
  bool cancel_requested_ = false;
  bool stopped_ = false;
  uint64_t arm_count_ = 0;
};

}  // namespace ringlog::reactor
