#pragma once
// Loops over the single io_uring operations of io.h for callers that need a whole buffer moved:
// send_all / recv_exact on sockets, write_all / read_exact on files at an offset. Each handles
// short transfers by continuing where the last one stopped.
//
// -ENOBUFS on a send is back-pressure, not failure: the kernel could not get memory for socket
// buffers (or, with provided buffers, had none free) at that instant. Retrying at once would spin
// while the condition persists; giving up would turn a transient memory squeeze into a dropped
// connection. So the send backs off briefly (kNoBufsBackoff on the reactor's timers, letting
// other coroutines run and the kernel reclaim) and retries, at most kNoBufsRetriesMax times in a
// row before returning ENOBUFS.
//
// IoOptions (cancel, timeout) apply to each underlying operation.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/base/errno.h"
#include "engine/base/result.h"
#include "engine/reactor/io.h"
#include "engine/reactor/task.h"
#include "engine/reactor/timer.h"

namespace ringlog::reactor {

inline constexpr auto kNoBufsBackoff = std::chrono::microseconds(50);
inline constexpr int kNoBufsRetriesMax = 200;  // ~10 ms of back-off before giving up

namespace detail {

// send_all over any `send_op(span) -> awaitable<IoResult>`; the seam tests use to inject errors.
template <typename SendOp>
Task<Result<void, Errno>> send_all_with(SendOp send_op, std::span<const std::byte> buf,
                                        CancelSource* cancel) {
  int nobufs_in_a_row = 0;
  while (!buf.empty()) {
    IoResult r = co_await send_op(buf);
    if (!r) {
      if (r.error().code == ENOBUFS && nobufs_in_a_row++ < kNoBufsRetriesMax) {
        // (Bound to a local: GCC 12 miscompiles co_await inside an if condition.)
        const bool slept = co_await sleep(kNoBufsBackoff, cancel);
        if (!slept) co_return Errno{ECANCELED};
        continue;
      }
      co_return r.error();
    }
    nobufs_in_a_row = 0;
    // A zero-byte send of a non-empty buffer makes no progress; treat it as a broken pipe.
    if (*r == 0) co_return Errno{EPIPE};
    RL_ASSERT(*r <= buf.size());
    buf = buf.subspan(*r);
  }
  co_return Result<void, Errno>{};
}

}  // namespace detail

// Sends all of `buf`. EPIPE/ECONNRESET when the peer went away.
inline Task<Result<void, Errno>> send_all(int fd, std::span<const std::byte> buf,
                                          IoOptions options = {}) {
  return detail::send_all_with(
      [fd, options](std::span<const std::byte> rest) { return send(fd, rest, options); }, buf,
      options.cancel);
}

// Receives exactly buf.size() bytes unless the stream ends first. Returns the number received:
// less than buf.size() only at end of stream (0 if it ended before any byte).
inline Task<Result<size_t, Errno>> recv_exact(int fd, std::span<std::byte> buf,
                                              IoOptions options = {}) {
  size_t done = 0;
  while (done < buf.size()) {
    IoResult r = co_await recv(fd, buf.subspan(done), options);
    if (!r) co_return r.error();
    if (*r == 0) break;  // end of stream
    done += *r;
  }
  co_return done;
}

// Writes all of `buf` at `offset`. A write that makes no progress is reported as EIO.
inline Task<Result<void, Errno>> write_all(int fd, std::span<const std::byte> buf, uint64_t offset,
                                           IoOptions options = {}) {
  while (!buf.empty()) {
    IoResult r = co_await write(fd, buf, offset, options);
    if (!r) co_return r.error();
    if (*r == 0) co_return Errno{EIO};
    RL_ASSERT(*r <= buf.size());
    buf = buf.subspan(*r);
    offset += *r;
  }
  co_return Result<void, Errno>{};
}

// Reads buf.size() bytes at `offset` unless the file ends first. Returns the number read: less
// than buf.size() only at end of file.
inline Task<Result<size_t, Errno>> read_exact(int fd, std::span<std::byte> buf, uint64_t offset,
                                              IoOptions options = {}) {
  size_t done = 0;
  while (done < buf.size()) {
    IoResult r = co_await read(fd, buf.subspan(done), offset + done, options);
    if (!r) co_return r.error();
    if (*r == 0) break;  // end of file
    done += *r;
  }
  co_return done;
}

}  // namespace ringlog::reactor
