// Proves a connection moves, between requests, to the shard its requests name as their home
// (Response::shard_affinity), that nothing is lost or reordered on the way (pipelined requests
// and size-prefix bytes read before the move included), and that it does not move for requests
// spanning shards or more than MoveDecider::kMovesMax times.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/reactor/smp.h"
#include "engine/reactor/timer.h"
#include "net/server/listener.h"
#include "tests/unit/net/server/frame_socket.h"
#include "net/server/server.h"
#include "net/server/shard_affinity.h"

namespace ringlog::server {
namespace {

using namespace std::chrono_literals;
using testing::connect_to;
using testing::frame;
using testing::read_frame;

// Request body: one affinity character ('0'/'1': that shard, 'm': mixed, 'x': none), then a
// payload. Response body: the digit of the shard that handled it, then the payload.
class ShardEchoHandler final : public RequestHandler {
 public:
  reactor::Task<Response> handle(const ConnectionInfo&, RequestFrame frame) override {
    auto bytes = frame.bytes();
    if (bytes.empty()) co_return Response::close();
    Response r;
    const char affinity = static_cast<char>(bytes[0]);
    r.shard_affinity = affinity == 'm'   ? kMixedAffinity
                       : affinity == 'x' ? kNoAffinity
                                         : affinity - '0';
    std::vector<std::byte> body;
    body.push_back(std::byte('0' + reactor::Smp::this_shard().value()));
    body.insert(body.end(), bytes.begin() + 1, bytes.end());
    r.chunks.push_back(std::move(body));
    co_return r;
  }
};

// Two shards, a Server on each (one SO_REUSEPORT listener apiece), moves enabled.
class TwoShardServer {
 public:
  TwoShardServer() {
    auto listeners = ListenerSet::open("127.0.0.1", 0, 2);
    EXPECT_TRUE(listeners.has_value());
    listeners_ = std::move(*listeners);
    thread_ = std::thread([this] {
      reactor::SmpOptions options;
      options.shards = 2;
      options.pin_threads = false;
      reactor::Smp smp(options);
      smp_.store(&smp);
      smp.run([this](ShardId id) { return serve(id); });
      smp_.store(nullptr);
    });
    for (int i = 0; i < 5000 && (smp_.load() == nullptr || serving_.load() < 2); ++i) {
      std::this_thread::sleep_for(1ms);
    }
  }
  ~TwoShardServer() {
    if (reactor::Smp* smp = smp_.load()) smp->request_stop();
    thread_.join();
  }
  uint16_t port() const { return listeners_.port(); }

 private:
  reactor::Task<void> serve(ShardId id) {
    ShardEchoHandler handler;
    Server server(listeners_.fd(id.value()), ConnectionLimits{.move_to_home_shard = true},
                  handler);
    ++serving_;
    co_await server.serve();
  }

  ListenerSet listeners_;
  std::atomic<reactor::Smp*> smp_{nullptr};
  std::atomic<int> serving_{0};
  std::thread thread_;
};

bool send_all(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t r = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (r <= 0) return false;
    sent += static_cast<size_t>(r);
  }
  return true;
}

// Sends one request with `affinity` and payload "r<i>" and waits for its answer; returns the
// digit of the shard that handled it ('?' on a broken answer).
char round_trip(int fd, char affinity, int i) {
  const std::string payload = "r" + std::to_string(i);
  if (!send_all(fd, frame(std::string(1, affinity) + payload))) return '?';
  auto response = read_frame(fd);
  if (!response || response->substr(1) != payload) return '?';
  return (*response)[0];
}

TEST(ConnectionMoveTest, AConnectionEndsUpOnTheShardItsRequestsNameAndStaysThere) {
  TwoShardServer server;
  // Several connections: SO_REUSEPORT spreads them, so some start on the other shard.
  for (int c = 0; c < 8; ++c) {
    const char home = c % 2 == 0 ? '1' : '0';
    const int fd = connect_to(server.port());
    std::string shards;
    for (int i = 0; i < 20; ++i) shards += round_trip(fd, home, i);
    EXPECT_EQ(shards.find('?'), std::string::npos) << shards;
    // The streak (4 answers) then one more request read before the move: from the 6th on, all
    // are served at home.
    EXPECT_EQ(shards.substr(6), std::string(14, home)) << "connection " << c << ": " << shards;
    ::close(fd);
  }
}

TEST(ConnectionMoveTest, PipelinedRequestsArriveWholeAndInOrderAcrossTheMove) {
  TwoShardServer server;
  for (int c = 0; c < 4; ++c) {
    const int fd = connect_to(server.port());
    // 300 requests in one go, cut into many small sends, so the size prefixes straddle reads.
    std::string all;
    for (int i = 0; i < 300; ++i) all += frame("1r" + std::to_string(i));
    for (size_t at = 0; at < all.size(); at += 7) {
      ASSERT_TRUE(send_all(fd, all.substr(at, 7)));
    }
    std::string shards;
    for (int i = 0; i < 300; ++i) {
      auto response = read_frame(fd);
      ASSERT_TRUE(response.has_value()) << "response " << i;
      ASSERT_EQ(response->substr(1), "r" + std::to_string(i));
      shards += (*response)[0];
    }
    EXPECT_EQ(shards.back(), '1');
    EXPECT_EQ(shards.substr(shards.find('1')).find('0'), std::string::npos)
        << "moved once, never back: " << shards;
    ::close(fd);
  }
}

TEST(ConnectionMoveTest, RequestsSpanningShardsOrWithoutPartitionsNeverMoveIt) {
  TwoShardServer server;
  for (int c = 0; c < 4; ++c) {
    const int fd = connect_to(server.port());
    std::string shards;
    for (int i = 0; i < 30; ++i) {
      // Alternating homes, mixed and partition-less requests: no streak of 4 for one shard.
      const char affinity = "01mx0m1x"[i % 8];
      shards += round_trip(fd, affinity, i);
    }
    EXPECT_EQ(shards.find('?'), std::string::npos);
    EXPECT_EQ(shards, std::string(30, shards[0])) << "served where accepted: " << shards;
    ::close(fd);
  }
}

TEST(ConnectionMoveTest, AConnectionMovesAtMostMovesMaxTimes) {
  TwoShardServer server;
  const int fd = connect_to(server.port());
  std::string shards;
  // Homes flip every 10 requests: each flip would ask for a move.
  for (int i = 0; i < 100; ++i) shards += round_trip(fd, (i / 10) % 2 == 0 ? '0' : '1', i);
  EXPECT_EQ(shards.find('?'), std::string::npos);
  uint32_t moves = 0;
  for (size_t i = 1; i < shards.size(); ++i) moves += shards[i] != shards[i - 1] ? 1 : 0;
  EXPECT_GE(moves, 2u) << shards;
  EXPECT_LE(moves, MoveDecider::kMovesMax) << shards;
  ::close(fd);
}

}  // namespace
}  // namespace ringlog::server
