#include "client/connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "engine/base/assert.h"
#include "engine/reactor/io.h"
#include "engine/reactor/io_helpers.h"
#include "engine/reactor/reactor.h"
#include "engine/reactor/timer.h"
#include "net/kafka/headers.h"
#include "net/kafka/messages/api_versions.h"

namespace ringlog::client {

namespace {

// The ApiVersions version we ask with first; a broker that does not know it answers with v0
// and its range (KIP-511), and we ask again with the highest it lists.
constexpr int16_t kApiVersionsFirstTry = 3;
constexpr const char* kSoftwareName = "ringlog";
constexpr const char* kSoftwareVersion = "0.1.0";

int32_t load_be_int32(const std::byte* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return static_cast<int32_t>(v);
}

// Resolves host:port to a socket address (getaddrinfo blocks: called once, before any traffic).
ClientResult<sockaddr_storage> resolve(const Address& address, socklen_t* length) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address.port);
  if (::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    return ClientError{.errc = ClientErrc::kBadAddress, .context = "resolve"};
  }
  sockaddr_storage out{};
  std::memcpy(&out, found->ai_addr, found->ai_addrlen);
  *length = found->ai_addrlen;
  ::freeaddrinfo(found);
  return out;
}

}  // namespace

ClientResult<Address> parse_address(std::string_view host_port) {
  const ClientError bad{.errc = ClientErrc::kBadAddress, .context = "expected HOST:PORT"};
  const size_t colon = host_port.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad;
  std::string_view host = host_port.substr(0, colon);
  const std::string_view port_text = host_port.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  uint32_t port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return bad;
  }
  return Address{std::string(host), static_cast<uint16_t>(port)};
}

Connection::Connection(int fd, Address address, ConnectionOptions options)
    : fd_(fd), address_(std::move(address)), options_(std::move(options)) {}

Connection::~Connection() {
  RL_ASSERT(fd_ < 0 && !reader_running_, "close() a Connection before destroying it");
}

