#include "net/server/connection.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "engine/base/assert.h"
#include "engine/reactor/io.h"
#include "engine/reactor/reactor.h"
#include "engine/storage/staging_buffer.h"
#include "net/server/uncached_range.h"

namespace ringlog::server {
namespace {

constexpr size_t kSizePrefixBytes = 4;
// Pipe capacity for splicing file ranges; larger pipes mean fewer splice round trips.
constexpr int kSplicePipeBytes = 1 << 20;
// iovecs per writev when gathering a response's byte chunks.
constexpr size_t kMaxIovPerWrite = 64;
// SO_RCVLOWAT while a large frame's body arrives (see read_loop).
constexpr uint32_t kRecvLowWater = 256 * 1024;
// Copying fallback buffer when splice is not available for a file.
constexpr size_t kCopyChunkBytes = 256 * 1024;

uint32_t load_be32(const std::byte* p) {
  return (std::to_integer<uint32_t>(p[0]) << 24) | (std::to_integer<uint32_t>(p[1]) << 16) |
         (std::to_integer<uint32_t>(p[2]) << 8) | std::to_integer<uint32_t>(p[3]);
}

std::array<std::byte, 4> store_be32(uint32_t v) {
  return {std::byte(v >> 24), std::byte(v >> 16), std::byte(v >> 8), std::byte(v)};
}

// One splice on the calling thread that does not wait for room: EAGAIN when the pipe or the
// socket has none, and the caller waits through io_uring instead. SPLICE_F_NONBLOCK covers the
// pipe; a socket waits unless its file is O_NONBLOCK, which is set for this call only (io_uring
// reads and writes on an O_NONBLOCK file would fail with EAGAIN instead of waiting). A file
// page that is not cached is read on this thread.
reactor::IoResult inline_splice(int fd_in, int64_t off_in, int fd_out, uint32_t len,
                                bool out_is_socket) {
  int socket_flags = 0;
  if (out_is_socket) {
    socket_flags = ::fcntl(fd_out, F_GETFL);
    if (socket_flags < 0 || ::fcntl(fd_out, F_SETFL, socket_flags | O_NONBLOCK) != 0) {
      return Errno{EAGAIN};
    }
  }
  loff_t offset = off_in;
  const ssize_t n = ::splice(fd_in, off_in >= 0 ? &offset : nullptr, fd_out, nullptr, len,
                             SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  const int splice_errno = errno;
  if (out_is_socket) ::fcntl(fd_out, F_SETFL, socket_flags);
  if (n < 0) return Errno{splice_errno};
  return static_cast<uint32_t>(n);
}

}  // namespace

const char* to_string(CloseReason reason) {
  switch (reason) {
    case CloseReason::kPeerClosed: return "peer closed";
    case CloseReason::kReadError: return "read error";
    case CloseReason::kWriteError: return "write error";
    case CloseReason::kFrameTooLarge: return "frame larger than socket.request.max.bytes";
    case CloseReason::kNegativeFrameSize: return "negative frame size";
    case CloseReason::kHandlerAskedToClose: return "closed by request handler";
    case CloseReason::kShutdown: return "shutdown";
    case CloseReason::kMoved: return "moved to another shard";
  }
  return "unknown";
}

Connection::Connection(int fd, uint64_t id, ConnectionLimits limits, RequestHandler& handler,
                       ConnectionOrigin origin)
    : info_{.id = id, .fd = fd},
      limits_(limits),
      handler_(handler),
      origin_(origin),
      move_decider_(origin.moves) {
  RL_ASSERT(fd >= 0);
  RL_ASSERT(origin.prefix_bytes <= origin.prefix.size());
}

Connection::~Connection() {
  RL_ASSERT(active_tasks_ == 0, "connection destroyed while its tasks run");
  if (pipe_read_ >= 0) ::close(pipe_read_);
  if (pipe_write_ >= 0) ::close(pipe_write_);
  if (close_reason_ != CloseReason::kMoved) ::close(info_.fd);
}

void Connection::close_with(CloseReason reason) {
  if (!close_reason_) close_reason_ = reason;
  closing_ = true;
  read_cancel_.cancel();
  changed_.set();
}

void Connection::shut_down() { close_with(CloseReason::kShutdown); }

reactor::Task<CloseReason> Connection::run() {
  ++active_tasks_;
  reactor::Reactor::current().spawn(write_loop());
  co_await read_loop();
  close_with(CloseReason::kPeerClosed);  // keeps an earlier reason
  while (active_tasks_ > 0) co_await changed_.wait();
  co_return *close_reason_;
}

reactor::Task<bool> Connection::recv_exact(std::span<std::byte> buf) {
  size_t got = 0;
  while (got < buf.size()) {
    auto r = co_await reactor::recv(info_.fd, buf.subspan(got), {.cancel = &read_cancel_});
    if (!r) {
      close_with(r.error().code == ECANCELED ? CloseReason::kShutdown : CloseReason::kReadError);
      co_return false;
    }
    if (*r == 0) {
      close_with(CloseReason::kPeerClosed);
      co_return false;
    }
    got += *r;
  }
  co_return true;
}

reactor::Task<void> Connection::read_loop() {
  std::array<std::byte, kSizePrefixBytes> prefix = origin_.prefix;
  size_t carried = origin_.prefix_bytes;  // bytes of the next size prefix already read
  const uint32_t self = reactor::Reactor::current().id().value();
  while (!closing_) {
    if (limits_.move_to_home_shard) {
      if (const std::optional<uint32_t> target = move_decider_.target(self)) {
        // Every request read is answered before the socket changes hands, so responses keep
        // their order; the writer sends the last ones before run() returns.
        while (!closing_ && (!slots_.empty() || writer_busy_)) co_await changed_.wait();
        if (closing_) co_return;
        move_target_ = *target;
        origin_for_move_.prefix = prefix;
        origin_for_move_.prefix_bytes = static_cast<uint32_t>(carried);
        origin_for_move_.moves = move_decider_.moves() + 1;
        close_with(CloseReason::kMoved);
        co_return;
      }
    }
    if (carried < kSizePrefixBytes) {
      // Bound to a local first: GCC 12 miscompiles co_await inside an if condition.
      const bool got_prefix = co_await recv_exact(std::span(prefix).subspan(carried));
      if (!got_prefix) co_return;
    }
    carried = 0;
    const auto size = static_cast<int32_t>(load_be32(prefix.data()));
    if (size < 0) {
      close_with(CloseReason::kNegativeFrameSize);
      co_return;
    }
    if (static_cast<uint32_t>(size) > limits_.request_max_bytes) {
      close_with(CloseReason::kFrameTooLarge);
      co_return;
    }

    // Back-pressure: with enough unanswered requests, stop reading until responses go out.
    // One request is always allowed, so a frame over inflight_max_bytes still makes progress.
    while (!closing_ && !slots_.empty() &&
           (inflight_bytes_ + static_cast<uint64_t>(size) > limits_.inflight_max_bytes ||
            slots_.size() >= limits_.inflight_max_requests)) {
      co_await changed_.wait();
    }
    if (closing_) co_return;

    RequestFrame frame;
    frame.size = static_cast<uint32_t>(size);
    frame.buffer.resize(frame.size + kSizePrefixBytes);
    size_t got = 0;
    uint32_t low_water = 1;
    while (got < frame.size) {
      // A large frame arrives in many segments: wake once kRecvLowWater bytes are there rather
      // than for each segment, while the frame still owes at least that much (never more, or
      // the wait could hang); for the rest, any byte. Two setsockopt calls per large frame.
      const uint32_t lowat = frame.size - got >= kRecvLowWater ? kRecvLowWater : 1;
      if (lowat != low_water &&
          ::setsockopt(info_.fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat)) == 0) {
        low_water = lowat;
      }
      // Ask for at most this frame plus the next size prefix, so no other frame's body is read
      // into this buffer.
      auto r = co_await reactor::recv(info_.fd, std::span(frame.buffer).subspan(got),
                                      {.cancel = &read_cancel_});
      if (!r) {
        close_with(r.error().code == ECANCELED ? CloseReason::kShutdown : CloseReason::kReadError);
        co_return;
      }
      if (*r == 0) {
        close_with(CloseReason::kPeerClosed);  // closed mid-request: the partial frame is dropped
        co_return;
      }
      got += *r;
    }
    if (low_water != 1) {
      // Back to any byte: the next frame may be small.
      const int one = 1;
      ::setsockopt(info_.fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof(one));
    }
    carried = got - frame.size;
    RL_ASSERT(carried <= kSizePrefixBytes);
    std::memcpy(prefix.data(), frame.buffer.data() + frame.size, carried);

    auto slot = std::make_unique<Slot>();
    slot->request_bytes = frame.size;
    Slot* slot_ptr = slot.get();
    slots_.push_back(std::move(slot));
    inflight_bytes_ += frame.size;
    ++active_tasks_;
    reactor::Reactor::current().spawn(handle_one(slot_ptr, std::move(frame)));
  }
}

reactor::Task<void> Connection::handle_one(Slot* slot, RequestFrame frame) {
  Response response;
  try {
    response = co_await handler_.handle(info_, std::move(frame));
  } catch (const std::exception& e) {
    // A handler bug must not take the broker down: drop this client instead.
    fmt::print(stderr, "connection {}: request handler failed: {}\n", info_.id, e.what());
    response = Response::close();
  }
  move_decider_.observe(response.shard_affinity);
  slot->response = std::move(response);
  slot->ready = true;
  --active_tasks_;
  changed_.set();
}

reactor::Task<void> Connection::write_loop() {
  bool write_failed = false;
  while (true) {
    if (!slots_.empty() && slots_.front()->ready) {
      std::unique_ptr<Slot> slot = std::move(slots_.front());
      slots_.pop_front();
      writer_busy_ = true;
      inflight_bytes_ -= slot->request_bytes;
      changed_.set();  // the reader may be waiting for room
      if (slot->response.send && !write_failed) {
        auto sent = co_await send_response(slot->response);
        reactor::Reactor::current().note_reply_sent();
        if (!sent) {
          write_failed = true;
          close_with(CloseReason::kWriteError);
        }
      }
      if (slot->response.close_after) close_with(CloseReason::kHandlerAskedToClose);
      writer_busy_ = false;
      changed_.set();  // a reader waiting to move the connection looks again
      continue;
    }
    if (closing_ && slots_.empty()) break;
    co_await changed_.wait();
  }
  --active_tasks_;
  changed_.set();
}

reactor::Task<Result<void, Errno>> Connection::send_bytes(std::span<const std::byte> bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    auto r = co_await reactor::send(info_.fd, bytes.subspan(sent));
    if (!r) co_return r.error();
    sent += *r;
  }
  co_return Result<void, Errno>{};
}

