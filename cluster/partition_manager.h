#pragma once
// PartitionManager: the partitions one shard owns. Every partition lives on exactly one shard
// (partition_shard()), which opens its Log, serves every append and read of it, and wakes the
// fetches waiting for it. Other shards reach it only through cross-shard calls.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/producer_state.h"
#include "engine/base/types.h"
#include "engine/reactor/event.h"
#include "engine/reactor/reactor.h"
#include "engine/reactor/task.h"
#include "engine/storage/file_system.h"
#include "engine/storage/log.h"

namespace ringlog::cluster {

using reactor::Task;

// The shard that owns a partition: a stable hash of topic and partition, so a restart with the
// same shard count finds every partition where it was.
ShardId partition_shard(std::string_view topic, int32_t partition, uint32_t shard_count);

// "<data dir>/<topic>-<partition>", as Kafka names partition directories.
std::string partition_dir(const std::string& data_dir, std::string_view topic, int32_t partition);

// A fetch (handled on `shard`) that wants to hear about the next append to a partition.
struct RemoteWaiter {
  ShardId shard;
  uint64_t waiter_id = 0;
  reactor::Clock::time_point deadline;
};

// Remote waiters kept per partition; beyond this the oldest is dropped (it then just waits out
// its max_wait_ms, which costs latency, never correctness).
inline constexpr size_t kRemoteWaitersPerPartitionMax = 1024;

class Partition {
 public:
  Partition(std::string topic, int32_t index, std::unique_ptr<storage::Log> log)
      : topic_(std::move(topic)), index_(index), log_(std::move(log)) {}

  const std::string& topic() const { return topic_; }
  int32_t index() const { return index_; }
  storage::Log& log() { return *log_; }
  // Idempotent producers' sequences; rebuilt from the log's newest segments on open.
  ProducerStateTable& producers() { return producers_; }

  void add_waiter(RemoteWaiter waiter);
  // The waiters to wake after an append; the list starts over empty.
  std::vector<RemoteWaiter> take_waiters();

 private:
  std::string topic_;
  int32_t index_;
  std::unique_ptr<storage::Log> log_;
  ProducerStateTable producers_;
  std::vector<RemoteWaiter> waiters_;
};

// How many of a partition's newest segments are scanned on open to rebuild its producer state.
// Retries of batches older than these are no longer recognised as duplicates (Kafka keeps
// producer-state snapshots instead; see CHANGELOG).
inline constexpr size_t kProducerStateSegmentsScanned = 2;

class PartitionManager {
 public:
  PartitionManager(std::string data_dir, storage::FileSystem& fs);
  ~PartitionManager();

  // Opens (creating if needed) the partition's log. Opening one that is open returns it.
  Task<Result<Partition*, storage::LogError>> open(std::string topic, int32_t index,
                                                   storage::LogOptions options);
  Partition* find(std::string_view topic, int32_t index);
  // Closes the partition; with `delete_files`, removes its directory too (DeleteTopics).
  Task<void> remove(std::string topic, int32_t index, bool delete_files);
  Task<void> close_all();
  // Applies retention to every partition; returns the number of segments deleted.
  uint32_t enforce_retention();

  size_t size() const;
  const std::string& data_dir() const { return data_dir_; }
  storage::FileSystem& fs() { return fs_; }

 private:
  std::string data_dir_;
  storage::FileSystem& fs_;
  std::map<std::string, std::map<int32_t, std::unique_ptr<Partition>>, std::less<>> partitions_;
};

}  // namespace ringlog::cluster
