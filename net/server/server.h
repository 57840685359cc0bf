#pragma once
// Server: one shard's accept loop and its connections. Each shard runs one Server on its own
// listening socket (see ListenerSet); a connection is served on the shard that accepted it,
// unless ConnectionLimits::move_to_home_shard lets it move, between requests, to the shard its
// partitions live on (shard_affinity.h): the Server there adopts the socket. On a stop request
// the server stops accepting, asks every connection to finish (requests already read are
// answered), and returns once all are closed.

#include <cstdint>
#include <unordered_set>

#include "engine/reactor/cancel.h"
#include "engine/reactor/event.h"
#include "engine/reactor/reactor.h"
#include "engine/reactor/task.h"
#include "net/server/connection.h"
#include "net/server/request_handler.h"

namespace ringlog::server {

struct ServerStats {
  uint64_t accepted = 0;
  uint64_t closed = 0;  // moved-away connections included
  uint64_t accept_errors = 0;
  uint64_t moved_out = 0;  // handed to another shard's Server
  uint64_t adopted = 0;    // taken over from another shard's Server
};

class Server final : private reactor::StopListener {
 public:
  Server(int listen_fd, ConnectionLimits limits, RequestHandler& handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Accepts and serves until the reactor stops (or stop() is called).
  reactor::Task<void> serve();
  void stop();

  const ServerStats& stats() const { return stats_; }
  // The Server serving on the calling shard, if any (for moves between shards).
  static Server* on_this_shard();
  size_t open_connections() const { return connections_.size(); }

 private:
  void on_stop() override { stop(); }
  reactor::Task<void> serve_connection(int fd, ConnectionOrigin origin);
  // Takes over a connection moved here from another shard; false if this server stops.
  bool adopt(int fd, const ConnectionOrigin& origin);
  // Hands a connection that asked to move to its target shard; closes it if none adopts it.
  reactor::Task<void> move_away(const Connection& connection);

  int listen_fd_;
  ConnectionLimits limits_;
  RequestHandler& handler_;
  reactor::CancelSource accept_cancel_;
  reactor::Event connection_closed_;
  std::unordered_set<Connection*> connections_;
  uint64_t next_connection_id_ = 1;
  bool stopping_ = false;
  bool listening_for_stop_ = false;
  ServerStats stats_;
};

}  // namespace ringlog::server
