#pragma once
// Shard affinity: where a connection's requests would rather be served. A connection lives on
// the shard that accepted it (SO_REUSEPORT picks one), but the partitions it produces to or
// fetches from are pinned to their owner shards; when they are all on one other shard, every
// request pays a hop there and back, each a wake-up of a sleeping thread when the load is light
// (p50 produce latency 1.6-1.8x the single-threaded mock; perf/broker.md). Moving the socket to
// that shard once removes the hop for the rest of the connection's life.
//
// A handler reports, per response, which shards the request's partitions live on
// (AffinityCollector); the connection feeds the reports to a MoveDecider, which asks for a move
// only after a streak of requests agreeing on one other shard, and a bounded number of times per
// connection, so a client whose partitions span shards never bounces between them.

#include <cstdint>
#include <optional>

namespace ringlog::server {

// Response::shard_affinity values besides a shard number.
inline constexpr int32_t kNoAffinity = -1;     // the request touched no partition
inline constexpr int32_t kMixedAffinity = -2;  // its partitions live on several shards

// Gathers the owner shards of one request's partitions.
class AffinityCollector {
 public:
  void note(uint32_t shard) {
    const auto s = static_cast<int32_t>(shard);
    if (value_ == kNoAffinity) {
      value_ = s;
    } else if (value_ != s) {
      value_ = kMixedAffinity;
    }
  }
  int32_t value() const { return value_; }

 private:
  int32_t value_ = kNoAffinity;
};

class MoveDecider {
 public:
  // Consecutive requests that must agree on one shard before a move.
  static constexpr uint32_t kStreak = 4;
  // Moves in a connection's life, counting those of the connections it came from.
  static constexpr uint32_t kMovesMax = 3;

  explicit MoveDecider(uint32_t moves_so_far = 0) : moves_(moves_so_far) {}

  // One response's affinity. Requests without partitions (metadata, heartbeats) neither build
  // nor break a streak; a request spanning shards breaks it.
  void observe(int32_t affinity) {
    if (affinity == kNoAffinity) return;
    if (affinity == kMixedAffinity) {
      streak_ = 0;
      shard_ = kNoAffinity;
      return;
    }
    if (affinity == shard_) {
      ++streak_;
    } else {
      shard_ = affinity;
      streak_ = 1;
    }
  }

  // The shard to move to from `self`, if the requests asked for one long enough.
  std::optional<uint32_t> target(uint32_t self) const {
    if (moves_ >= kMovesMax || streak_ < kStreak || shard_ < 0) return std::nullopt;
    if (static_cast<uint32_t>(shard_) == self) return std::nullopt;
    return static_cast<uint32_t>(shard_);
  }

  uint32_t moves() const { return moves_; }

 private:
  uint32_t moves_;
  int32_t shard_ = kNoAffinity;
  uint32_t streak_ = 0;
};

}  // namespace ringlog::server
