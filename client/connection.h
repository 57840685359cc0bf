#pragma once
// Connection: one TCP connection to one broker, on the current shard's reactor. open() connects
// (bounded by connect_timeout_ms) and performs the ApiVersions handshake; afterwards call() sends
// a request at the highest version both sides speak and returns its decoded response.
//
// Several requests may be in flight at once (from different coroutines): each gets its own
// correlation id; one reader coroutine matches responses to waiters by that id, so responses may
// arrive in any order. Frames are sent whole, one at a time (a send mutex). Each request waits
// at most request_timeout_ms; a response that arrives after its waiter gave up is dropped.
//
// GCC 12: pass coroutines named locals (lvalues or std::move of them), never temporaries, inside
// a co_await expression: a prvalue argument is copied into the coroutine frame bytewise, so a
// short std::string in it points into the caller's frame (found by ASan on open()'s Address).
//
// Lifetime: the reader coroutine points at the Connection, so close() must be awaited before the
// Connection is destroyed (the destructor asserts it). After a send/recv error or the broker
// closing, every waiting and later call fails with that error.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/client_error.h"
#include "engine/reactor/cancel.h"
#include "engine/reactor/event.h"
#include "engine/reactor/mutex.h"
#include "engine/reactor/task.h"
#include "net/kafka/api_key.h"
#include "net/kafka/api_versions.h"
#include "net/kafka/request_dispatch.h"

namespace ringlog::client {

inline constexpr uint32_t kResponseBytesMaxDefault = 256U << 20;

struct ConnectionOptions {
  std::string client_id = "ringlog";
  std::chrono::milliseconds connect_timeout_ms{10'000};
  std::chrono::milliseconds request_timeout_ms{30'000};
  // Frames announced larger than this close the connection (checked before allocating).
  uint32_t response_bytes_max = kResponseBytesMaxDefault;
};

struct Address {
  std::string host;
  uint16_t port = 0;
};

// "HOST:PORT" (HOST may be a name, an IPv4 address or a bracketed IPv6 address).
ClientResult<Address> parse_address(std::string_view host_port);

// A response frame: the bytes after the size prefix; the body starts after the response header.
struct ResponseFrame {
  std::vector<std::byte> bytes;
  size_t body_at = 0;
  std::span<const std::byte> body() const { return std::span(bytes).subspan(body_at); }
};

// A decoded response and the frame it was decoded from (RECORDS fields point into `frame`;
// moving a Reply keeps them valid).
template <typename Response>
struct Reply {
  Response body;
  int16_t version = 0;
  std::vector<std::byte> frame;
};

enum class ExpectResponse : uint8_t { kYes, kNo };

class Connection {
 public:
  static reactor::Task<ClientResult<std::unique_ptr<Connection>>> open(Address address,
                                                                       ConnectionOptions options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Closes the socket, fails the requests still waiting and waits for the reader to finish.
  reactor::Task<void> close();

  // The highest version of `key` in [lowest, highest] that the broker supports, if any.
  std::optional<int16_t> version_for(kafka::ApiKey key, int16_t lowest, int16_t highest) const;
  // The broker's ranges, as its ApiVersions response listed them.
  const std::vector<kafka::ApiVersionRange>& broker_versions() const { return broker_versions_; }
  const Address& address() const { return address_; }
  const ConnectionOptions& options() const { return options_; }

  // Sends `request` at the highest version both sides speak (at most `version_max`) and decodes
  // the response. With ExpectResponse::kNo (Produce with acks=0) nothing is awaited and the
  // returned body is default-constructed.
  template <typename Response, typename Request>
  reactor::Task<ClientResult<Reply<Response>>> call(
      Request request, ExpectResponse expect = ExpectResponse::kYes,
      int16_t version_max = Request::kHighestVersion) {
    static_assert(Request::kApiKey == Response::kApiKey);
    const std::optional<int16_t> version =
        version_for(Request::kApiKey, Request::kLowestVersion,
                    std::min<int16_t>(version_max, Request::kHighestVersion));
    if (!version) {
      co_return ClientError{.errc = ClientErrc::kUnsupportedVersion,
                            .context = kafka::to_string(Request::kApiKey).data()};
    }
    const int32_t correlation_id = next_correlation_id_++;
    kafka::Writer writer;
    kafka::encode_request_frame(writer,
                                kafka::RequestHeader{.api_key = Request::kApiKey,
                                                     .api_version = *version,
                                                     .correlation_id = correlation_id,
                                                     .client_id = options_.client_id},
                                request);
    // (A named local, not a temporary, as a coroutine argument: see Connection::open.)
    std::vector<std::byte> bytes = std::move(writer).take();
    ClientResult<ResponseFrame> frame =
        co_await round_trip(Request::kApiKey, *version, correlation_id, std::move(bytes), expect);
    if (!frame) co_return frame.error();
    if (expect == ExpectResponse::kNo) co_return Reply<Response>{Response{}, *version, {}};
    kafka::Reader reader(frame->body());
    Result<Response, kafka::DecodeError> decoded = Response::decode(reader, *version);
    if (!decoded) {
      co_return ClientError{.errc = ClientErrc::kDecode, .context = Response::kName.data()};
    }
    co_return Reply<Response>{std::move(*decoded), *version, std::move(frame->bytes)};
  }

  // Sends one encoded request frame (size prefix included) and waits for the response with
  // `correlation_id` (unless `expect` is kNo). The building block of call().
  reactor::Task<ClientResult<ResponseFrame>> round_trip(kafka::ApiKey key, int16_t version,
                                                        int32_t correlation_id,
                                                        std::vector<std::byte> frame,
                                                        ExpectResponse expect);

  int32_t next_correlation_id() { return next_correlation_id_++; }
  // Requests sent and still waiting for their response.
  size_t in_flight() const { return pending_.size(); }

 private:
  // One request waiting for its response; lives in the waiting coroutine's frame.
  struct Pending {
    kafka::ApiKey key{};
    int16_t version = 0;
    std::optional<ResponseFrame> frame;
    std::optional<ClientError> error;
    reactor::CancelSource wake;  // cancelled to wake the waiter early (answer or failure)
  };

  Connection(int fd, Address address, ConnectionOptions options);

  reactor::Task<ClientResult<void>> handshake();
  reactor::Task<void> read_loop();
  // Records the connection's first failure and fails every waiting request with it.
  void fail(ClientError error);

  int fd_ = -1;
  Address address_;
  ConnectionOptions options_;
  int32_t next_correlation_id_ = 1;
  std::map<int32_t, Pending*> pending_;
  std::vector<kafka::ApiVersionRange> broker_versions_;
  std::optional<ClientError> failed_;
  bool closing_ = false;
  reactor::Mutex send_mutex_;
  bool reader_running_ = false;
  reactor::Event reader_exited_;
};

}  // namespace ringlog::client
