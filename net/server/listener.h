#pragma once
// Listening sockets, opened before the shards start: one per shard on the same address with
// SO_REUSEPORT, so the kernel spreads new connections across shards and each shard accepts on
// its own socket. Port 0 picks a free port (tests), shared by all the sockets.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/errno.h"
#include "engine/base/result.h"

namespace ringlog::server {

class ListenerSet {
 public:
  ListenerSet() = default;
  ListenerSet(ListenerSet&& other) noexcept;
  ListenerSet& operator=(ListenerSet&& other) noexcept;
  ~ListenerSet();

  // IPv4 dotted address (e.g. 127.0.0.1) and port; `count` sockets.
  static Result<ListenerSet, Errno> open(const std::string& host, uint16_t port, uint32_t count);

  uint16_t port() const { return port_; }
  int fd(uint32_t index) const { return fds_.at(index); }
  uint32_t size() const { return static_cast<uint32_t>(fds_.size()); }

 private:
  std::vector<int> fds_;
  uint16_t port_ = 0;
};

}  // namespace ringlog::server