reactor::Task<ClientResult<std::unique_ptr<Connection>>> Connection::open(
    Address address, ConnectionOptions options) {
  socklen_t length = 0;
  ClientResult<sockaddr_storage> resolved = resolve(address, &length);
  if (!resolved) co_return resolved.error();
  const sockaddr_storage peer = *resolved;
  const int fd = ::socket(peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    co_return ClientError{
        .errc = ClientErrc::kConnectFailed, .os_errno = errno, .context = "socket"};
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  reactor::IoResult connected =
      co_await reactor::connect(fd, reinterpret_cast<const sockaddr*>(&peer), length,
                                {.timeout = options.connect_timeout_ms});
  if (!connected) {
    ::close(fd);
    const int code = connected.error().code == ECANCELED ? ETIMEDOUT : connected.error().code;
    co_return ClientError{
        .errc = ClientErrc::kConnectFailed, .os_errno = code, .context = "connect"};
  }
  std::unique_ptr<Connection> connection(
      new Connection(fd, std::move(address), std::move(options)));
  connection->reader_running_ = true;
  reactor::Reactor::current().spawn(connection->read_loop());
  ClientResult<void> handshake = co_await connection->handshake();
  if (!handshake) {
    co_await connection->close();
    co_return handshake.error();
  }
  co_return std::move(connection);
}

namespace {
// The first field of every ApiVersions response body is its int16 error code; -1 if too short.
int16_t leading_error_code(std::span<const std::byte> body) {
  if (body.size() < 2) return -1;
  return static_cast<int16_t>((std::to_integer<uint16_t>(body[0]) << 8) |
                              std::to_integer<uint16_t>(body[1]));
}
}  // namespace

reactor::Task<ClientResult<void>> Connection::handshake() {
  int16_t version = kApiVersionsFirstTry;
  for (int attempt = 0; attempt < 2; ++attempt) {
    kafka::ApiVersionsRequest request;
    request.client_software_name = kSoftwareName;
    request.client_software_version = kSoftwareVersion;
    const int32_t correlation_id = next_correlation_id_++;
    kafka::Writer writer;
    kafka::encode_request_frame(writer,
                                kafka::RequestHeader{.api_key = kafka::ApiKey::kApiVersions,
                                                     .api_version = version,
                                                     .correlation_id = correlation_id,
                                                     .client_id = options_.client_id},
                                request);
    std::vector<std::byte> bytes = std::move(writer).take();
    ClientResult<ResponseFrame> frame =
        co_await round_trip(kafka::ApiKey::kApiVersions, version, correlation_id, std::move(bytes),
                            ExpectResponse::kYes);
    if (!frame) co_return frame.error();
    kafka::Reader reader(frame->body());
    Result<kafka::ApiVersionsResponse, kafka::DecodeError> response =
        kafka::ApiVersionsResponse::decode(reader, version);
    const auto unsupported = static_cast<int16_t>(kafka::ErrorCode::kUnsupportedVersion);
    if (!response || response->error_code == unsupported) {
      // The broker answered in v0 (it does not speak `version`): read its range and retry.
      kafka::Reader v0(frame->body());
      Result<kafka::ApiVersionsResponse, kafka::DecodeError> old =
          kafka::ApiVersionsResponse::decode(v0, 0);
      int16_t broker_max = -1;
      if (old && old->error_code == unsupported) {
        for (const auto& api : old->api_keys) {
          if (api.api_key == static_cast<int16_t>(kafka::ApiKey::kApiVersions)) {
            broker_max = api.max_version;
          }
        }
      } else if (leading_error_code(frame->body()) == unsupported && version > 0) {
        // UNSUPPORTED_VERSION with a range we cannot read (librdkafka's mock broker writes its
        // one-entry list in the flexible encoding): retry with v0, which every broker speaks,
        // as the Java client does.
        broker_max = 0;
      } else {
        co_return ClientError{.errc = ClientErrc::kDecode, .context = "ApiVersions"};
      }
      if (broker_max < 0 || broker_max >= version) {
        co_return ClientError::broker(unsupported, "ApiVersions");
      }
      version = broker_max;
      continue;
    }
    if (response->error_code != 0)
      co_return ClientError::broker(response->error_code, "ApiVersions");
    broker_versions_.clear();
    for (const auto& api : response->api_keys) {
      broker_versions_.push_back(
          {static_cast<kafka::ApiKey>(api.api_key), api.min_version, api.max_version});
    }
    co_return ClientResult<void>{};
  }
  co_return ClientError::broker(static_cast<int16_t>(kafka::ErrorCode::kUnsupportedVersion),
                                "ApiVersions");
}

std::optional<int16_t> Connection::version_for(kafka::ApiKey key, int16_t lowest,
                                               int16_t highest) const {
  for (const kafka::ApiVersionRange& range : broker_versions_) {
    if (range.key != key) continue;
    const int16_t top = std::min(highest, range.max_version);
    if (top < lowest || top < range.min_version) return std::nullopt;
    return top;
  }
  return std::nullopt;
}

reactor::Task<ClientResult<ResponseFrame>> Connection::round_trip(kafka::ApiKey key,
                                                                  int16_t version,
                                                                  int32_t correlation_id,
                                                                  std::vector<std::byte> frame,
                                                                  ExpectResponse expect) {
  if (failed_) co_return *failed_;
  Pending pending{.key = key, .version = version};
  if (expect == ExpectResponse::kYes) {
    RL_ASSERT(!pending_.contains(correlation_id), "correlation ids are unique per connection");
    pending_.emplace(correlation_id, &pending);
  }
  {
    reactor::Mutex::Guard guard = co_await send_mutex_.lock();
    // A failure while we waited for the mutex already failed `pending` (and removed it).
    if (failed_) {
      pending_.erase(correlation_id);
      co_return *failed_;
    }
    Result<void, Errno> sent =
        co_await reactor::send_all(fd_, frame, {.timeout = options_.request_timeout_ms});
    if (!sent) {
      pending_.erase(correlation_id);
      fail(ClientError{.errc = ClientErrc::kIo, .os_errno = sent.error().code, .context = "send"});
      co_return *failed_;
    }
  }
  if (expect == ExpectResponse::kNo) co_return ResponseFrame{};
  const auto deadline = reactor::Clock::now() + options_.request_timeout_ms;
  const bool slept = co_await reactor::sleep_until(deadline, &pending.wake);
  pending_.erase(correlation_id);  // (already gone unless the wait timed out)
  if (pending.frame) co_return std::move(*pending.frame);
  if (pending.error) co_return *pending.error;
  RL_ASSERT(slept, "woken without an answer or an error");
  co_return ClientError{.errc = ClientErrc::kTimedOut, .context = kafka::to_string(key).data()};
}

reactor::Task<void> Connection::read_loop() {
  std::array<std::byte, 4> size_bytes{};
  while (true) {
    Result<size_t, Errno> got = co_await reactor::recv_exact(fd_, size_bytes);
    if (!got) {
      fail({.errc = ClientErrc::kIo, .os_errno = got.error().code, .context = "recv"});
      break;
    }
    if (*got < size_bytes.size()) {
      fail({.errc = ClientErrc::kConnectionClosed});
      break;
    }
    const int32_t size = load_be_int32(size_bytes.data());
    if (size < 4 || static_cast<uint32_t>(size) > options_.response_bytes_max) {
      fail({.errc = ClientErrc::kResponseTooLarge, .context = "response frame"});
      break;
    }
    std::vector<std::byte> frame(static_cast<size_t>(size));
    got = co_await reactor::recv_exact(fd_, frame);
    if (!got) {
      fail({.errc = ClientErrc::kIo, .os_errno = got.error().code, .context = "recv"});
      break;
    }
    if (*got < frame.size()) {
      fail({.errc = ClientErrc::kConnectionClosed});
      break;
    }
    // Response headers v0 and v1 both start with the correlation id.
    const int32_t correlation_id = load_be_int32(frame.data());
    auto it = pending_.find(correlation_id);
    if (it == pending_.end()) continue;  // its waiter timed out
    Pending* pending = it->second;
    pending_.erase(it);
    kafka::Reader reader(frame);
    Result<kafka::ResponseHeader, kafka::DecodeError> header = kafka::ResponseHeader::decode(
        reader, kafka::response_header_version(pending->key, pending->version));
    if (header) {
      const size_t body_at = reader.position();
      pending->frame = ResponseFrame{std::move(frame), body_at};
    } else {
      pending->error = ClientError{.errc = ClientErrc::kDecode, .context = "response header"};
    }
    pending->wake.cancel();
  }
  reader_running_ = false;
  reader_exited_.set();
}

void Connection::fail(ClientError error) {
  if (closing_) error = ClientError{.errc = ClientErrc::kConnectionClosed, .context = "closed"};
  if (!failed_) failed_ = error;
  std::map<int32_t, Pending*> waiting;
  waiting.swap(pending_);
  for (auto& [id, pending] : waiting) {
    pending->error = *failed_;
    pending->wake.cancel();
  }
  // Wakes the reader if it is the sender that failed.
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

reactor::Task<void> Connection::close() {
  if (fd_ < 0) co_return;
  closing_ = true;
  ::shutdown(fd_, SHUT_RDWR);
  while (reader_running_) co_await reader_exited_.wait();
  ::close(fd_);
  fd_ = -1;
}

}  // namespace ringlog::client
