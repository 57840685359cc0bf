#pragma once
// Broker: one shard's part of a single-node broker. Every shard has one; it holds the shard's
// partitions, its snapshot of the topic table and its long-polling fetches. Shard 0 is also the
// controller: it owns the authoritative topic table, persists it, and publishes every change to
// all shards (which open or delete the partitions they own) before answering the request that
// made it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cluster/fetch_waiters.h"
#include "cluster/groups/group_coordinator.h"
#include "cluster/groups/group_options.h"
#include "cluster/metadata_store.h"
#include "cluster/partition_manager.h"
#include "cluster/topic_config.h"
#include "cluster/topic_table.h"
#include "engine/reactor/event.h"
#include "engine/reactor/mutex.h"
#include "engine/reactor/smp.h"
#include "engine/reactor/task.h"
#include "net/kafka/error_code.h"

namespace ringlog::cluster {

using reactor::Task;

struct BrokerOptions {
  int32_t node_id = 0;
  std::string advertised_host = "127.0.0.1";
  uint16_t advertised_port = 9092;
  std::string data_dir = "./ringlog-data";
  std::string cluster_id = "ringlog-cluster";
  TopicDefaults topic_defaults;
  int32_t num_partitions = 1;
  bool auto_create_topics = true;
  std::chrono::milliseconds retention_check_interval{5 * 60 * 1000};
  groups::GroupOptions groups;
};

// The outcome of one topic operation, as Kafka reports it.
struct TopicOpResult {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  std::string message;
  std::optional<TopicMetadata> topic;
};

class Broker {
 public:
  Broker(const BrokerOptions& options, reactor::Smp& smp, ShardId shard);
  ~Broker();

  // This shard's broker. Set by start() on the shard's thread.
  static Broker& local();
  static Broker* local_or_null();

  // Shard 0 loads the topic table and publishes it to every shard (each opens its partitions);
  // the other shards wait until that happened. Returns false if start-up failed (logged).
  Task<bool> start();
  // Waits until start-up finished on shard 0 (requests are served only after that); false if it
  // failed.
  Task<bool> wait_ready();
  // Closes every partition (clean-shutdown markers written).
  Task<void> stop();

  const BrokerOptions& options() const { return options_; }
  reactor::Smp& smp() { return smp_; }
  ShardId shard() const { return shard_; }
  const TopicTable& topics() const { return *snapshot_; }
  TopicTableSnapshot snapshot() const { return snapshot_; }
  PartitionManager& partitions() { return partitions_; }
  FetchWaiters& fetch_waiters() { return fetch_waiters_; }
  // The consumer groups whose coordinator partition this shard owns.
  groups::GroupCoordinator& groups() { return groups_; }
  ShardId owner(std::string_view topic, int32_t partition) const {
    return partition_shard(topic, partition, smp_.size());
  }
  TopicConfig config_of(const TopicMetadata& topic) const {
    return TopicConfig(options_.topic_defaults, topic.overrides);
  }

  // --- controller operations: call from any shard; they run on shard 0, one at a time ---
  Task<TopicOpResult> create_topic(std::string name, int32_t partitions, ConfigMap overrides,
                                   bool validate_only);
  Task<TopicOpResult> delete_topic(std::string name);
  Task<TopicOpResult> create_partitions(std::string name, int32_t total, bool validate_only);
  Task<TopicOpResult> alter_topic_config(std::string name, ConfigMap overrides,
                                         bool validate_only);

  // Wakes the fetches waiting on a partition of this shard (after an append).
  Task<void> wake_waiters(Partition& partition);

  // InitProducerId: a producer id never handed out before, also across restarts; runs on shard
  // 0. Ids come in blocks of kProducerIdBlockSize: the end of a block is persisted (the
  // MetadataStore's producer-id mark) before its first id is handed out, so a restart continues
  // after the last block begun (what was left of it is skipped). -1 if the mark could not be
  // persisted.
  static constexpr int64_t kProducerIdBlockSize = 1000;
  Task<int64_t> allocate_producer_id();

 private:
  Task<TopicOpResult> controller_create(std::string name, int32_t partitions, ConfigMap overrides,
                                        bool validate_only);
  Task<TopicOpResult> controller_delete(std::string name);
  Task<TopicOpResult> controller_create_partitions(std::string name, int32_t total,
                                                   bool validate_only);
  Task<TopicOpResult> controller_alter(std::string name, ConfigMap overrides, bool validate_only);
  // Saves `table` and, if that worked, publishes it to every shard.
  Task<kafka::ErrorCode> commit(TopicTable table);
  // Runs on each shard: adopts the snapshot, opens partitions it owns, removes deleted ones.
  Task<bool> install(TopicTableSnapshot snapshot);
  // Tells every shard that start-up is over (and whether it worked).
  Task<void> announce_ready(bool ok);
  Task<void> retention_loop();

  BrokerOptions options_;
  reactor::Smp& smp_;
  ShardId shard_;
  TopicTableSnapshot snapshot_;
  PartitionManager partitions_;
  FetchWaiters fetch_waiters_;
  groups::GroupCoordinator groups_;
  bool ready_ = false;
  bool start_failed_ = false;
  reactor::Event ready_changed_;
  // Controller state (shard 0 only).
  std::unique_ptr<MetadataStore> store_;
  TopicTable table_;
  reactor::Mutex controller_mutex_;
  int64_t next_producer_id_ = 0;
  int64_t producer_id_block_end_ = 0;  // persisted mark: ids below it may have been handed out
  reactor::CancelSource retention_stop_;
  bool retention_running_ = false;
  reactor::Event retention_done_;
};

}  // namespace ringlog::cluster
