#pragma once
// Connection: one client socket on one shard. A reader coroutine cuts the byte stream into
// size-prefixed frames and starts a handler for each; a writer coroutine sends the responses
// strictly in request order, however the handlers' completion order falls (Kafka clients match
// responses by order as well as by correlation id).
//
// Limits: a frame larger than request_max_bytes (socket.request.max.bytes), or with a negative
// size, closes the connection before anything is allocated; while the requests read but not yet
// answered hold more than inflight_max_bytes, the reader stops reading (TCP back-pressure).
//
// Zero copy: each frame is received straight into a buffer of its own, which moves to the
// handler; only the next frame's 4-byte size prefix may be read along with it and carried over.

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>

#include "engine/base/errno.h"
#include "engine/base/result.h"
#include "engine/reactor/cancel.h"
#include "engine/reactor/event.h"
#include "engine/reactor/task.h"
#include "net/server/request_handler.h"
#include "net/server/response.h"
#include "net/server/shard_affinity.h"

namespace ringlog::server {

struct ConnectionLimits {
  uint32_t request_max_bytes = 100 * 1024 * 1024;  // socket.request.max.bytes
  uint64_t inflight_max_bytes = 64 * 1024 * 1024;  // requests read but not yet answered
  uint32_t inflight_max_requests = 4096;
  // Hand the socket to the shard its partitions live on when the requests ask for it
  // (shard_affinity.h). Needs a shard group (reactor::Smp) with a Server on every shard.
  bool move_to_home_shard = false;
};

// What a connection moved from another shard brings along: the bytes of the next frame's size
// prefix already read there, and how often it moved before.
struct ConnectionOrigin {
  std::array<std::byte, 4> prefix{};
  uint32_t prefix_bytes = 0;
  uint32_t moves = 0;
};

// Why a connection ended, for logs and tests.
enum class CloseReason : uint8_t {
  kPeerClosed,
  kReadError,
  kWriteError,
  kFrameTooLarge,
  kNegativeFrameSize,
  kHandlerAskedToClose,
  kShutdown,
  kMoved,  // not closed: the socket goes on to another shard (move_target(), origin_for_move())
};
const char* to_string(CloseReason reason);

class Connection {
 public:
  Connection(int fd, uint64_t id, ConnectionLimits limits, RequestHandler& handler,
             ConnectionOrigin origin = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Serves the connection until it closes; then waits for its handlers and closes the socket.
  reactor::Task<CloseReason> run();

  // Asks a running connection to stop reading and finish (server shutdown).
  void shut_down();

  const ConnectionInfo& info() const { return info_; }

  // After run() returned kMoved: where the socket goes, and what it takes along. The
  // connection no longer owns the socket then (its destructor leaves it open).
  uint32_t move_target() const { return move_target_; }
  const ConnectionOrigin& origin_for_move() const { return origin_for_move_; }

 private:
  struct Slot {
    uint32_t request_bytes = 0;
    bool ready = false;
    Response response;
  };

  reactor::Task<void> read_loop();
  reactor::Task<void> write_loop();
  reactor::Task<void> handle_one(Slot* slot, RequestFrame frame);
  reactor::Task<Result<void, Errno>> send_response(const Response& response);
  reactor::Task<Result<void, Errno>> send_bytes(std::span<const std::byte> bytes);
  reactor::Task<Result<void, Errno>> send_file_range(const FileRange& range);
  // A range not in the page cache: read with O_DIRECT (`direct_fd`, uncached_range.h) into a
  // staging buffer and sent from it.
  reactor::Task<Result<void, Errno>> send_range_direct(int direct_fd, uint64_t position,
                                                       uint32_t remaining);
  // Fills `buf` completely from the socket; false on EOF/error/cancel (sets close_reason_).
  reactor::Task<bool> recv_exact(std::span<std::byte> buf);
  void close_with(CloseReason reason);

  ConnectionInfo info_;
  ConnectionLimits limits_;
  RequestHandler& handler_;
  reactor::CancelSource read_cancel_;
  reactor::Event changed_;  // a response became ready, a slot was freed, or we are closing
  std::deque<std::unique_ptr<Slot>> slots_;
  uint64_t inflight_bytes_ = 0;
  uint32_t active_tasks_ = 0;  // handlers plus the writer
  bool writer_busy_ = false;   // the writer took a response and is not done with it
  bool closing_ = false;
  std::optional<CloseReason> close_reason_;
  int pipe_read_ = -1;  // for splice: file -> pipe -> socket
  int pipe_write_ = -1;
  ConnectionOrigin origin_;  // the size-prefix bytes to start from (a moved connection)
  MoveDecider move_decider_;
  uint32_t move_target_ = 0;
  ConnectionOrigin origin_for_move_;
};

}  // namespace ringlog::server
