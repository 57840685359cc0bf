// Proves the network shell frames requests, answers them in order while several are in flight,
// enforces its limits by closing, splices file ranges, and survives clients that vanish.
#include "net/server/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "engine/reactor/reactor.h"
#include "engine/reactor/timer.h"
#include "net/server/listener.h"
#include "tests/unit/net/server/frame_socket.h"

namespace ringlog::server {
namespace {

using namespace std::chrono_literals;
using testing::connect_to;
using testing::frame;
using testing::read_frame;

// Test handler: the request body's first byte is a command.
//   'e' <payload>: echo the payload; 'd' <ms> <payload>: echo after sleeping ms;
//   'f': answer with the test file's contents by splice; 'c': close without answering;
//   'n': no response (like acks=0).
class TestHandler final : public RequestHandler {
 public:
  int file_fd = -1;
  uint32_t file_size = 0;
  std::atomic<int> handled{0};
  std::atomic<int> sleeping_now{0};
  std::atomic<int> sleeping_max{0};

  reactor::Task<Response> handle(const ConnectionInfo&, RequestFrame frame) override {
    handled.fetch_add(1);
    auto bytes = frame.bytes();
    if (bytes.empty()) co_return Response::close();
    char command = static_cast<char>(bytes[0]);
    auto payload = bytes.subspan(1);
    if (command == 'd' && !payload.empty()) {
      sleeping_max.store(std::max(sleeping_max.load(), ++sleeping_now));
      co_await reactor::sleep(std::chrono::milliseconds(static_cast<int>(payload[0])));
      --sleeping_now;
      payload = payload.subspan(1);
    }
    if (command == 'c') co_return Response::close();
    if (command == 'n') co_return Response::none();
    Response r;
    if (command == 'f') {
      r.chunks.push_back(std::vector<std::byte>{std::byte('F')});
      r.chunks.push_back(FileRange{.fd = file_fd, .position = 0, .length = file_size});
      co_return r;
    }
    r.chunks.push_back(std::vector<std::byte>(payload.begin(), payload.end()));
    co_return r;
  }
};

// Runs a Server on its own reactor thread for the duration of a test.
class ServerThread {
 public:
  explicit ServerThread(TestHandler& handler, ConnectionLimits limits = {}) {
    auto listeners = ListenerSet::open("127.0.0.1", 0, 1);
    EXPECT_TRUE(listeners.has_value());
    listeners_ = std::move(*listeners);
    port_ = listeners_.port();
    thread_ = std::thread([this, &handler, limits] {
      reactor::Reactor reactor;
      reactor_.store(&reactor);
      Server server(listeners_.fd(0), limits, handler);
      reactor.block_on(server.serve());
      reactor_.store(nullptr);
    });
    while (reactor_.load() == nullptr) std::this_thread::sleep_for(1ms);
  }
  ~ServerThread() {
    reactor_.load()->request_stop();
    thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  ListenerSet listeners_;
  uint16_t port_ = 0;
  std::atomic<reactor::Reactor*> reactor_{nullptr};
  std::thread thread_;
};

void send_raw(int fd, const std::string& bytes) {
  ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
}

// True if the server closed the connection: EOF, or a reset when it closed with our bytes unread.
bool peer_closed(int fd) {
  char c;
  ssize_t r = ::recv(fd, &c, 1, 0);
  return r == 0 || (r < 0 && errno == ECONNRESET);
}

TEST(ServerTest, EchoesOneRequest) {
  TestHandler handler;
  ServerThread server(handler);
  int fd = connect_to(server.port());
  send_raw(fd, frame("ehello"));
  EXPECT_EQ(read_frame(fd), "hello");
  ::close(fd);
}

TEST(ServerTest, PipelinedRequestsAreAnsweredInRequestOrder) {
  TestHandler handler;
  ServerThread server(handler);
  int fd = connect_to(server.port());
  // Earlier requests sleep longer, so handlers finish in reverse order.
  std::string burst;
  for (int i = 0; i < 20; ++i) {
    burst += frame(std::string("d") + static_cast<char>(40 - 2 * i) + std::to_string(i));
  }
  send_raw(fd, burst);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(read_frame(fd), std::to_string(i));
  ::close(fd);
}

TEST(ServerTest, LargeFramesTricklingInAndSmallOnesAfterThemAreServed) {
  // A large frame's body is awaited with a receive low-water mark; it must never ask for more
  // than the frame still owes, and must be lowered again for the small frames that follow.
  TestHandler handler;
  ServerThread server(handler);
  int fd = connect_to(server.port());
  for (int round = 0; round < 3; ++round) {
    const std::string payload(1'000'000 + 4097 * round, static_cast<char>('a' + round));
    const std::string big = frame("e" + payload);
    // In uneven pieces with pauses, the last one shorter than the low-water mark.
    const size_t cuts[] = {0, 70'000, 400'000, big.size() - 1000, big.size()};
    for (size_t i = 0; i + 1 < std::size(cuts); ++i) {
      send_raw(fd, big.substr(cuts[i], cuts[i + 1] - cuts[i]));
      std::this_thread::sleep_for(5ms);
    }
    EXPECT_EQ(read_frame(fd), payload);
    send_raw(fd, frame("e" + std::to_string(round)));
    EXPECT_EQ(read_frame(fd), std::to_string(round));
  }
  ::close(fd);
}

TEST(ServerTest, ManySmallFramesInOneSegmentAreAllServed) {
  TestHandler handler;
  ServerThread server(handler);
  int fd = connect_to(server.port());
  std::string burst;
  for (int i = 0; i < 1000; ++i) burst += frame("e" + std::to_string(i));
  send_raw(fd, burst);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(read_frame(fd), std::to_string(i));
  ::close(fd);
}

TEST(ServerTest, RequestWithoutResponseIsSkippedInOrder) {
  TestHandler handler;
  ServerThread server(handler);
  int fd = connect_to(server.port());
  send_raw(fd, frame("ea") + frame("n") + frame("eb"));
  EXPECT_EQ(read_frame(fd), "a");
  EXPECT_EQ(read_frame(fd), "b");
  ::close(fd);
}

TEST(ServerTest, FrameOverRequestMaxBytesClosesTheConnection) {
  TestHandler handler;
  ServerThread server(handler, ConnectionLimits{.request_max_bytes = 1024});
  int fd = connect_to(server.port());
  send_raw(fd, frame(std::string(2000, 'e')));
  EXPECT_TRUE(peer_closed(fd));
  EXPECT_EQ(handler.handled.load(), 0);
  ::close(fd);
  // Other clients are still served.
  int other = connect_to(server.port());
  send_raw(other, frame("eok"));
  EXPECT_EQ(read_frame(other), "ok");
  ::close(other);
}

TEST(ServerTest, NegativeAndHugeSizePrefixesCloseWithoutAllocating) {
  TestHandler handler;
  ServerThread server(handler);
  for (uint32_t size : {0xFFFFFFFFu, 0x80000000u, 0x7FFFFFFFu}) {
    int fd = connect_to(server.port());
    uint32_t be = htonl(size);
    send_raw(fd, std::string(reinterpret_cast<const char*>(&be), 4));
    EXPECT_TRUE(peer_closed(fd)) << size;
    ::close(fd);
  }
  EXPECT_EQ(handler.handled.load(), 0);
}

TEST(ServerTest, ClientClosingMidRequestLeavesTheServerUp) {
  TestHandler handler;
  ServerThread server(handler);
  int fd = connect_to(server.port());
  send_raw(fd, frame("ehello").substr(0, 7));  // prefix and part of the body
  ::close(fd);
  int other = connect_to(server.port());
  send_raw(other, frame("estill"));
  EXPECT_EQ(read_frame(other), "still");
  ::close(other);
  EXPECT_EQ(handler.handled.load(), 1);
}

TEST(ServerTest, HandlerCanCloseTheConnection) {
  TestHandler handler;
  ServerThread server(handler);
  int fd = connect_to(server.port());
  send_raw(fd, frame("ea") + frame("c") + frame("eb"));
  EXPECT_EQ(read_frame(fd), "a");
  EXPECT_EQ(read_frame(fd), std::nullopt);
  ::close(fd);
}

TEST(ServerTest, FileRangesAreSplicedAfterTheBytesBeforeThem) {
  char path[] = "/tmp/ringlog-server-test-XXXXXX";
  int file = ::mkstemp(path);
  ASSERT_GE(file, 0);
  std::string content;
  for (int i = 0; i < 300'000; ++i) content += static_cast<char>('a' + i % 26);
  ASSERT_EQ(::write(file, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  TestHandler handler;
  handler.file_fd = file;
  handler.file_size = static_cast<uint32_t>(content.size());
  {
    ServerThread server(handler);
    int fd = connect_to(server.port());
    send_raw(fd, frame("f") + frame("eafter"));
    EXPECT_EQ(read_frame(fd), "F" + content);
    EXPECT_EQ(read_frame(fd), "after");
    ::close(fd);
  }
  ::close(file);
  ::unlink(path);
}

TEST(ServerTest, BackPressureStopsReadingWhileTooMuchIsUnanswered) {
  TestHandler handler;
  ServerThread server(handler, ConnectionLimits{.inflight_max_bytes = 64 * 1024});
  int fd = connect_to(server.port());
  // 40 requests of 16 KiB that each take 20 ms: at most ~4 may be in flight at once, and all
  // must still be answered, in order.
  std::string burst;
  for (int i = 0; i < 40; ++i) {
    std::string body = std::string("d") + static_cast<char>(20) + std::to_string(i) + "|";
    body.resize(16 * 1024, 'x');
    burst += frame(body);
  }
  std::thread writer([&] { send_raw(fd, burst); });
  for (int i = 0; i < 40; ++i) {
    auto r = read_frame(fd);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->substr(0, r->find('|')), std::to_string(i));
  }
  writer.join();
  ::close(fd);
  // 64 KiB of room holds three 16 KiB+ requests; a fourth waits for the first answer.
  EXPECT_LE(handler.sleeping_max, 4);
  EXPECT_GE(handler.sleeping_max, 2);
}

}  // namespace
}  // namespace ringlog::server
