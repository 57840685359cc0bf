#pragma once
// Helpers shared by the acceptance tests (tests/integration/acceptance_*.cc): kcat runs, a raw
// loopback Kafka socket with bounded reads, hand-built request frames and record batches (so a
// test can send exactly the bytes it means, including broken ones), and a segment-file scanner.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/storage/crc32c.h"
#include "tests/integration/broker_process.h"

namespace ringlog::testing::accept {

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

inline CommandResult kcat(const BrokerProcess& broker, std::vector<std::string> args,
                          const std::string& input = "",
                          std::chrono::seconds timeout = std::chrono::seconds(120)) {
  std::vector<std::string> argv = {"kcat", "-b", broker.bootstrap()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, input, timeout);
}

inline bool pid_alive(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0; }

// ---- Big-endian / varint encoding for hand-built frames ----

class Bytes {
 public:
  Bytes& i8(int8_t v) { return raw(&v, 1); }
  Bytes& i16(int16_t v) {
    uint16_t be = htons(static_cast<uint16_t>(v));
    return raw(&be, 2);
  }
  Bytes& i32(int32_t v) {
    uint32_t be = htonl(static_cast<uint32_t>(v));
    return raw(&be, 4);
  }
  Bytes& i64(int64_t v) {
    i32(static_cast<int32_t>(static_cast<uint64_t>(v) >> 32));
    return i32(static_cast<int32_t>(static_cast<uint64_t>(v) & 0xffffffffu));
  }
  Bytes& uvarint(uint64_t v) {
    while (v >= 0x80) {
      data_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    data_.push_back(static_cast<char>(v));
    return *this;
  }
  Bytes& varint(int64_t v) {
    return uvarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  Bytes& str(std::string_view s) {  // STRING (INT16 length)
    i16(static_cast<int16_t>(s.size()));
    return raw(s.data(), s.size());
  }
  Bytes& bytes32(std::string_view s) {  // BYTES (INT32 length)
    i32(static_cast<int32_t>(s.size()));
    return raw(s.data(), s.size());
  }
  Bytes& raw(const void* p, size_t n) {
    data_.append(static_cast<const char*>(p), n);
    return *this;
  }
  Bytes& raw(std::string_view s) { return raw(s.data(), s.size()); }
  const std::string& str() const { return data_; }
  size_t size() const { return data_.size(); }

 private:
  std::string data_;
};

// Frame = INT32 size + request header v1 (api key, version, correlation id, client id) + body.
inline std::string request_frame(int16_t api_key, int16_t version, int32_t correlation_id,
                                 std::string_view body) {
  Bytes payload;
  payload.i16(api_key).i16(version).i32(correlation_id).str("accept-test").raw(body);
  Bytes frame;
  frame.i32(static_cast<int32_t>(payload.size())).raw(payload.str());
  return frame.str();
}

// The producer fields of a batch header; the defaults are a producer without an id.
struct BatchProducer {
  int64_t id = -1;
  int16_t epoch = -1;
  int32_t sequence = -1;
};

// A magic-2 record batch of `values` (null keys unless `key` given), CRC-32C correct unless
// `corrupt_crc`.
inline std::string record_batch(const std::vector<std::string>& values, bool corrupt_crc = false,
                                int64_t timestamp_ms = 1'700'000'000'000LL,
                                std::optional<std::string> key = std::nullopt,
                                BatchProducer producer = {}) {
  Bytes records;
  for (size_t i = 0; i < values.size(); ++i) {
    Bytes r;
    r.i8(0).varint(0).varint(static_cast<int64_t>(i));
    if (key) {
      r.varint(static_cast<int64_t>(key->size())).raw(*key);
    } else {
      r.varint(-1);
    }
    r.varint(static_cast<int64_t>(values[i].size())).raw(values[i]).varint(0);
    records.varint(static_cast<int64_t>(r.size())).raw(r.str());
  }
  Bytes after_crc;  // attributes .. end: what the CRC covers
  after_crc.i16(0)
      .i32(static_cast<int32_t>(values.size()) - 1)
      .i64(timestamp_ms)
      .i64(timestamp_ms)
      .i64(producer.id)
      .i16(producer.epoch)
      .i32(producer.sequence)
      .i32(static_cast<int32_t>(values.size()))
      .raw(records.str());
  uint32_t crc = storage::crc32c(after_crc.str());
  if (corrupt_crc) crc ^= 0x5a5a5a5au;
  Bytes batch;
  batch.i64(0)
      .i32(static_cast<int32_t>(4 + 1 + 4 + after_crc.size()))
      .i32(-1)
      .i8(2)
      .i32(static_cast<int32_t>(crc))
      .raw(after_crc.str());
  return batch.str();
}

// Produce v3 body: one topic, one partition.
inline std::string produce_v3_body(std::string_view topic, int32_t partition,
                                   std::string_view batch, int16_t acks = -1) {
  Bytes b;
  b.i16(-1).i16(acks).i32(10'000).i32(1).str(topic).i32(1).i32(partition).bytes32(batch);
  return b.str();
}

// ---- A blocking loopback client with bounded waits ----

class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~RawConnection() { close(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  bool send(std::string_view bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads exactly n bytes; nullopt on EOF/error/timeout.
  std::optional<std::string> read_exact(size_t n, std::chrono::milliseconds timeout) {
    std::string out(n, '\0');
    size_t got = 0;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (got < n) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      ssize_t r = ::recv(fd_, out.data() + got, n - got, 0);
      if (r <= 0) return std::nullopt;
      got += static_cast<size_t>(r);
    }
    return out;
  }

  // One response frame without its size prefix (correlation id first).
  std::optional<std::string> read_frame(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000)) {
    auto prefix = read_exact(4, timeout);
    if (!prefix) return std::nullopt;
    uint32_t be;
    std::memcpy(&be, prefix->data(), 4);
    const uint32_t size = ntohl(be);
    if (size > (64u << 20)) return std::nullopt;
    return read_exact(size, timeout);
  }

  // True if the peer closed the connection (EOF or reset) within `timeout`, with no data.
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char c;
      ssize_t r = ::recv(fd_, &c, 1, 0);
      if (r == 0) return true;
      if (r < 0) return errno == ECONNRESET;
      return false;  // data arrived instead
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// Reads big-endian values from a response frame.
class Cursor {
 public:
  explicit Cursor(std::string_view data) : data_(data) {}
  bool ok() const { return ok_; }
  size_t left() const { return data_.size() - pos_; }
  int16_t i16() { return static_cast<int16_t>(take(2)); }
  int32_t i32() { return static_cast<int32_t>(take(4)); }
  int64_t i64() { return static_cast<int64_t>(take(8)); }
  int8_t i8() { return static_cast<int8_t>(take(1)); }
  std::string str() {
    int16_t n = i16();
    if (n < 0 || !need(static_cast<size_t>(n))) return {};
    std::string s(data_.substr(pos_, static_cast<size_t>(n)));
    pos_ += static_cast<size_t>(n);
    return s;
  }
  void skip(size_t n) {
    if (need(n)) pos_ += n;
  }

 private:
  bool need(size_t n) {
    if (pos_ + n > data_.size()) ok_ = false;
    return ok_;
  }
  uint64_t take(size_t n) {
    if (!need(n)) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    pos_ += n;
    return v;
  }
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

struct ProducePartitionResult {
  int32_t correlation_id = 0;
  std::string topic;
  int32_t partition = -1;
  int16_t error_code = -1;
  int64_t base_offset = -1;
  bool parsed = false;
};

// Parses a Produce v3 response for one topic/partition (frame without the size prefix).
inline ProducePartitionResult parse_produce_v3(const std::string& frame) {
  ProducePartitionResult r;
  Cursor c(frame);
  r.correlation_id = c.i32();
  if (c.i32() != 1) return r;
  r.topic = c.str();
  if (c.i32() != 1) return r;
  r.partition = c.i32();
  r.error_code = c.i16();
  r.base_offset = c.i64();
  c.i64();  // log_append_time_ms
  c.i32();  // throttle_time_ms
  r.parsed = c.ok();
  return r;
}

// ---- Segment files ----

struct StoredBatch {
  int64_t base_offset;
  int32_t records;
  int16_t attributes;
  int64_t max_timestamp;
  int64_t producer_id;
  int16_t producer_epoch;
  int32_t base_sequence;
};

// Every magic-2 batch header in the partition directory's *.log files, in file order.
inline std::vector<StoredBatch> scan_partition_logs(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".log") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<StoredBatch> out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t pos = 0;
    while (pos + 61 <= data.size()) {
      Cursor c(std::string_view(data).substr(pos));
      const int64_t base = c.i64();
      const int32_t length = c.i32();
      c.i32();
      const int8_t magic = c.i8();
      if (length <= 0 || magic != 2) break;
      c.i32();  // crc
      const int16_t attributes = c.i16();
      c.i32();
      c.i64();
      const int64_t max_ts = c.i64();
      const int64_t producer_id = c.i64();
      const int16_t producer_epoch = c.i16();
      const int32_t base_sequence = c.i32();
      const int32_t count = c.i32();
      if (pos + 12 + static_cast<size_t>(length) > data.size()) break;
      out.push_back({base, count, attributes, max_ts, producer_id, producer_epoch, base_sequence});
      pos += 12 + static_cast<size_t>(length);
    }
  }
  return out;
}

}  // namespace ringlog::testing::accept
