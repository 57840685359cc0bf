// Proves each io_uring operation against real fds (temp files, pipes, socket pairs, loopback TCP),
// with cancellation, timeouts, EAGAIN retries and the short-transfer/ENOBUFS helpers.
#include "engine/reactor/io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "engine/reactor/io_helpers.h"
#include "engine/reactor/net_util.h"
#include "engine/reactor/timer.h"
#include "tests/unit/engine/reactor/test_util.h"

namespace ringlog::reactor {
namespace {

using namespace std::chrono_literals;
using testing::ms_since;
using testing::SocketPair;
using testing::Watchdog;

class TempFile {
 public:
  TempFile() {
    char path[] = "/tmp/ringlog_io_test_XXXXXX";
    fd_ = ::mkstemp(path);
    EXPECT_GE(fd_, 0);
    ::unlink(path);
  }
  ~TempFile() { ::close(fd_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

std::vector<std::byte> pattern(size_t n, unsigned seed) {
  std::vector<std::byte> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<std::byte>((i * 31 + seed) % 251);
  return v;
}

TEST(IoTest, NopCompletesWithZero) {
  Watchdog watchdog(10s);
  Reactor reactor;
  auto main = []() -> Task<IoResult> { co_return co_await nop(); };
  IoResult r = reactor.block_on(main());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 0u);
}

TEST(IoTest, WriteThenReadBackAtOffsetsAndSync) {
  Watchdog watchdog(10s);
  TempFile file;
  Reactor reactor;
  auto main = [](int fd) -> Task<void> {
    const std::vector<std::byte> data = pattern(8192, 1);
    IoResult w = co_await write(fd, data, 4096);
    RL_CO_ASSERT(w.has_value());
    EXPECT_EQ(*w, data.size());
    IoResult s = co_await fdatasync(fd);
    EXPECT_TRUE(s.has_value());
    IoResult f = co_await fsync(fd);
    EXPECT_TRUE(f.has_value());
    std::vector<std::byte> back(8192);
    IoResult r = co_await read(fd, back, 4096);
    RL_CO_ASSERT(r.has_value());
    EXPECT_EQ(*r, back.size());
    EXPECT_EQ(back, data);
    // The hole before the offset reads as zeros; past the end reads 0 bytes.
    std::array<std::byte, 16> hole{};
    IoResult h = co_await read(fd, hole, 0);
    RL_CO_ASSERT(h.has_value());
    EXPECT_EQ(hole[0], std::byte{0});
    IoResult eof = co_await read(fd, hole, 1 << 20);
    RL_CO_ASSERT(eof.has_value());
    EXPECT_EQ(*eof, 0u);
  };
  reactor.block_on(main(file.fd()));
}

TEST(IoTest, WritevGathersBuffersInOrder) {
  Watchdog watchdog(10s);
  TempFile file;
  Reactor reactor;
  auto main = [](int fd) -> Task<void> {
    const std::string a = "hello, ", b = "io_uring ", c = "writev";
    const iovec iov[3] = {{const_cast<char*>(a.data()), a.size()},
                          {const_cast<char*>(b.data()), b.size()},
                          {const_cast<char*>(c.data()), c.size()}};
    IoResult w = co_await writev(fd, iov, 3, 0);
    RL_CO_ASSERT(w.has_value());
    EXPECT_EQ(*w, a.size() + b.size() + c.size());
    std::string back(*w, '\0');
    IoResult r = co_await read(fd, std::as_writable_bytes(std::span(back.data(), back.size())), 0);
    RL_CO_ASSERT(r.has_value());
    EXPECT_EQ(back, a + b + c);
  };
  reactor.block_on(main(file.fd()));
}

TEST(IoTest, WritevThenFdatasyncReportsBothResults) {
  Watchdog watchdog(10s);
  TempFile file;
  Reactor reactor;
  auto main = [](int fd) -> Task<void> {
    const std::vector<std::byte> one = pattern(1000, 2), two = pattern(3000, 3);
    const iovec iov[2] = {{const_cast<std::byte*>(one.data()), one.size()},
                          {const_cast<std::byte*>(two.data()), two.size()}};
    WriteSyncResult ws = co_await writev_then_fdatasync(fd, iov, 2, 100);
    RL_CO_ASSERT(ws.write.has_value());
    EXPECT_EQ(*ws.write, 4000u);
    EXPECT_TRUE(ws.sync.has_value());
    std::vector<std::byte> back(4000);
    Result<size_t, Errno> r = co_await read_exact(fd, back, 100);
    RL_CO_ASSERT(r.has_value());
    EXPECT_EQ(*r, 4000u);
    EXPECT_TRUE(std::equal(one.begin(), one.end(), back.begin()));
    EXPECT_TRUE(std::equal(two.begin(), two.end(), back.begin() + 1000));
  };
  reactor.block_on(main(file.fd()));
}

TEST(IoTest, WritevThenFdatasyncOnABadFdFailsBoth) {
  Watchdog watchdog(10s);
  Reactor reactor;
  auto main = []() -> Task<void> {
    const std::string a = "x";
    const iovec iov[1] = {{const_cast<char*>(a.data()), a.size()}};
    WriteSyncResult ws = co_await writev_then_fdatasync(-1, iov, 1, 0);
    RL_CO_ASSERT(!(ws.write.has_value()));
    EXPECT_EQ(ws.write.error().code, EBADF);
    EXPECT_FALSE(ws.sync.has_value());  // the link was broken: ECANCELED
  };
  reactor.block_on(main());
}

TEST(IoTest, WriteAllAndReadExactMoveFourMegabytes) {
  Watchdog watchdog(20s);
  TempFile file;
  Reactor reactor;
  auto main = [](int fd) -> Task<void> {
    const std::vector<std::byte> data = pattern(4 << 20, 4);
    Result<void, Errno> w = co_await write_all(fd, data, 512);
    RL_CO_ASSERT(w.has_value());
    std::vector<std::byte> back(data.size());
    Result<size_t, Errno> r = co_await read_exact(fd, back, 512);
    RL_CO_ASSERT(r.has_value());
    EXPECT_EQ(*r, data.size());
    EXPECT_EQ(back, data);
    // Asking for more than the file holds stops at end of file.
    std::vector<std::byte> tail(1000);
    Result<size_t, Errno> t = co_await read_exact(fd, tail, 512 + data.size() - 10);
    RL_CO_ASSERT(t.has_value());
    EXPECT_EQ(*t, 10u);
  };
  reactor.block_on(main(file.fd()));
}

TEST(IoTest, WriteToAReadOnlyFdReturnsEbadf) {
  Watchdog watchdog(10s);
  const int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  Reactor reactor;
  auto main = [](int f) -> Task<Result<void, Errno>> {
    const std::vector<std::byte> data = pattern(10, 5);
    co_return co_await write_all(f, data, 0);
  };
  Result<void, Errno> r = reactor.block_on(main(fd));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, EBADF);
  ::close(fd);
}

TEST(IoTest, SendAllAndRecvExactMoveAMegabyteThroughASocketPair) {
  // A socket buffer is far smaller than 1 MiB: both sides see short transfers.
  Watchdog watchdog(20s);
  SocketPair pair;
  Reactor reactor;
  auto sender = [](int fd, const std::vector<std::byte>* data) -> Task<void> {
    Result<void, Errno> s = co_await send_all(fd, *data);
    EXPECT_TRUE(s.has_value());
    ::shutdown(fd, SHUT_WR);
  };
  auto main = [](int rfd, int wfd, decltype(sender) send_fn) -> Task<void> {
    const std::vector<std::byte> data = pattern(1 << 20, 6);
    Reactor::current().spawn(send_fn(wfd, &data));
    std::vector<std::byte> back(data.size());
    Result<size_t, Errno> r = co_await recv_exact(rfd, back);
    RL_CO_ASSERT(r.has_value());
    EXPECT_EQ(*r, data.size());
    EXPECT_EQ(back, data);
    // Then the stream ends: recv_exact reports 0 bytes.
    std::array<std::byte, 8> more{};
    Result<size_t, Errno> end = co_await recv_exact(rfd, more);
    RL_CO_ASSERT(end.has_value());
    EXPECT_EQ(*end, 0u);
  };
  reactor.block_on(main(pair.fd[0], pair.fd[1], sender));
}

TEST(IoTest, SpliceMovesFileBytesThroughAPipeToASocket) {
  Watchdog watchdog(10s);
  TempFile file;
  SocketPair pair;
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  const std::vector<std::byte> data = pattern(32 * 1024, 7);
  ASSERT_EQ(::pwrite(file.fd(), data.data(), data.size(), 0), static_cast<ssize_t>(data.size()));
  Reactor reactor;
  auto main = [](int file_fd, int pipe_r, int pipe_w, int sock_out, int sock_in,
                 const std::vector<std::byte>* expected) -> Task<void> {
    // 32 KiB fits the default 64 KiB pipe: file → pipe, then pipe → socket, 8 KiB at a time
    // from file position 4096 on.
    uint32_t moved = 0;
    const uint32_t total = static_cast<uint32_t>(expected->size()) - 4096;
    while (moved < total) {
      IoResult in = co_await splice(file_fd, 4096 + moved, pipe_w, -1,
                                    std::min<uint32_t>(8192, total - moved));
      RL_CO_ASSERT(in.has_value());
      RL_CO_ASSERT(*in > 0u);
      uint32_t out_left = *in;
      while (out_left > 0) {
        IoResult out = co_await splice(pipe_r, -1, sock_out, -1, out_left);
        RL_CO_ASSERT(out.has_value());
        out_left -= *out;
      }
      moved += *in;
    }
    std::vector<std::byte> back(total);
    Result<size_t, Errno> r = co_await recv_exact(sock_in, back);
    RL_CO_ASSERT(r.has_value());
    EXPECT_EQ(*r, total);
    EXPECT_TRUE(std::equal(back.begin(), back.end(), expected->begin() + 4096));
  };
  reactor.block_on(main(file.fd(), pipe_fds[0], pipe_fds[1], pair.fd[0], pair.fd[1], &data));
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

Task<void> accept_one(int listen_fd, int* out) {
  IoResult r = co_await accept(listen_fd);
  EXPECT_TRUE(r.has_value());
  *out = r ? static_cast<int>(*r) : -1;
}

Task<void> recv_and_compare(int fd, std::vector<std::byte> expected, bool* matched) {
  std::vector<std::byte> back(expected.size());
  Result<size_t, Errno> r = co_await recv_exact(fd, back, IoOptions{.timeout = 10s});
  *matched = r.has_value() && *r == back.size() && back == expected;
}

TEST(IoTest, SendZcOverLoopbackTcpResumesAfterTheNotification) {
  // On loopback the kernel frees a zero-copy buffer only once the peer has read it, so the
  // receiver runs concurrently.
  Watchdog watchdog(20s);
  Result<Listener, Errno> listener = listen_loopback();
  ASSERT_TRUE(listener.has_value());
  Reactor reactor;
  auto main = [](Listener l) -> Task<bool> {
    int server = -1;
    Reactor::current().spawn(accept_one(l.fd, &server));
    Result<int, Errno> client = co_await connect_loopback(l.port);
    EXPECT_TRUE(client.has_value());
    if (!client) co_return false;
    for (int i = 0; i < 1000 && server < 0; ++i) co_await sleep(1ms);
    EXPECT_GE(server, 0);
    if (server < 0) co_return false;
    std::vector<std::byte> data = pattern(256 * 1024, 8);
    bool matched = false;
    Reactor::current().spawn(recv_and_compare(server, data, &matched));
    size_t sent = 0;
    while (sent < data.size()) {
      IoResult r = co_await send_zc(*client, std::span<const std::byte>(data).subspan(sent));
      EXPECT_TRUE(r.has_value());
      if (!r) break;
      sent += *r;
    }
    // The kernel has let go of the buffer: scribbling on it cannot change what was received.
    std::fill(data.begin(), data.end(), std::byte{0});
    for (int i = 0; i < 10'000 && !matched; ++i) co_await sleep(1ms);
    ::close(*client);
    ::close(server);
    co_return matched;
  };
  EXPECT_TRUE(reactor.block_on(main(*listener)));
  ::close(listener->fd);
}

TEST(IoTest, SendZcOnAUnixSocketFailsWithoutWaitingForANotification) {
  Watchdog watchdog(10s);
  SocketPair pair;
  Reactor reactor;
  auto main = [](int fd) -> Task<IoResult> {
    const std::vector<std::byte> data = pattern(100, 9);
    co_return co_await send_zc(fd, data);
  };
  // AF_UNIX has no zero-copy: the send fails without a notification and still resumes.
  IoResult r = reactor.block_on(main(pair.fd[0]));
  EXPECT_FALSE(r.has_value());
}

TEST(IoTest, ConnectToAClosedPortIsRefused) {
  Watchdog watchdog(10s);
  Result<Listener, Errno> listener = listen_loopback();
  ASSERT_TRUE(listener.has_value());
  const uint16_t port = listener->port;
  ::close(listener->fd);  // nothing listens there any more
  Reactor reactor;
  auto main = [](uint16_t p) -> Task<Result<int, Errno>> {
    co_return co_await connect_loopback(p, IoOptions{.timeout = 5s});
  };
  Result<int, Errno> r = reactor.block_on(main(port));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ECONNREFUSED);
}

Task<void> cancel_later(CancelSource* cancel, Clock::duration d) {
  co_await sleep(d);
  cancel->cancel();
}

TEST(IoTest, CancelSourceCancelsAPendingRecv) {
  Watchdog watchdog(10s);
  SocketPair pair;
  Reactor reactor;
  auto main = [](int fd) -> Task<void> {
    CancelSource cancel;
    Reactor::current().spawn(cancel_later(&cancel, 2ms));
    std::array<std::byte, 16> buf{};
    const Clock::time_point start = Clock::now();
    IoResult r = co_await recv(fd, buf, IoOptions{.cancel = &cancel});
    RL_CO_ASSERT(!(r.has_value()));
    EXPECT_EQ(r.error().code, ECANCELED);
    EXPECT_LT(ms_since(start), 1'000.0);
    // The source can be reset and used again; the socket still works.
    cancel.reset();
    IoResult again = co_await recv(fd, buf, IoOptions{.cancel = &cancel, .timeout = 5ms});
    EXPECT_FALSE(again.has_value());
  };
  reactor.block_on(main(pair.fd[0]));
}

TEST(IoTest, ACancelledSourceFailsTheNextRecvWithoutSubmitting) {
  Watchdog watchdog(10s);
  SocketPair pair;
  Reactor reactor;
  auto main = [](int fd) -> Task<IoResult> {
    CancelSource cancel;
    cancel.cancel();
    std::array<std::byte, 16> buf{};
    co_return co_await recv(fd, buf, IoOptions{.cancel = &cancel});
  };
  IoResult r = reactor.block_on(main(pair.fd[0]));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ECANCELED);
}

TEST(IoTest, RecvTimeoutExpiresWhenNoDataArrives) {
  Watchdog watchdog(10s);
  SocketPair pair;
  Reactor reactor;
  auto main = [](int fd) -> Task<double> {
    std::array<std::byte, 16> buf{};
    const Clock::time_point start = Clock::now();
    IoResult r = co_await recv(fd, buf, IoOptions{.timeout = 20ms});
    EXPECT_FALSE(r.has_value());
    if (!r) {
      EXPECT_EQ(r.error().code, ECANCELED);
    }
    co_return ms_since(start);
  };
  const double elapsed = reactor.block_on(main(pair.fd[0]));
  EXPECT_GE(elapsed, 19.0);
  EXPECT_LT(elapsed, 2'000.0);
}

Task<void> write_after(int fd, Clock::duration d) {
  co_await sleep(d);
  const char msg[5] = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_EQ(::write(fd, msg, 5), 5);
}

TEST(IoTest, RecvWithATimeoutReturnsDataThatArrivesInTime) {
  Watchdog watchdog(10s);
  SocketPair pair;
  Reactor reactor;
  auto main = [](int rfd, int wfd) -> Task<void> {
    Reactor::current().spawn(write_after(wfd, 2ms));
    std::array<std::byte, 16> buf{};
    IoResult r = co_await recv(rfd, buf, IoOptions{.timeout = 5s});
    RL_CO_ASSERT(r.has_value());
    EXPECT_EQ(*r, 5u);
  };
  reactor.block_on(main(pair.fd[0], pair.fd[1]));
}

Task<void> write_after_yields(int fd, int yields) {
  for (int i = 0; i < yields; ++i) co_await sleep(0ms);
  const char msg[2] = {'o', 'k'};
  EXPECT_EQ(::write(fd, msg, 2), 2);
}

// A recv with MSG_DONTWAIT: io_uring hands -EAGAIN back instead of waiting for data (with a
// plain recv or read it polls internally), which exercises the operation's retry path.
auto recv_dontwait(int fd, std::span<std::byte> buf) {
  return make_op(
      [=](io_uring_sqe* s) { io_uring_prep_recv(s, fd, buf.data(), buf.size(), MSG_DONTWAIT); },
      IoOptions{});
}

TEST(IoTest, EagainIsRetriedUntilDataArrives) {
  Watchdog watchdog(10s);
  SocketPair pair;
  Reactor reactor;
  auto main = [](int rfd, int wfd) -> Task<IoResult> {
    Reactor::current().spawn(write_after_yields(wfd, 3));
    std::array<std::byte, 8> buf{};
    co_return co_await recv_dontwait(rfd, buf);
  };
  IoResult r = reactor.block_on(main(pair.fd[0], pair.fd[1]));
  ASSERT_TRUE(r.has_value()) << r.error().name();
  EXPECT_EQ(*r, 2u);
}

TEST(IoTest, EagainIsReturnedAfterTheRetryLimit) {
  Watchdog watchdog(10s);
  SocketPair pair;
  Reactor reactor;
  auto main = [](int rfd) -> Task<IoResult> {
    std::array<std::byte, 8> buf{};
    co_return co_await recv_dontwait(rfd, buf);
  };
  IoResult r = reactor.block_on(main(pair.fd[0]));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, EAGAIN);
}

TEST(IoTest, CloseClosesTheFd) {
  Watchdog watchdog(10s);
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  Reactor reactor;
  auto main = [](int fd) -> Task<IoResult> { co_return co_await close(fd); };
  IoResult r = reactor.block_on(main(fds[0]));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(::fcntl(fds[0], F_GETFD), -1);
  EXPECT_EQ(errno, EBADF);
  ::close(fds[1]);
}

Task<void> recv_expect_cancel(int fd, int* cancelled) {
  std::array<std::byte, 8> buf{};
  IoResult r = co_await recv(fd, buf);
  if (!r && r.error().code == ECANCELED) ++*cancelled;
}

TEST(IoTest, CancelFdCancelsEveryOperationOnTheFd) {
  Watchdog watchdog(10s);
  SocketPair pair;
  Reactor reactor;
  auto main = [](int fd) -> Task<int> {
    int cancelled = 0;
    Reactor::current().spawn(recv_expect_cancel(fd, &cancelled));
    Reactor::current().spawn(recv_expect_cancel(fd, &cancelled));
    co_await sleep(2ms);
    IoResult r = co_await cancel_fd(fd);
    EXPECT_TRUE(r.has_value());
    if (r) {
      EXPECT_EQ(*r, 2u);  // how many were cancelled
    }
    for (int i = 0; i < 100 && cancelled < 2; ++i) co_await sleep(1ms);
    co_return cancelled;
  };
  EXPECT_EQ(reactor.block_on(main(pair.fd[0])), 2);
}

// A send that answers from a script: ENOBUFS a few times, then short sends.
struct ScriptedSend {
  IoResult result;
  bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  IoResult await_resume() const { return result; }
};

TEST(IoTest, SendAllBacksOffOnEnobufsAndFinishes) {
  Watchdog watchdog(10s);
  Reactor reactor;
  struct State {
    int calls = 0;
    size_t bytes = 0;
  };
  auto main = [](State* st) -> Task<Result<void, Errno>> {
    const std::vector<std::byte> data = pattern(1000, 10);
    const Clock::time_point start = Clock::now();
    Result<void, Errno> r = co_await detail::send_all_with(
        [st](std::span<const std::byte> rest) {
          ++st->calls;
          if (st->calls <= 3) return ScriptedSend{Errno{ENOBUFS}};
          const uint32_t n = static_cast<uint32_t>(std::min<size_t>(rest.size(), 300));
          st->bytes += n;
          return ScriptedSend{n};
        },
        data, nullptr);
    // Three back-offs of kNoBufsBackoff each.
    EXPECT_GE(Clock::now() - start, 3 * kNoBufsBackoff);
    co_return r;
  };
  State st;
  Result<void, Errno> r = reactor.block_on(main(&st));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(st.bytes, 1000u);
  EXPECT_EQ(st.calls, 3 + 4);  // 300 + 300 + 300 + 100
}

TEST(IoTest, SendAllGivesUpAfterTooManyEnobufsInARow) {
  Watchdog watchdog(10s);
  Reactor reactor;
  auto main = [](int* calls) -> Task<Result<void, Errno>> {
    const std::vector<std::byte> data = pattern(10, 11);
    co_return co_await detail::send_all_with(
        [calls](std::span<const std::byte>) {
          ++*calls;
          return ScriptedSend{Errno{ENOBUFS}};
        },
        data, nullptr);
  };
  int calls = 0;
  Result<void, Errno> r = reactor.block_on(main(&calls));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ENOBUFS);
  EXPECT_EQ(calls, kNoBufsRetriesMax + 1);
}

TEST(IoTest, SendAllToAClosedPeerFails) {
  Watchdog watchdog(10s);
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  ::close(fds[1]);
  Reactor reactor;
  auto main = [](int fd) -> Task<Result<void, Errno>> {
    const std::vector<std::byte> data = pattern(10, 12);
    co_return co_await send_all(fd, data);
  };
  Result<void, Errno> r = reactor.block_on(main(fds[0]));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, EPIPE);
  ::close(fds[0]);
}

}  // namespace
}  // namespace ringlog::reactor
