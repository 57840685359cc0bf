#pragma once
// Where a group's requests go: the shard owning the group's __consumer_offsets partition.
// The topic is created on first use (as Kafka does on the first FindCoordinator), with the
// coordinator's partition count and compaction.

#include <string>

#include "engine/base/types.h"
#include "engine/reactor/task.h"
#include "net/kafka/error_code.h"

namespace ringlog::cluster {
class Broker;
}

namespace ringlog::cluster::groups {

// Creates __consumer_offsets if it does not exist yet; COORDINATOR_NOT_AVAILABLE if that failed.
reactor::Task<kafka::ErrorCode> ensure_offsets_topic(Broker& broker);

struct GroupRoute {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  ShardId shard{0};
};

// INVALID_GROUP_ID for a bad id; otherwise the coordinator shard of the group.
reactor::Task<GroupRoute> route_group(Broker& broker, std::string group_id);

}  // namespace ringlog::cluster::groups
