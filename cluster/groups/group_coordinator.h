#pragma once
// GroupCoordinator: the consumer groups of one shard. A group lives on the shard that owns its
// `__consumer_offsets` partition (partition_for()); requests reach it as cross-shard calls,
// like any partition request, so a group is only ever touched by one thread.
//
// Committed offsets are records of that partition (offset_records.h), appended before a commit
// is answered and loaded back the first time the shard's coordinator is used after a start.
// Membership is kept in memory only: after a restart members rejoin (their heartbeats answer
// UNKNOWN_MEMBER_ID), which the protocol handles, and committed offsets are what carries over.
//
// Timers: one loop per shard checks session, rebalance and pending-member deadlines every
// GroupOptions::expiry_check, and expires offsets of empty groups after offsets.retention.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cluster/groups/group.h"
#include "cluster/groups/group_options.h"
#include "cluster/groups/offset_records.h"
#include "engine/reactor/cancel.h"
#include "engine/reactor/event.h"
#include "engine/reactor/task.h"

namespace ringlog::cluster {
class Broker;
}

namespace ringlog::cluster::groups {

using reactor::Task;

// The __consumer_offsets partition of a group: Java's String.hashCode of the id, made
// non-negative as Kafka's Utils.abs does, modulo the partition count — the partition Kafka
// would pick (for ASCII ids; other ids hash their UTF-8 bytes).
int32_t partition_for(std::string_view group_id, int32_t partitions);

// INVALID_GROUP_ID for an empty id or one over kGroupIdMaxBytes.
ErrorCode validate_group_id(std::string_view group_id);

struct JoinArgs {
  std::string group_id;
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<Protocol> protocols;
  int16_t version = 0;  // v4+ must learn their member id first (MEMBER_ID_REQUIRED)
};

struct SyncArgs {
  std::string group_id;
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> instance_id;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::vector<std::pair<std::string, std::vector<std::byte>>> assignments;
};

struct MemberRef {
  std::string member_id;
  std::optional<std::string> instance_id;
};

struct LeaveResult {
  ErrorCode error = ErrorCode::kNone;  // for the whole request
  std::vector<ErrorCode> members;      // one per MemberRef, in order
};

struct CommitPartition {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
};

struct CommitArgs {
  std::string group_id;
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> instance_id;
  std::vector<CommitPartition> partitions;
};

struct FetchedOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  ErrorCode error = ErrorCode::kNone;
};

struct FetchedOffsets {
  ErrorCode error = ErrorCode::kNone;
  std::vector<FetchedOffset> partitions;
};

struct TopicPartitions {
  std::string topic;
  std::vector<int32_t> partitions;
};

struct ListedGroup {
  std::string group_id;
  std::string protocol_type;
  GroupState state = GroupState::kEmpty;
};

struct DescribedMember {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  std::vector<std::byte> metadata;
  std::vector<std::byte> assignment;
};

struct DescribedGroup {
  ErrorCode error = ErrorCode::kNone;
  std::string group_id;
  GroupState state = GroupState::kDead;
  std::string protocol_type;
  std::string protocol;
  std::vector<DescribedMember> members;
};

struct OffsetDeleteResult {
  ErrorCode error = ErrorCode::kNone;
  std::vector<ErrorCode> partitions;  // one per requested partition, in request order
};

class GroupCoordinator final : public reactor::StopListener {
 public:
  GroupCoordinator(Broker& broker, GroupOptions options);
  ~GroupCoordinator();
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  const GroupOptions& options() const { return options_; }

  // Starts the expiry loop on this shard and listens for the shard's stop (parked joins and
  // syncs are answered then); stop() ends both.
  void start();
  Task<void> stop();

  Task<JoinResult> join(JoinArgs args);
  Task<SyncResult> sync(SyncArgs args);
  Task<ErrorCode> heartbeat(std::string group_id, int32_t generation, std::string member_id,
                            std::optional<std::string> instance_id);
  Task<LeaveResult> leave(std::string group_id, std::vector<MemberRef> members);
  Task<std::vector<ErrorCode>> commit(CommitArgs args);
  // `topics` nullopt: every committed offset of the group.
  Task<FetchedOffsets> fetch_offsets(std::string group_id,
                                     std::optional<std::vector<TopicPartitions>> topics);
  Task<std::vector<ListedGroup>> list();
  Task<DescribedGroup> describe(std::string group_id);
  Task<ErrorCode> delete_group(std::string group_id);
  Task<OffsetDeleteResult> delete_offsets(std::string group_id,
                                          std::vector<TopicPartitions> topics);

  // Groups in memory on this shard (for tests and the memory benchmark).
  size_t group_count() const { return groups_.size(); }

 private:
  void on_stop() override;

  int32_t offsets_partitions() const;
  // Loads the shard's __consumer_offsets partition `partition` (all of them for -1) once.
  Task<bool> ensure_loaded(int32_t partition);
  Task<bool> load_partition(int32_t partition);
  void apply_record(std::span<const std::byte> key, std::optional<std::span<const std::byte>> value,
                    int32_t partition);
  // Appends offset records (value nullopt: a tombstone) to the partition; false on failure.
  struct OffsetRecord {
    OffsetKey key;
    std::optional<OffsetValue> value;
  };
  Task<bool> append(int32_t partition, const std::vector<OffsetRecord>& records);

  Group* find(const std::string& group_id);
  Group& create(const std::string& group_id, int32_t partition);
  std::string new_member_id(const std::string& client_id);
  // After members left or expired: a stable group rebalances; an empty one settles.
  void after_departure(Group& group, Clock::time_point now);
  // Completes a pending join once everybody is in or the rebalance timeout has passed.
  void advance(Group& group, Clock::time_point now);
  Task<void> expiry_loop();
  Task<void> expire_offsets(Clock::time_point now);
  ErrorCode check_commit_membership(Group* group, const CommitArgs& args);

  Broker& broker_;
  GroupOptions options_;
  std::map<std::string, std::unique_ptr<Group>, std::less<>> groups_;
  std::set<int32_t> loaded_;
  std::set<int32_t> loading_;
  reactor::Event load_done_;
  std::mt19937_64 random_;
  reactor::CancelSource expiry_stop_;
  bool expiry_running_ = false;
  reactor::Event expiry_done_;
  bool stopping_ = false;
  reactor::Reactor* registered_ = nullptr;  // the reactor whose stop we listen for
};

}  // namespace ringlog::cluster::groups
