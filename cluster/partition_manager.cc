#include "cluster/partition_manager.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace ringlog::cluster {

ShardId partition_shard(std::string_view topic, int32_t partition, uint32_t shard_count) {
  RL_ASSERT(shard_count > 0);
  // FNV-1a: stable across builds and platforms (std::hash is not promised to be).
  uint64_t h = 1469598103934665603ull;
  for (char c : topic) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  h ^= static_cast<uint32_t>(partition);
  h *= 1099511628211ull;
  // Consecutive partitions of a topic go to consecutive shards, so a topic spreads evenly.
  return ShardId(static_cast<uint32_t>(((h >> 32) + static_cast<uint32_t>(partition)) % shard_count));
}

std::string partition_dir(const std::string& data_dir, std::string_view topic, int32_t partition) {
  return fmt::format("{}/{}-{}", data_dir, topic, partition);
}

void Partition::add_waiter(RemoteWaiter waiter) {
  const auto now = reactor::Clock::now();
  std::erase_if(waiters_, [&](const RemoteWaiter& w) { return w.deadline < now; });
  if (waiters_.size() >= kRemoteWaitersPerPartitionMax) waiters_.erase(waiters_.begin());
  waiters_.push_back(waiter);
}

std::vector<RemoteWaiter> Partition::take_waiters() {
  std::vector<RemoteWaiter> out;
  out.swap(waiters_);
  return out;
}

namespace {

// Replays the idempotent batches of a log into a producer-state table, in log order.
class ProducerStateRebuild final : public storage::BatchSink {
 public:
  explicit ProducerStateRebuild(ProducerStateTable& table) : table_(table) {}

  void on_batch(const storage::RecordBatchView& batch) override {
    if (batch.producer_id().value() < 0 || batch.is_control()) return;
    if (batch.base_sequence() < 0 || batch.last_offset_delta() < 0) return;
    const SequencedBatch sequenced{
        .producer_id = batch.producer_id().value(),
        .producer_epoch = batch.producer_epoch(),
        .first_sequence = batch.base_sequence(),
        .last_sequence = last_sequence_of(batch.base_sequence(), batch.last_offset_delta())};
    table_.replay(sequenced, batch.base_offset().value());
  }

 private:
  ProducerStateTable& table_;
};

}  // namespace

PartitionManager::PartitionManager(std::string data_dir, storage::FileSystem& fs)
    : data_dir_(std::move(data_dir)), fs_(fs) {}

PartitionManager::~PartitionManager() {
  RL_ASSERT(partitions_.empty(), "close_all() before destroying the partition manager");
}

Task<Result<Partition*, storage::LogError>> PartitionManager::open(std::string topic,
                                                                   int32_t index,
                                                                   storage::LogOptions options) {
  if (Partition* existing = find(topic, index)) co_return existing;
  auto log = co_await storage::Log::open(&fs_, partition_dir(data_dir_, topic, index),
                                         std::move(options));
  if (!log) co_return log.error();
  auto partition = std::make_unique<Partition>(topic, index, std::move(*log));
  ProducerStateRebuild rebuild(partition->producers());
  auto scanned = co_await partition->log().scan_batches(kProducerStateSegmentsScanned, &rebuild);
  if (!scanned) {
    co_await partition->log().close();
    co_return scanned.error();
  }
  // Another open of the same partition may have finished while this one was opening.
  if (Partition* existing = find(topic, index)) {
    co_await partition->log().close();
    co_return existing;
  }
  Partition* p = partition.get();
  partitions_[topic][index] = std::move(partition);
  co_return p;
}

Partition* PartitionManager::find(std::string_view topic, int32_t index) {
  auto t = partitions_.find(topic);
  if (t == partitions_.end()) return nullptr;
  auto p = t->second.find(index);
  return p == t->second.end() ? nullptr : p->second.get();
}

Task<void> PartitionManager::remove(std::string topic, int32_t index, bool delete_files) {
  auto t = partitions_.find(topic);
  if (t != partitions_.end()) {
    auto p = t->second.find(index);
    if (p != t->second.end()) {
      std::unique_ptr<Partition> partition = std::move(p->second);
      t->second.erase(p);
      if (t->second.empty()) partitions_.erase(t);
      auto closed = co_await partition->log().close();
      if (!closed) {
        fmt::print(stderr, "closing {}-{}: {}\n", topic, index, storage::to_string(closed.error()));
      }
    }
  }
  if (delete_files) {
    std::error_code ec;
    std::filesystem::remove_all(partition_dir(data_dir_, topic, index), ec);
    if (ec) fmt::print(stderr, "deleting {}-{}: {}\n", topic, index, ec.message());
  }
}

Task<void> PartitionManager::close_all() {
  while (!partitions_.empty()) {
    auto t = partitions_.begin();
    if (t->second.empty()) {
      partitions_.erase(t);
      continue;
    }
    std::string topic = t->first;
    int32_t index = t->second.begin()->first;
    co_await remove(topic, index, false);
  }
}

uint32_t PartitionManager::enforce_retention() {
  uint32_t deleted = 0;
  for (auto& [topic, by_index] : partitions_) {
    for (auto& [index, partition] : by_index) {
      auto r = partition->log().enforce_retention();
      if (r) {
        deleted += r->segments_deleted;
      } else {
        fmt::print(stderr, "retention of {}-{}: {}\n", topic, index, storage::to_string(r.error()));
      }
    }
  }
  return deleted;
}

size_t PartitionManager::size() const {
  size_t n = 0;
  for (const auto& [topic, by_index] : partitions_) n += by_index.size();
  return n;
}

}  // namespace ringlog::cluster
