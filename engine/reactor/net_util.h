#pragma once
// Small TCP helpers for loopback servers and clients (tests, tools, the broker's listener):
// a listening socket with SO_REUSEADDR/SO_REUSEPORT whose port is reported back (port 0 picks
// a free one), and a connect that goes through the reactor.

#include <netinet/in.h>

#include <cstdint>

#include "engine/base/errno.h"
#include "engine/base/result.h"
#include "engine/reactor/io.h"
#include "engine/reactor/task.h"

namespace ringlog::reactor {

// Backlog for listening sockets; the kernel caps it at net.core.somaxconn.
inline constexpr int kListenBacklogDefault = 4096;

struct Listener {
  int fd = -1;
  uint16_t port = 0;  // host byte order
};

// Listens on 127.0.0.1:`port` (0: any free port). The caller owns (and closes) the fd.
Result<Listener, Errno> listen_loopback(uint16_t port = 0, int backlog = kListenBacklogDefault);

// 127.0.0.1:`port` as a sockaddr_in.
sockaddr_in loopback_address(uint16_t port);

// A new TCP socket (blocking, close-on-exec; io_uring does not need O_NONBLOCK).
Result<int, Errno> tcp_socket();

// Sets TCP_NODELAY (small request/response traffic).
Result<void, Errno> set_nodelay(int fd);

// Connects a new socket to 127.0.0.1:`port` through the reactor; returns the connected fd.
// On failure the socket is closed and the error returned (ECONNREFUSED for a closed port).
Task<Result<int, Errno>> connect_loopback(uint16_t port, IoOptions options = {});

}  // namespace ringlog::reactor
