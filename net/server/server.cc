#include "net/server/server.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>

#include "engine/reactor/io.h"
#include "engine/reactor/smp.h"
#include "engine/reactor/timer.h"

namespace ringlog::server {
namespace {

// After an accept error such as EMFILE, wait a little instead of spinning on it.
constexpr auto kAcceptErrorBackoff = std::chrono::milliseconds(10);

// The Server serving on this shard's thread (one per shard; see on_this_shard()).
thread_local Server* tls_server = nullptr;

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

Server* Server::on_this_shard() { return tls_server; }

reactor::Task<void> Server::serve() {
  reactor::Reactor& reactor = reactor::Reactor::current();
  reactor.add_stop_listener(*this);
  listening_for_stop_ = true;
  if (tls_server == nullptr) tls_server = this;
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
    reactor.spawn(serve_connection(fd, {}));
  }
  stop();
  // From now on no connection moves here (adopt refuses once stopping_ is set).
  while (!connections_.empty()) co_await connection_closed_.wait();
  if (tls_server == this) tls_server = nullptr;
  reactor.remove_stop_listener(*this);
  listening_for_stop_ = false;
}

reactor::Task<void> Server::serve_connection(int fd, ConnectionOrigin origin) {
  auto connection =
      std::make_unique<Connection>(fd, next_connection_id_++, limits_, handler_, origin);
  connections_.insert(connection.get());
  if (stopping_) connection->shut_down();
  const CloseReason reason = co_await connection->run();
  // Still counted among this server's connections while it moves, so serve() waits for it.
  if (reason == CloseReason::kMoved) co_await move_away(*connection);
  connections_.erase(connection.get());
  ++stats_.closed;
  connection_closed_.set();
}

reactor::Task<void> Server::move_away(const Connection& connection) {
  const int fd = connection.info().fd;
  const ConnectionOrigin origin = connection.origin_for_move();
  const ShardId target(connection.move_target());
  auto adopt_there = [fd, origin] {
    Server* server = Server::on_this_shard();
    return server != nullptr && server->adopt(fd, origin);
  };
  const bool adopted = co_await reactor::Smp::current().call(target, adopt_there);
  if (adopted) {
    ++stats_.moved_out;
  } else {
    ::close(fd);  // the target shard is shutting down: so is the broker
  }
}

bool Server::adopt(int fd, const ConnectionOrigin& origin) {
  if (stopping_) return false;
  ++stats_.adopted;
  reactor::Reactor::current().spawn(serve_connection(fd, origin));
  return true;
}

}  // namespace ringlog::server
