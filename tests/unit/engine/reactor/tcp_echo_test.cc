// Proves the multishot Acceptor (hand-off, bounded queue with pause and re-arm, cancellation, stop)
// and the loopback helpers, ending with a TCP echo server on 127.0.0.1 serving 1,000 concurrent
// connections from a client shard.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <vector>

#include "engine/reactor/acceptor.h"
#include "engine/reactor/io.h"
#include "engine/reactor/io_helpers.h"
#include "engine/reactor/net_util.h"
#include "engine/reactor/smp.h"
#include "engine/reactor/timer.h"
#include "tests/unit/engine/reactor/test_util.h"

namespace ringlog::reactor {
namespace {

using namespace std::chrono_literals;
using testing::ms_since;
using testing::Watchdog;

// A blocking connect from the test thread: on loopback it completes from the listen backlog
// before anyone accepts.
int connect_blocking(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in addr = loopback_address(port);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  return fd;
}

class ListenerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Listener, Errno> l = listen_loopback();
    ASSERT_TRUE(l.has_value());
    listener_ = *l;
  }
  void TearDown() override {
    for (int fd : clients_) ::close(fd);
    ::close(listener_.fd);
  }
  Listener listener_;
  std::vector<int> clients_;
};

TEST(NetUtilTest, ListenLoopbackPicksAFreePortThatCanBeShared) {
  Result<Listener, Errno> first = listen_loopback();
  ASSERT_TRUE(first.has_value());
  EXPECT_NE(first->port, 0);
  // SO_REUSEPORT: a second listener (another shard's) can bind the same port.
  Result<Listener, Errno> second = listen_loopback(first->port);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->port, first->port);
  ::close(first->fd);
  ::close(second->fd);
}

using AcceptorTest = ListenerFixture;

Task<void> accept_into(Acceptor* acceptor, std::vector<int>* fds) {
  Result<int, Errno> r = co_await acceptor->accept();
  EXPECT_TRUE(r.has_value());
  if (r) fds->push_back(*r);
}

TEST_F(AcceptorTest, HandsConnectionsToWaitingCoroutines) {
  Watchdog watchdog(10s);
  Reactor reactor;
  auto main = [](Listener l, std::vector<int>* clients) -> Task<void> {
    Acceptor acceptor(l.fd);
    std::vector<int> accepted;
    for (int i = 0; i < 3; ++i) Reactor::current().spawn(accept_into(&acceptor, &accepted));
    co_await sleep(1ms);  // all three wait
    for (int i = 0; i < 3; ++i) clients->push_back(connect_blocking(l.port));
    for (int i = 0; i < 1000 && accepted.size() < 3; ++i) co_await sleep(1ms);
    EXPECT_EQ(accepted.size(), 3u);
    EXPECT_EQ(acceptor.arm_count(), 1u) << "one multishot operation served all three";
    EXPECT_EQ(acceptor.queued(), 0u);
    for (int fd : accepted) ::close(fd);
    co_await acceptor.stop();
  };
  reactor.block_on(main(listener_, &clients_));
}

TEST_F(AcceptorTest, QueuesConnectionsWhenNobodyWaitsPausesWhenFullAndReArms) {
  Watchdog watchdog(10s);
  Reactor reactor;
  auto main = [](Listener l, std::vector<int>* clients) -> Task<void> {
    Acceptor acceptor(l.fd, AcceptorOptions{.queue_max = 4});
    // The first accept() arms the multishot.
    clients->push_back(connect_blocking(l.port));
    Result<int, Errno> first = co_await acceptor.accept();
    RL_CO_ASSERT(first.has_value());
    ::close(*first);
    for (int i = 0; i < 12; ++i) clients->push_back(connect_blocking(l.port));
    for (int i = 0; i < 1000 && acceptor.armed(); ++i) co_await sleep(1ms);
    EXPECT_FALSE(acceptor.armed()) << "paused with a full queue";
    EXPECT_GE(acceptor.queued(), 4u);
    const uint64_t arms_before = acceptor.arm_count();
    for (int i = 0; i < 12; ++i) {
      Result<int, Errno> r = co_await acceptor.accept(nullptr);
      RL_CO_ASSERT(r.has_value());
      ::close(*r);
    }
    EXPECT_GT(acceptor.arm_count(), arms_before) << "re-armed once the queue drained";
    co_await acceptor.stop();
  };
  reactor.block_on(main(listener_, &clients_));
}

Task<void> accept_expect_cancel(Acceptor* acceptor, CancelSource* cancel, int* cancelled) {
  Result<int, Errno> r = co_await acceptor->accept(cancel);
  if (!r && r.error().code == ECANCELED) ++*cancelled;
}

TEST_F(AcceptorTest, StopFailsWaitersAndLaterAcceptsWithEcanceled) {
  Watchdog watchdog(10s);
  Reactor reactor;
  auto main = [](Listener l) -> Task<void> {
    Acceptor acceptor(l.fd);
    int cancelled = 0;
    Reactor::current().spawn(accept_expect_cancel(&acceptor, nullptr, &cancelled));
    Reactor::current().spawn(accept_expect_cancel(&acceptor, nullptr, &cancelled));
    co_await sleep(1ms);
    co_await acceptor.stop();
    EXPECT_FALSE(acceptor.armed());
    co_await sleep(1ms);
    EXPECT_EQ(cancelled, 2);
    Result<int, Errno> after = co_await acceptor.accept();
    EXPECT_FALSE(after.has_value());
  };
  reactor.block_on(main(listener_));
}

