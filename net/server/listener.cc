#include "net/server/listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace ringlog::server {
namespace {

constexpr int kListenBacklog = 1024;

Result<int, Errno> open_one(const sockaddr_in& addr) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno{errno};
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
      ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, kListenBacklog) != 0) {
    Errno e{errno};
    ::close(fd);
    return e;
  }
  return fd;
}

}  // namespace

ListenerSet::ListenerSet(ListenerSet&& other) noexcept
    : fds_(std::move(other.fds_)), port_(other.port_) {
  other.fds_.clear();
}

ListenerSet& ListenerSet::operator=(ListenerSet&& other) noexcept {
  if (this != &other) {
    for (int fd : fds_) ::close(fd);
    fds_ = std::move(other.fds_);
    other.fds_.clear();
    port_ = other.port_;
  }
  return *this;
}

ListenerSet::~ListenerSet() {
  for (int fd : fds_) ::close(fd);
}

Result<ListenerSet, Errno> ListenerSet::open(const std::string& host, uint16_t port,
                                             uint32_t count) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return Errno{EINVAL};
  ListenerSet set;
  for (uint32_t i = 0; i < count; ++i) {
    auto fd = open_one(addr);
    if (!fd) return fd.error();
    set.fds_.push_back(*fd);
    if (i == 0) {
      // With port 0 the first bind picks the port; the others join it.
      socklen_t len = sizeof(addr);
      ::getsockname(*fd, reinterpret_cast<sockaddr*>(&addr), &len);
      set.port_ = ntohs(addr.sin_port);
    }
  }
  return set;
}

}  // namespace ringlog::server
