// Proves the client Connection against a scripted broker on loopback: the ApiVersions handshake
// picks the highest version both sides speak, several requests in flight are matched to their
// callers when answered out of order, an unanswered request times out, a broker that closes
// fails the waiting request, and a closed port is a connect error.
#include "client/connection.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "engine/reactor/io.h"
#include "engine/reactor/io_helpers.h"
#include "engine/reactor/net_util.h"
#include "engine/reactor/reactor.h"
#include "engine/reactor/when_all.h"
#include "net/kafka/messages/metadata.h"

namespace ringlog::client {
namespace {

using namespace std::chrono_literals;
using reactor::Task;

enum class Script : uint8_t {
  kAnswerReversed,  // hold `hold` Metadata requests, then answer them last first
  kSilent,          // never answer anything but ApiVersions
  kClose,           // close the connection on the first request after ApiVersions
};

struct FakeBroker {
  Script script = Script::kAnswerReversed;
  size_t hold = 1;
  std::vector<kafka::ApiVersionRange> apis{kafka::kImplementedApis.begin(),
                                           kafka::kImplementedApis.end()};
  std::vector<int16_t> metadata_versions_seen;
  // Refuse ApiVersions above v2 as librdkafka 2.0's mock broker does: UNSUPPORTED_VERSION with
  // its one-entry range written in the flexible encoding, which no version's decoder reads.
  bool refuse_v3_like_the_mock = false;
  std::vector<int16_t> api_versions_seen;
};

struct Held {
  int32_t correlation_id;
  int16_t version;
  std::string topic;
};

Task<void> send_frame(int fd, kafka::Writer writer) {
  Result<void, Errno> sent = co_await reactor::send_all(fd, writer.bytes());
  EXPECT_TRUE(sent.has_value());
}

// Serves one connection on `listen_fd` as `broker` says, until the client closes.
Task<void> serve(int listen_fd, FakeBroker* broker) {
  reactor::IoResult accepted = co_await reactor::accept(listen_fd);
  EXPECT_TRUE(accepted.has_value());
  if (!accepted) co_return;
  const int fd = static_cast<int>(*accepted);
  std::vector<Held> held;
  while (true) {
    std::array<std::byte, 4> size_bytes{};
    Result<size_t, Errno> got = co_await reactor::recv_exact(fd, size_bytes);
    if (!got || *got < 4) break;
    uint32_t size = 0;
    for (std::byte b : size_bytes) size = (size << 8) | static_cast<uint8_t>(b);
    std::vector<std::byte> frame(size);
    got = co_await reactor::recv_exact(fd, frame);
    if (!got || *got < size) break;
    Result<kafka::DecodedRequest, kafka::DecodeError> request = kafka::decode_request(frame);
    EXPECT_TRUE(request.has_value());
    if (!request) break;
    const kafka::RequestHeader& header = request->header;
    if (header.api_key == kafka::ApiKey::kApiVersions) {
      broker->api_versions_seen.push_back(header.api_version);
      if (broker->refuse_v3_like_the_mock && header.api_version > 2) {
        // Bytes captured from the mock: size, correlation id, error 35, then 01 (compact count),
        // ApiVersions 0..2, a tag byte and three stray bytes.
        const auto id = static_cast<uint32_t>(header.correlation_id);
        const std::vector<uint8_t> raw = {0, 0, 0, 17, uint8_t(id >> 24), uint8_t(id >> 16),
                                          uint8_t(id >> 8), uint8_t(id), 0x00, 0x23, 0x01,
                                          0x00, 0x12, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
                                          0x00, 0x00};
        std::vector<std::byte> bytes(raw.size());
        std::transform(raw.begin(), raw.end(), bytes.begin(), [](uint8_t b) { return std::byte(b); });
        Result<void, Errno> sent = co_await reactor::send_all(fd, bytes);
        EXPECT_TRUE(sent.has_value());
        continue;
      }
      kafka::Writer w;
      kafka::encode_response_frame(w, header.correlation_id, header.api_version,
                                   kafka::api_versions_response(broker->apis));
      co_await send_frame(fd, std::move(w));
      continue;
    }
    if (broker->script == Script::kClose) break;
    if (broker->script == Script::kSilent) continue;
    const auto& metadata = std::get<kafka::MetadataRequest>(request->body);
    broker->metadata_versions_seen.push_back(header.api_version);
    held.push_back(
        {header.correlation_id, header.api_version, metadata.topics->at(0).name.value_or("")});
    if (held.size() < broker->hold) continue;
    std::reverse(held.begin(), held.end());
    for (const Held& h : held) {
      kafka::MetadataResponse response;
      kafka::MetadataResponse::MetadataResponseTopic topic;
      topic.name = h.topic;
      response.topics.push_back(topic);
      kafka::Writer w;
      kafka::encode_response_frame(w, h.correlation_id, h.version, response);
      co_await send_frame(fd, std::move(w));
    }
    held.clear();
  }
  ::close(fd);
}

kafka::MetadataRequest metadata_for(std::string topic) {
  kafka::MetadataRequest request;
  request.topics.emplace();
  kafka::MetadataRequest::MetadataRequestTopic t;
  t.name = std::move(topic);
  request.topics->push_back(t);
  return request;
}

// The topic name the answer carries, or the error.
Task<std::string> ask(Connection* connection, std::string topic) {
  // (Named locals as coroutine arguments, never temporaries: see connection.h on GCC 12.)
  kafka::MetadataRequest request = metadata_for(topic);
  ClientResult<Reply<kafka::MetadataResponse>> reply =
      co_await connection->call<kafka::MetadataResponse>(std::move(request));
  if (!reply) co_return "error: " + to_string(reply.error());
  if (reply->body.topics.size() != 1) co_return std::string("no topic");
  co_return reply->body.topics[0].name.value_or("null");
}

struct Outcome {
  bool opened = false;
  std::vector<std::string> answers;
  std::optional<ClientError> error;
  std::optional<int16_t> metadata_version;
  std::chrono::milliseconds elapsed{0};
};

Task<Outcome> run_client(uint16_t port, ConnectionOptions options,
                         std::vector<std::string> topics) {
  Outcome outcome;
  const Address address{"127.0.0.1", port};
  ClientResult<std::unique_ptr<Connection>> connection =
      co_await Connection::open(address, options);
  if (!connection) {
    outcome.error = connection.error();
    co_return outcome;
  }
  outcome.opened = true;
  Connection* c = connection->get();
  outcome.metadata_version = c->version_for(kafka::ApiKey::kMetadata, 0, 12);
  std::vector<Task<std::string>> calls;
  for (const std::string& topic : topics) calls.push_back(ask(c, topic));
  const auto start = reactor::Clock::now();
  outcome.answers = co_await reactor::when_all(std::move(calls));
  outcome.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(reactor::Clock::now() - start);
  co_await c->close();
  co_return outcome;
}

Task<Outcome> serve_and_run(reactor::Listener listener, FakeBroker* broker,
                            ConnectionOptions options, std::vector<std::string> topics) {
  reactor::Reactor::current().spawn(serve(listener.fd, broker));
  co_return co_await run_client(listener.port, options, std::move(topics));
}

Outcome run_against(FakeBroker* broker, ConnectionOptions options,
                    std::vector<std::string> topics) {
  Result<reactor::Listener, Errno> listener = reactor::listen_loopback();
  EXPECT_TRUE(listener.has_value());
  reactor::Reactor reactor;
  Outcome outcome =
      reactor.block_on(serve_and_run(*listener, broker, std::move(options), std::move(topics)));
  ::close(listener->fd);
  return outcome;
}

TEST(ConnectionTest, RequestsInFlightAnsweredOutOfOrderReachTheirCallers) {
  FakeBroker broker{.script = Script::kAnswerReversed, .hold = 3};
  Outcome outcome = run_against(&broker, {}, {"a", "b", "c"});
  ASSERT_TRUE(outcome.opened) << to_string(*outcome.error);
  EXPECT_EQ(outcome.answers, (std::vector<std::string>{"a", "b", "c"}));
  // Highest version both speak: the broker offers all we implement.
  EXPECT_EQ(outcome.metadata_version, std::optional<int16_t>(12));
  EXPECT_EQ(broker.metadata_versions_seen, (std::vector<int16_t>{12, 12, 12}));
}

TEST(ConnectionTest, HandshakePicksTheHighestVersionBothSidesSpeak) {
  FakeBroker broker{.script = Script::kAnswerReversed, .hold = 1};
  broker.apis = {{kafka::ApiKey::kApiVersions, 0, 3}, {kafka::ApiKey::kMetadata, 1, 5}};
  Outcome outcome = run_against(&broker, {}, {"x"});
  ASSERT_TRUE(outcome.opened);
  EXPECT_EQ(outcome.metadata_version, std::optional<int16_t>(5));
  EXPECT_EQ(broker.metadata_versions_seen, std::vector<int16_t>{5});
  EXPECT_EQ(outcome.answers, std::vector<std::string>{"x"});
}

TEST(ConnectionTest, AnUnreadableUnsupportedVersionAnswerFallsBackToApiVersionsV0) {
  FakeBroker broker{.script = Script::kAnswerReversed, .hold = 1, .refuse_v3_like_the_mock = true};
  broker.apis = {{kafka::ApiKey::kApiVersions, 0, 2}, {kafka::ApiKey::kMetadata, 0, 9}};
  Outcome outcome = run_against(&broker, {}, {"x"});
  ASSERT_TRUE(outcome.opened) << to_string(*outcome.error);
  EXPECT_EQ(broker.api_versions_seen, (std::vector<int16_t>{3, 0}));
  EXPECT_EQ(outcome.metadata_version, std::optional<int16_t>(9));
  EXPECT_EQ(outcome.answers, std::vector<std::string>{"x"});
}

TEST(ConnectionTest, ApiTheBrokerLacksIsUnsupportedWithoutSendingAnything) {
  FakeBroker broker{.script = Script::kAnswerReversed, .hold = 1};
  broker.apis = {{kafka::ApiKey::kApiVersions, 0, 3}};
  Outcome outcome = run_against(&broker, {}, {"x"});
  ASSERT_TRUE(outcome.opened);
  EXPECT_FALSE(outcome.metadata_version);
  ASSERT_EQ(outcome.answers.size(), 1u);
  EXPECT_NE(outcome.answers[0].find("supports no version"), std::string::npos)
      << outcome.answers[0];
  EXPECT_TRUE(broker.metadata_versions_seen.empty());
}

TEST(ConnectionTest, UnansweredRequestTimesOut) {
  FakeBroker broker{.script = Script::kSilent};
  Outcome outcome = run_against(&broker, {.request_timeout_ms = 200ms}, {"a", "b"});
  ASSERT_TRUE(outcome.opened);
  ASSERT_EQ(outcome.answers.size(), 2u);
  for (const std::string& answer : outcome.answers) {
    EXPECT_NE(answer.find("timed out"), std::string::npos) << answer;
  }
  EXPECT_GE(outcome.elapsed, 190ms);
  EXPECT_LT(outcome.elapsed, 5000ms);
}

TEST(ConnectionTest, BrokerClosingFailsTheWaitingRequest) {
  FakeBroker broker{.script = Script::kClose};
  Outcome outcome = run_against(&broker, {.request_timeout_ms = 10'000ms}, {"a"});
  ASSERT_TRUE(outcome.opened);
  ASSERT_EQ(outcome.answers.size(), 1u);
  EXPECT_NE(outcome.answers[0].find("closed"), std::string::npos) << outcome.answers[0];
  EXPECT_LT(outcome.elapsed, 5000ms);
}

TEST(ConnectionTest, ClosedPortIsAConnectError) {
  Result<reactor::Listener, Errno> listener = reactor::listen_loopback();
  ASSERT_TRUE(listener.has_value());
  const uint16_t port = listener->port;
  ::close(listener->fd);  // nobody listens there now
  reactor::Reactor reactor;
  Outcome outcome = reactor.block_on(run_client(port, {}, {}));
  EXPECT_FALSE(outcome.opened);
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->errc, ClientErrc::kConnectFailed);
  EXPECT_EQ(outcome.error->os_errno, ECONNREFUSED);
}

TEST(ConnectionTest, ParsesHostPortAndRejectsTheRest) {
  ClientResult<Address> a = parse_address("127.0.0.1:9092");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9092);
  ClientResult<Address> v6 = parse_address("[::1]:19092");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  for (const char* bad : {"127.0.0.1", "host:", ":9092", "host:0", "host:65536", "host:9x"}) {
    EXPECT_FALSE(parse_address(bad)) << bad;
  }
}

}  // namespace
}  // namespace ringlog::client