TEST_F(AcceptorTest, CancelledAcceptLeavesTheAcceptorUsable) {
  Watchdog watchdog(10s);
  Reactor reactor;
  auto main = [](Listener l, std::vector<int>* clients) -> Task<void> {
    Acceptor acceptor(l.fd);
    CancelSource cancel;
    int cancelled = 0;
    Reactor::current().spawn(accept_expect_cancel(&acceptor, &cancel, &cancelled));
    co_await sleep(1ms);
    cancel.cancel();
    co_await sleep(1ms);
    EXPECT_EQ(cancelled, 1);
    clients->push_back(connect_blocking(l.port));
    Result<int, Errno> r = co_await acceptor.accept();
    RL_CO_ASSERT(r.has_value());
    ::close(*r);
    co_await acceptor.stop();
  };
  reactor.block_on(main(listener_, &clients_));
}

Task<void> accept_loop(int listen_fd, bool* ended_by_stop) {
  Acceptor acceptor(listen_fd);
  for (;;) {
    Result<int, Errno> r = co_await acceptor.accept();
    if (!r) {
      *ended_by_stop = r.error().code == ECANCELED;
      break;
    }
    ::close(*r);
  }
  co_await acceptor.stop();
}

TEST_F(AcceptorTest, StopsAcceptingWhenTheReactorIsAskedToStop) {
  Watchdog watchdog(10s);
  Reactor reactor(ShardId(0), ReactorOptions{.shutdown_grace_ms = 20'000ms});
  bool ended_by_stop = false;
  auto main = [](int fd, bool* ended) -> Task<void> {
    Reactor::current().spawn(accept_loop(fd, ended));
    co_await sleep(1ms);
  };
  const Clock::time_point start = Clock::now();
  reactor.block_on(main(listener_.fd, &ended_by_stop));  // then stops the reactor
  EXPECT_TRUE(ended_by_stop);
  EXPECT_LT(ms_since(start), 5'000.0) << "the stop listener, not the grace period, ended it";
}

// ---- 1,000 connections through an echo server ----

constexpr int kConnections = 1000;
constexpr size_t kMessageBytes = 1500;
constexpr int kMessagesPerConnection = 3;

Task<void> echo_connection(int fd) {
  std::array<std::byte, 4096> buf;
  for (;;) {
    IoResult r = co_await recv(fd, buf);
    if (!r || *r == 0) break;
    Result<void, Errno> s = co_await send_all(fd, std::span(buf).first(*r));
    if (!s) break;
  }
  IoResult c = co_await close(fd);
  EXPECT_TRUE(c.has_value());
}

Task<void> echo_server(int listen_fd, std::atomic<int>* accepted) {
  Acceptor acceptor(listen_fd);
  for (;;) {
    Result<int, Errno> r = co_await acceptor.accept();
    if (!r) {
      EXPECT_EQ(r.error().code, ECANCELED);
      break;
    }
    accepted->fetch_add(1);
    Reactor::current().spawn(echo_connection(*r));
  }
  co_await acceptor.stop();
}

Task<void> echo_client(uint16_t port, int id, std::atomic<int>* verified) {
  Result<int, Errno> fd = co_await connect_loopback(port, IoOptions{.timeout = 10s});
  EXPECT_TRUE(fd.has_value());
  if (!fd) co_return;
  EXPECT_TRUE(set_nodelay(*fd).has_value());
  bool all_good = true;
  std::vector<std::byte> out(kMessageBytes), back(kMessageBytes);
  for (int m = 0; m < kMessagesPerConnection && all_good; ++m) {
    for (size_t i = 0; i < out.size(); ++i) {
      out[i] = static_cast<std::byte>((id * 7 + m * 13 + i) % 251);
    }
    Result<void, Errno> s = co_await send_all(*fd, out, IoOptions{.timeout = 10s});
    Result<size_t, Errno> r = co_await recv_exact(*fd, back, IoOptions{.timeout = 10s});
    all_good = s.has_value() && r.has_value() && *r == back.size() && back == out;
  }
  EXPECT_TRUE(all_good) << "connection " << id;
  if (all_good) verified->fetch_add(1);
  IoResult c = co_await close(*fd);
  EXPECT_TRUE(c.has_value());
}

Task<void> echo_clients(uint16_t port, std::atomic<int>* verified) {
  for (int id = 0; id < kConnections; ++id)
    Reactor::current().spawn(echo_client(port, id, verified));
  const Clock::time_point deadline = Clock::now() + 60s;
  while (verified->load() < kConnections && Clock::now() < deadline) co_await sleep(1ms);
  Smp::current().request_stop();
}

TEST(TcpEchoTest, ServesAThousandConcurrentConnectionsFromAClientShard) {
  Watchdog watchdog(90s);
  ASSERT_GE(testing::raise_fd_limit(4 * kConnections + 256),
            static_cast<rlim_t>(2 * kConnections + 64));
  Result<Listener, Errno> listener = listen_loopback();
  ASSERT_TRUE(listener.has_value());
  std::atomic<int> accepted{0};
  std::atomic<int> verified{0};
  SmpOptions options;
  options.shards = 2;
  options.pin_threads = false;
  Smp smp(options);
  const Listener l = *listener;
  smp.run([&](ShardId id) {
    return id == ShardId(0) ? echo_server(l.fd, &accepted) : echo_clients(l.port, &verified);
  });
  EXPECT_EQ(accepted.load(), kConnections);
  EXPECT_EQ(verified.load(), kConnections);
  ::close(l.fd);
}

}  // namespace
}  // namespace ringlog::reactor
