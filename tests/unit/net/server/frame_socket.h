#pragma once
// Blocking-socket helpers for the network shell's tests: a loopback client connection, Kafka's
// size-prefixed frames, and reading one frame back. Every read is bounded (SO_RCVTIMEO).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

namespace ringlog::server::testing {

// A connected loopback client socket whose reads time out after 10 s.
inline int connect_to(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  timeval tv{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

// `body` behind its 4-byte big-endian size prefix.
inline std::string frame(const std::string& body) {
  const uint32_t n = htonl(static_cast<uint32_t>(body.size()));
  return std::string(reinterpret_cast<const char*>(&n), 4) + body;
}

// Reads one response frame; empty optional on EOF or timeout.
inline std::optional<std::string> read_frame(int fd) {
  auto read_n = [fd](size_t n) -> std::optional<std::string> {
    std::string out(n, '\0');
    size_t got = 0;
    while (got < n) {
      const ssize_t r = ::recv(fd, out.data() + got, n - got, 0);
      if (r <= 0) return std::nullopt;
      got += static_cast<size_t>(r);
    }
    return out;
  };
  auto prefix = read_n(4);
  if (!prefix) return std::nullopt;
  uint32_t n = 0;
  std::memcpy(&n, prefix->data(), 4);
  return read_n(ntohl(n));
}

}  // namespace ringlog::server::testing
