#include "engine/reactor/net_util.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace ringlog::reactor {

sockaddr_in loopback_address(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

Result<int, Errno> tcp_socket() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno{errno};
  return fd;
}

Result<void, Errno> set_nodelay(int fd) {
  int one = 1;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) return Errno{errno};
  return {};
}

Result<Listener, Errno> listen_loopback(uint16_t port, int backlog) {
  Result<int, Errno> sock = tcp_socket();
  if (!sock) return sock.error();
  const int fd = *sock;
  auto fail = [fd]() {
    Errno e{errno};
    ::close(fd);
    return e;
  };
  int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) return fail();
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) return fail();
  sockaddr_in addr = loopback_address(port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) return fail();
  if (::listen(fd, backlog) != 0) return fail();
  socklen_t len = sizeof(addr);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return fail();
  RL_ASSERT(len == sizeof(addr));
  return Listener{.fd = fd, .port = ntohs(addr.sin_port)};
}

Task<Result<int, Errno>> connect_loopback(uint16_t port, IoOptions options) {
  Result<int, Errno> sock = tcp_socket();
  if (!sock) co_return sock.error();
  const int fd = *sock;
  // Lives in this frame until the connect completes.
  const sockaddr_in addr = loopback_address(port);
  IoResult r =
      co_await connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr), options);
  if (!r) {
    ::close(fd);
    co_return r.error();
  }
  co_return fd;
}

}  // namespace ringlog::reactor
