#include "net/server/server.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>

#include "engine/reactor/io.h"
#include "engine/reactor/timer.h"

namespace ringlog::server {
namespace {

// After an accept error such as EMFILE, wait a little instead of spinning on it.
constexpr auto kAcceptErrorBackoff = std::chrono::milliseconds(10);

}  // namespace

Server::Server(int listen_fd, ConnectionLimits limits, RequestHandler& handler)
    : listen_fd_(listen_fd), limits_(limits), handler_(handler) {}

Server::~Server() {
  RL_ASSERT(connections_.empty(), "server destroyed with open connections");
  if (listening_for_stop_) reactor::Reactor::current().remove_stop_listener(*this);
}

void Server::stop() {
  if (stopping_) return;
  stopping_ = true;
  accept_cancel_.cancel();
  for (Connection* c : connections_) c->shut_down();
}

reactor::Task<void> Server::serve() {
  reactor::Reactor& reactor = reactor::Reactor::current();
  reactor.add_stop_listener(*this);
  listening_for_stop_ = true;
  while (!stopping_) {
    auto accepted = co_await reactor::accept(listen_fd_, {.cancel = &accept_cancel_});
    if (!accepted) {
      if (accepted.error().code == ECANCELED) break;
      ++stats_.accept_errors;
      fmt::print(stderr, "accept failed: {}\n", accepted.error().name());
      co_await reactor::sleep(kAcceptErrorBackoff);
      continue;
    }
    const int fd = static_cast<int>(*accepted);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ++stats_.accepted;
    reactor.spawn(serve_connection(fd));
  }
  stop();
  while (!connections_.empty()) co_await connection_closed_.wait();
  reactor.remove_stop_listener(*this);
  listening_for_stop_ = false;
}

reactor::Task<void> Server::serve_connection(int fd) {
  auto connection = std::make_unique<Connection>(fd, next_connection_id_++, limits_, handler_);
  connections_.insert(connection.get());
  if (stopping_) connection->shut_down();
  co_await connection->run();
  connections_.erase(connection.get());
  ++stats_.closed;
  connection_closed_.set();
}

}  // namespace ringlog::server