reactor::Task<Result<void, Errno>> Connection::send_response(const Response& response) {
  const size_t total = response.size_bytes();
  RL_ASSERT(total <= UINT32_MAX / 2, "response larger than a frame can say");
  const std::array<std::byte, 4> prefix = store_be32(static_cast<uint32_t>(total));

  // Gather the prefix and consecutive byte chunks into writevs; file ranges go by splice.
  std::vector<iovec> iov;
  iov.reserve(std::min(response.chunks.size() + 1, kMaxIovPerWrite));
  iov.push_back({const_cast<std::byte*>(prefix.data()), prefix.size()});
  auto flush = [](int fd, std::vector<iovec> pending) -> reactor::Task<Result<void, Errno>> {
    size_t first = 0;
    while (first < pending.size()) {
      const unsigned count =
          static_cast<unsigned>(std::min(pending.size() - first, kMaxIovPerWrite));
      auto r = co_await reactor::writev(fd, &pending[first], count, 0);
      if (!r) co_return r.error();
      size_t n = *r;
      // Advance past what was written, possibly ending inside an iovec.
      while (n > 0 && first < pending.size()) {
        if (n >= pending[first].iov_len) {
          n -= pending[first].iov_len;
          ++first;
        } else {
          pending[first].iov_base = static_cast<std::byte*>(pending[first].iov_base) + n;
          pending[first].iov_len -= n;
          n = 0;
        }
      }
      while (first < pending.size() && pending[first].iov_len == 0) ++first;
    }
    co_return Result<void, Errno>{};
  };

  for (const ResponseChunk& chunk : response.chunks) {
    if (const auto* bytes = std::get_if<std::vector<std::byte>>(&chunk)) {
      if (!bytes->empty()) iov.push_back({const_cast<std::byte*>(bytes->data()), bytes->size()});
      continue;
    }
    if (!iov.empty()) {
      auto r = co_await flush(info_.fd, std::move(iov));
      if (!r) co_return r.error();
      iov.clear();
    }
    auto r = co_await send_file_range(std::get<FileRange>(chunk));
    if (!r) co_return r.error();
  }
  if (!iov.empty()) {
    auto r = co_await flush(info_.fd, std::move(iov));
    if (!r) co_return r.error();
  }
  co_return Result<void, Errno>{};
}

