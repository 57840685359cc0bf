#pragma once
// GroupAdmin: consumer-group administration over one Connection, as kafka-consumer-groups.sh
// does it: find a group's coordinator (FindCoordinator, key type 0), list groups (ListGroups),
// describe one (DescribeGroups; consumer assignments decoded from ConsumerProtocolAssignment),
// delete groups (DeleteGroups), read committed offsets (OffsetFetch, one group per request) and
// commit offsets from outside the group (OffsetCommit with generation -1 and no member id: what
// offset resets use; the broker takes it only while the group has no members and answers
// UNKNOWN_MEMBER_ID or REBALANCE_IN_PROGRESS otherwise).
//
// Requests go to the connection's broker: a single-node cluster coordinates every group, so
// find_coordinator() is a check (and makes the broker create __consumer_offsets), not a route.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/client_error.h"
#include "client/connection.h"
#include "engine/base/types.h"
#include "engine/reactor/task.h"
#include "net/kafka/error_code.h"

namespace ringlog::client {

struct Coordinator {
  int32_t node_id = -1;
  std::string host;
  int32_t port = 0;
};

struct GroupListing {
  std::string group_id;
  std::string state;          // empty if the broker speaks ListGroups below v4
  std::string protocol_type;  // "consumer" for consumer groups; empty for offsets-only groups
};

struct TopicPartitions {
  std::string topic;
  std::vector<int32_t> partitions;
};

struct GroupMember {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  // Decoded when the group's protocol type is "consumer" and it is Stable; empty otherwise.
  std::vector<TopicPartitions> assignment;
};

struct GroupDescription {
  std::string group_id;
  std::string state;  // "Dead" for a group the broker does not know
  std::string protocol_type;
  std::string protocol;  // the assignor, e.g. "range"
  std::vector<GroupMember> members;
};

struct CommittedOffset {
  std::string topic;
  int32_t partition = 0;
  std::optional<Offset> offset;  // nullopt: nothing committed
  std::optional<std::string> metadata;
};

struct OffsetToCommit {
  std::string topic;
  int32_t partition = 0;
  Offset offset{0};
};

struct PartitionError {
  std::string topic;
  int32_t partition = 0;
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
};

struct GroupError {
  std::string group_id;
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
};

class GroupAdmin {
 public:
  explicit GroupAdmin(Connection* connection) : connection_(connection) {}

  // The broker coordinating `group_id`; its error (e.g. INVALID_GROUP_ID,
  // COORDINATOR_NOT_AVAILABLE) as a kBroker error.
  reactor::Task<ClientResult<Coordinator>> find_coordinator(std::string group_id);

  // Every group the broker knows, sorted by id.
  reactor::Task<ClientResult<std::vector<GroupListing>>> list_groups();

  // One group. An unknown group comes back with state "Dead" and no members (no error, as Kafka
  // answers); a group-level error code is returned as a kBroker error.
  reactor::Task<ClientResult<GroupDescription>> describe_group(std::string group_id);

  // One DeleteGroups request; the result per group in the order asked (kNone when deleted,
  // NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND if it does not exist).
  reactor::Task<ClientResult<std::vector<GroupError>>> delete_groups(
      std::vector<std::string> group_ids);

  // Committed offsets of `group_id` for `topics` (nullopt: every offset the group committed),
  // sorted by topic and partition.
  reactor::Task<ClientResult<std::vector<CommittedOffset>>> fetch_offsets(
      std::string group_id, std::optional<std::vector<TopicPartitions>> topics);

  // Commits `offsets` for `group_id` outside group management. A whole-request failure (the
  // group has members: UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, ...) is returned as an error
  // when every partition carries it; otherwise the per-partition results, in request order.
  reactor::Task<ClientResult<std::vector<PartitionError>>> commit_offsets(
      std::string group_id, std::vector<OffsetToCommit> offsets);

 private:
  Connection* connection_;
};

}  // namespace ringlog::client
