#pragma once
// WireClient: one blocking loopback connection that sends requests encoded with our generated
// message types and decodes the responses, for tests that drive APIs librdkafka cannot send
// (or must send exactly as written). Every receive is bounded by a socket timeout.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/kafka/headers.h"
#include "net/kafka/messages/all_messages.h"
#include "net/kafka/reader.h"
#include "net/kafka/writer.h"

namespace ringlog::testing {

// One connection; every receive is bounded by a socket timeout.
class WireClient {
 public:
  explicit WireClient(uint16_t port, std::string client_id = "wire-test")
      : client_id_(std::move(client_id)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket");
    timeval timeout{.tv_sec = 10, .tv_usec = 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    }
  }
  ~WireClient() { ::close(fd_); }
  WireClient(const WireClient&) = delete;
  WireClient& operator=(const WireClient&) = delete;

  // Sends `request` at `version` and decodes the response; nullopt (and a test failure) if the
  // connection closed, timed out or the response did not decode.
  template <typename Response, typename Request>
  std::optional<Response> call(const Request& request, int16_t version) {
    kafka::Writer w;
    kafka::RequestHeader header{.api_key = Request::kApiKey,
                                .api_version = version,
                                .correlation_id = ++correlation_id_,
                                .client_id = client_id_};
    header.encode(w, kafka::request_header_version(Request::kApiKey, version));
    request.encode(w, version);
    std::vector<std::byte> body = std::move(w).take();
    const uint32_t size = htonl(static_cast<uint32_t>(body.size()));
    std::vector<std::byte> frame(4);
    std::memcpy(frame.data(), &size, 4);
    frame.insert(frame.end(), body.begin(), body.end());
    if (!send_all(frame)) {
      ADD_FAILURE() << "send failed";
      return std::nullopt;
    }
    std::vector<std::byte> size_bytes(4);
    if (!recv_all(size_bytes)) {
      ADD_FAILURE() << Request::kName << " v" << version << ": no response";
      return std::nullopt;
    }
    uint32_t response_size = 0;
    std::memcpy(&response_size, size_bytes.data(), 4);
    std::vector<std::byte> response(ntohl(response_size));
    if (!recv_all(response)) {
      ADD_FAILURE() << "short response";
      return std::nullopt;
    }
    kafka::Reader reader(response);
    auto response_header = kafka::ResponseHeader::decode(
        reader, kafka::response_header_version(Request::kApiKey, version));
    if (!response_header || response_header->correlation_id != correlation_id_) {
      ADD_FAILURE() << "bad response header";
      return std::nullopt;
    }
    auto decoded = Response::decode(reader, version);
    if (!decoded) {
      ADD_FAILURE() << Response::kName << " v" << version << " does not decode";
      return std::nullopt;
    }
    EXPECT_EQ(reader.remaining(), 0u) << Response::kName << " v" << version;
    return std::move(*decoded);
  }

 private:
  bool send_all(std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes = bytes.subspan(static_cast<size_t>(n));
    }
    return true;
  }
  bool recv_all(std::span<std::byte> bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::recv(fd_, bytes.data(), bytes.size(), 0);
      if (n <= 0) return false;
      bytes = bytes.subspan(static_cast<size_t>(n));
    }
    return true;
  }

  std::string client_id_;
  int fd_ = -1;
  int32_t correlation_id_ = 0;
};

// Creates a topic (CreateTopics v7) and returns its id.
inline kafka::Uuid create_topic(WireClient& client, const std::string& name, int32_t partitions) {
  kafka::CreateTopicsRequest request;
  kafka::CreateTopicsRequest::CreatableTopic topic;
  topic.name = name;
  topic.num_partitions = partitions;
  topic.replication_factor = 1;
  request.topics.push_back(topic);
  auto response = client.call<kafka::CreateTopicsResponse>(request, 7);
  if (!response || response->topics.size() != 1) return {};
  EXPECT_EQ(response->topics[0].error_code, 0);
  return response->topics[0].topic_id;
}

}  // namespace ringlog::testing
