#pragma once
// Consumer: reads one topic's partitions from positions the caller chooses (no group, no
// commits: a consumer's only state is its offsets). poll() sends one Fetch for every assigned
// partition, decodes the returned batches into Records and advances each partition's position
// past what it returned. A batch cut off at the end of a response is fetched again next time;
// a partition whose first batch does not fit its byte limit gets a doubled limit (up to
// kPartitionBytesMax) on the next poll. Compressed batches (gzip, snappy, lz4, zstd) are
// decompressed.
//
// Not here yet (DESIGN.md's full consumer): consumer groups and commits, fetch pipelining,
// routing to partition leaders on other brokers.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "client/client_error.h"
#include "client/connection.h"
#include "client/records.h"
#include "engine/base/types.h"
#include "engine/reactor/task.h"

namespace ringlog::client {

inline constexpr int32_t kPartitionBytesDefault = 1 << 20;
inline constexpr int32_t kPartitionBytesMax = 64 << 20;

struct ConsumerOptions {
  // How long the broker may hold a Fetch waiting for min_bytes.
  std::chrono::milliseconds max_wait_ms{500};
  int32_t min_bytes = 1;
  int32_t max_bytes = 16 << 20;
  int32_t partition_bytes = kPartitionBytesDefault;
};

struct PartitionState {
  Offset position{0};         // the next offset to fetch
  Offset high_watermark{-1};  // as of the last fetch (-1 before any)
  int32_t max_bytes = kPartitionBytesDefault;
};

class Consumer {
 public:
  Consumer(Connection* connection, std::string topic, ConsumerOptions options)
      : connection_(connection), topic_(std::move(topic)), options_(options) {}

  // Reads `partition` starting at `offset` (replaces an earlier position).
  void assign(int32_t partition, Offset offset);
  const std::map<int32_t, PartitionState>& partitions() const { return partitions_; }
  const std::string& topic() const { return topic_; }
  // True when every assigned partition's position has reached its high watermark (as of the
  // last poll; false before the first).
  bool at_end() const;

  // One Fetch for all assigned partitions; the records, partition by partition, offsets in order.
  reactor::Task<ClientResult<std::vector<Record>>> poll();

 private:
  Connection* connection_;
  std::string topic_;
  ConsumerOptions options_;
  std::map<int32_t, PartitionState> partitions_;
};

}  // namespace ringlog::client