reactor::Task<Result<void, Errno>> Connection::send_file_range(const FileRange& range) {
  if (range.length == 0) co_return Result<void, Errno>{};
  if (pipe_read_ < 0) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) co_return Errno{errno};
    pipe_read_ = fds[0];
    pipe_write_ = fds[1];
    ::fcntl(pipe_write_, F_SETPIPE_SZ, kSplicePipeBytes);  // best effort; 64 KiB otherwise
  }
  uint64_t position = range.position;
  uint32_t remaining = range.length;
  if (!range_is_cached(range.fd, position, remaining)) {
    auto direct = open_direct_reader(range.fd);
    if (direct) {
      auto sent = co_await send_range_direct(*direct, position, remaining);
      ::close(*direct);
      co_return sent;
    }
    // No direct I/O for this file: splice, through the page cache.
  }
  while (remaining > 0) {
    const uint32_t want = std::min<uint32_t>(remaining, kSplicePipeBytes);
    // Inline first: from cached pages into an empty pipe, and from the pipe into a socket with
    // room, splice does not block, and io_uring would hand it to a worker thread anyway
    // (splice has no non-blocking path there): the handoff cost more than the splice.
    reactor::IoResult in = inline_splice(range.fd, static_cast<int64_t>(position), pipe_write_, want,
                                         /*out_is_socket=*/false);
    if (!in && in.error().code == EAGAIN) {
      in = co_await reactor::splice(range.fd, static_cast<int64_t>(position), pipe_write_, -1,
                                    want);
    }
    if (!in && in.error().code == EINVAL) break;  // no splice for this file: copy below
    if (!in) co_return in.error();
    if (*in == 0) co_return Errno{EIO};  // the file is shorter than the range: cannot frame
    uint32_t in_pipe = *in;
    position += in_pipe;
    remaining -= in_pipe;
    while (in_pipe > 0) {
      reactor::IoResult out =
          inline_splice(pipe_read_, -1, info_.fd, in_pipe, /*out_is_socket=*/true);
      if (!out && out.error().code == EAGAIN) {
        out = co_await reactor::splice(pipe_read_, -1, info_.fd, -1, in_pipe);
      }
      if (!out) co_return out.error();
      if (*out == 0) co_return Errno{EPIPE};
      in_pipe -= *out;
    }
  }
  // Copying fallback: read the rest of the range into memory and send it.
  std::vector<std::byte> buffer;
  while (remaining > 0) {
    buffer.resize(std::min<size_t>(remaining, kCopyChunkBytes));
    auto r = co_await reactor::read(range.fd, buffer, position);
    if (!r) co_return r.error();
    if (*r == 0) co_return Errno{EIO};
    auto s = co_await send_bytes(std::span(buffer).first(*r));
    if (!s) co_return s.error();
    position += *r;
    remaining -= *r;
  }
  co_return Result<void, Errno>{};
}

reactor::Task<Result<void, Errno>> Connection::send_range_direct(int direct_fd, uint64_t position,
                                                                 uint32_t remaining) {
  constexpr uint64_t kAlign = storage::StagingBuffer::kAlignment;
  const storage::StagingBuffer buffer;
  while (remaining > 0) {
    // Read whole blocks around the bytes wanted, and send the bytes wanted.
    const uint64_t start = position & ~(kAlign - 1);
    const uint64_t skip = position - start;
    const uint64_t end = (position + remaining + kAlign - 1) & ~(kAlign - 1);
    const uint64_t want = std::min<uint64_t>(end - start, storage::StagingBuffer::kBytes);
    const std::span<std::byte> into(buffer.data(), want);
    auto got = co_await reactor::read(direct_fd, into, start);
    if (!got) co_return got.error();
    if (*got <= skip) co_return Errno{EIO};  // the file is shorter than the range: cannot frame
    const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(*got - skip, remaining));
    const std::span<const std::byte> bytes(buffer.data() + skip, n);
    auto sent = co_await send_bytes(bytes);
    if (!sent) co_return sent.error();
    position += n;
    remaining -= n;
  }
  co_return Result<void, Errno>{};
}

}  // namespace ringlog::server
