#include "cluster/groups/group_routing.h"

#include "cluster/broker.h"
#include "cluster/groups/group_coordinator.h"

namespace ringlog::cluster::groups {

reactor::Task<kafka::ErrorCode> ensure_offsets_topic(Broker& broker) {
  if (broker.topics().find(kOffsetsTopic) != nullptr) co_return kafka::ErrorCode::kNone;
  const GroupOptions& options = broker.options().groups;
  ConfigMap overrides{{"cleanup.policy", "compact"},
                      {"segment.bytes", std::to_string(options.offsets_topic_segment_bytes)}};
  // Named, not a temporary: GCC 12 copies a by-value temporary argument of a coroutine called
  // in a co_await bytewise (CHANGELOG, known hazards).
  std::string name = kOffsetsTopic;
  TopicOpResult created = co_await broker.create_topic(name, options.offsets_topic_partitions,
                                                       std::move(overrides), false);
  // Two first requests may race to create it: the loser sees it exists, which is fine.
  if (created.error == kafka::ErrorCode::kNone ||
      created.error == kafka::ErrorCode::kTopicAlreadyExists) {
    co_return kafka::ErrorCode::kNone;
  }
  co_return kafka::ErrorCode::kCoordinatorNotAvailable;
}

reactor::Task<GroupRoute> route_group(Broker& broker, std::string group_id) {
  const kafka::ErrorCode invalid = validate_group_id(group_id);
  if (invalid != kafka::ErrorCode::kNone) co_return GroupRoute{.error = invalid};
  const kafka::ErrorCode topic = co_await ensure_offsets_topic(broker);
  if (topic != kafka::ErrorCode::kNone) co_return GroupRoute{.error = topic};
  const TopicMetadata* meta = broker.topics().find(kOffsetsTopic);
  if (meta == nullptr) co_return GroupRoute{.error = kafka::ErrorCode::kCoordinatorNotAvailable};
  const int32_t partition = partition_for(group_id, meta->partitions);
  co_return GroupRoute{.shard = broker.owner(kOffsetsTopic, partition)};
}

}  // namespace ringlog::cluster::groups
