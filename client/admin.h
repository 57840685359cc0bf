#pragma once
// Admin: topic administration and cluster metadata over one Connection: list/describe topics
// (Metadata), create (CreateTopics, replication factor 1), delete (DeleteTopics), read and change
// topic configs (DescribeConfigs, IncrementalAlterConfigs) and look up offsets (ListOffsets:
// earliest, latest, first at or after a timestamp).
//
// Requests go to the connection's broker; a single-node cluster is the only kind served so far,
// so there is no routing to partition leaders yet.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/client_error.h"
#include "client/connection.h"
#include "engine/base/types.h"
#include "engine/reactor/task.h"
#include "net/kafka/primitives.h"

namespace ringlog::client {

struct BrokerInfo {
  int32_t node_id = -1;
  std::string host;
  int32_t port = 0;
};

struct PartitionInfo {
  int32_t partition = 0;
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  int32_t leader = -1;
  int32_t leader_epoch = -1;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
};

struct TopicInfo {
  std::string name;
  kafka::Uuid id;
  bool internal = false;
  std::vector<PartitionInfo> partitions;  // sorted by partition
};

struct ClusterInfo {
  std::optional<std::string> cluster_id;
  int32_t controller_id = -1;
  std::vector<BrokerInfo> brokers;
  std::vector<TopicInfo> topics;  // sorted by name
};

struct NewTopic {
  std::string name;
  int32_t partitions = -1;  // -1: the broker's num.partitions
  std::vector<std::pair<std::string, std::string>> configs;
};

struct ConfigEntry {
  std::string name;
  std::optional<std::string> value;
  bool read_only = false;
  bool is_default = false;
  bool is_sensitive = false;
};

enum class ConfigOp : int8_t { kSet = 0, kDelete = 1, kAppend = 2, kSubtract = 3 };

struct ConfigChange {
  std::string name;
  ConfigOp op = ConfigOp::kSet;
  std::optional<std::string> value;
};

// ListOffsets special timestamps.
inline constexpr int64_t kLatestTimestamp = -1;
inline constexpr int64_t kEarliestTimestamp = -2;

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
};

struct ListedOffset {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  std::optional<Offset> offset;  // nullopt: no such record (or an error)
};

// Whether a Metadata request may make the broker auto-create the topics it names.
enum class AutoCreate : uint8_t { kNo, kYes };

class Admin {
 public:
  explicit Admin(Connection* connection) : connection_(connection) {}

  // Brokers and the named topics (all topics when `topics` is nullopt). A named topic the broker
  // does not know comes back with its error code in TopicInfo::partitions being empty; use
  // describe_topic for one topic with that turned into an error.
  reactor::Task<ClientResult<ClusterInfo>> metadata(std::optional<std::vector<std::string>> topics,
                                                    AutoCreate auto_create = AutoCreate::kNo);
  // One topic; UNKNOWN_TOPIC_OR_PARTITION (a kBroker error) if it does not exist.
  reactor::Task<ClientResult<TopicInfo>> describe_topic(std::string name);
  reactor::Task<ClientResult<std::vector<std::string>>> list_topics();

  reactor::Task<ClientResult<void>> create_topic(NewTopic topic);
  reactor::Task<ClientResult<void>> delete_topic(std::string name);
  reactor::Task<ClientResult<std::vector<ConfigEntry>>> describe_configs(std::string topic);
  reactor::Task<ClientResult<void>> alter_configs(std::string topic,
                                                  std::vector<ConfigChange> changes);

  // The offset for `timestamp` (kEarliestTimestamp, kLatestTimestamp, or ms since the epoch:
  // the first record at or after it; nullopt if there is none).
  reactor::Task<ClientResult<std::optional<Offset>>> list_offset(std::string topic,
                                                                 int32_t partition,
                                                                 int64_t timestamp);
  // The same for many partitions in one ListOffsets request: one answer per partition, in the
  // order asked, each with its own error code (a deleted topic does not hide the others).
  reactor::Task<ClientResult<std::vector<ListedOffset>>> list_offsets(
      std::vector<TopicPartition> partitions, int64_t timestamp);

 private:
  Connection* connection_;
};

}  // namespace ringlog::client
