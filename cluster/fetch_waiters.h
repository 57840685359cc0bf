#pragma once
// FetchWaiters: the long-polling fetches of one shard. A fetch that found too little data
// registers here under an id and sleeps until its max_wait_ms deadline; the shards owning its
// partitions remember (shard, id) and, after the next append, wake it by id. An id that is gone
// (the fetch already answered) is ignored, so a late wake-up is harmless.

#include <cstdint>
#include <unordered_map>

#include "engine/reactor/cancel.h"

namespace ringlog::cluster {

class FetchWaiters {
 public:
  // Registers `wake` (the fetch's sleep cancels through it); returns the id to hand out.
  uint64_t add(reactor::CancelSource* wake) {
    uint64_t id = next_id_++;
    waiters_.emplace(id, wake);
    return id;
  }
  void remove(uint64_t id) { waiters_.erase(id); }
  void wake(uint64_t id) {
    auto it = waiters_.find(id);
    if (it != waiters_.end()) it->second->cancel();
  }
  size_t size() const { return waiters_.size(); }

 private:
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, reactor::CancelSource*> waiters_;
};

}  // namespace ringlog::cluster
