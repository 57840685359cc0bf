#pragma once
// Group: one consumer group's membership and committed offsets, and the classic group
// protocol's state machine over them (Empty → PreparingRebalance → CompletingRebalance →
// Stable, Dead once deleted). No I/O and no clock of its own: the coordinator
// (group_coordinator.h) feeds it requests and the time, persists offsets, and runs the timers.
//
// JoinGroup and SyncGroup requests wait for the rest of the group: each waits on a Pending slot
// the group fills when the rebalance step completes (or the member is removed).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/reactor/reactor.h"
#include "engine/storage/parked.h"
#include "net/kafka/error_code.h"

namespace ringlog::cluster::groups {

using Clock = reactor::Clock;
using kafka::ErrorCode;

enum class GroupState : uint8_t {
  kEmpty,
  kPreparingRebalance,
  kCompletingRebalance,
  kStable,
  kDead,
};

// Kafka's names ("Empty", "PreparingRebalance", ...), as DescribeGroups and ListGroups show them.
std::string_view to_string(GroupState state);

// A request parked on the coordinator shard until the group answers it.
template <typename T>
struct Pending {
  std::optional<T> result;
  storage::Parked parked;

  void complete(T value) {
    if (result) return;  // answered already (e.g. fenced, then the rebalance completed)
    result = std::move(value);
    parked.wake();
  }
};

struct Protocol {
  std::string name;
  std::vector<std::byte> metadata;
};

struct JoinedMember {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::vector<std::byte> metadata;
};

struct JoinResult {
  ErrorCode error = ErrorCode::kNone;
  int32_t generation = -1;
  std::string protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<JoinedMember> members;  // the leader's answer only
};

struct SyncResult {
  ErrorCode error = ErrorCode::kNone;
  std::string protocol_type;
  std::optional<std::string> protocol_name;
  std::vector<std::byte> assignment;
};

struct Member {
  std::string id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<Protocol> protocols;
  std::vector<std::byte> assignment;
  Clock::time_point session_deadline;
  std::shared_ptr<Pending<JoinResult>> join;  // set while its JoinGroup waits
  std::shared_ptr<Pending<SyncResult>> sync;  // set while its SyncGroup waits

  const Protocol* protocol(std::string_view name) const;
  void refresh_session(Clock::time_point now) {
    session_deadline = now + std::chrono::milliseconds(session_timeout_ms);
  }
};

struct CommittedOffset {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_timestamp_ms = -1;
};

class Group {
 public:
  Group(std::string id, int32_t offsets_partition)
      : id_(std::move(id)), offsets_partition_(offsets_partition) {}

  const std::string& id() const { return id_; }
  int32_t offsets_partition() const { return offsets_partition_; }
  GroupState state() const { return state_; }
  int32_t generation() const { return generation_; }
  const std::string& protocol_type() const { return protocol_type_; }
  const std::optional<std::string>& protocol() const { return protocol_; }
  const std::string& leader() const { return leader_; }
  const std::map<std::string, Member>& members() const { return members_; }
  bool empty() const { return members_.empty(); }

  Member* find_member(const std::string& member_id);
  // The member id registered for a static instance id, or nullptr.
  const std::string* static_member(const std::string& instance_id) const;
  // FENCED_INSTANCE_ID if `instance_id` belongs to a member other than `member_id`.
  ErrorCode check_instance(const std::string& member_id,
                           const std::optional<std::string>& instance_id) const;

  // True if a member offering these protocols may join: same protocol type as the group, and
  // at least one protocol every current member supports too.
  bool accepts(const std::string& protocol_type, const std::vector<Protocol>& protocols) const;

  // --- membership ---
  Member& add_member(Member member);
  // Removes a member, answering its parked requests with UNKNOWN_MEMBER_ID.
  void remove_member(const std::string& member_id);
  // A static member rejoining under a new id: the member keeps its assignment; requests parked
  // under the old id are answered FENCED_INSTANCE_ID.
  Member& replace_static_member(const std::string& old_id, const std::string& new_id);

  // Member ids handed out with MEMBER_ID_REQUIRED and not yet used to join.
  void add_pending(std::string member_id, Clock::time_point deadline) {
    pending_[std::move(member_id)] = deadline;
  }
  bool take_pending(const std::string& member_id) { return pending_.erase(member_id) > 0; }
  bool has_pending() const { return !pending_.empty(); }

  // --- the rebalance ---
  // Starts (or keeps) a rebalance: parked syncs answer REBALANCE_IN_PROGRESS, members must
  // rejoin before `rebalance_deadline()` (the members' longest rebalance timeout). A group that
  // was empty also waits `initial_delay` for more members (group.initial.rebalance.delay.ms).
  void prepare_rebalance(Clock::time_point now, Clock::duration initial_delay);
  Clock::time_point rebalance_deadline() const { return rebalance_deadline_; }
  // True once every member (and every pending member id) has rejoined and any initial delay
  // has passed: the join can complete now.
  bool join_ready(Clock::time_point now) const;
  // Ends the join phase: members that did not rejoin are removed; the rest get the new
  // generation (the leader the member list too) and the group waits for the leader's
  // SyncGroup. A group left without members becomes Empty.
  void complete_join(Clock::time_point now);
  // When the last join completed (for the rebalance log line: join → sync time).
  Clock::time_point joined_at() const { return joined_at_; }
  // The answer a member that is already in the current generation gets to a JoinGroup that
  // changes nothing.
  JoinResult current_join_result(const std::string& member_id) const;
  // The leader's SyncGroup: stores the assignments, makes the group Stable and answers every
  // parked SyncGroup.
  void complete_sync(const std::vector<std::pair<std::string, std::vector<std::byte>>>& assignments,
                     Clock::time_point now);
  SyncResult sync_result(const Member& member) const;

  // Removes members whose session expired (members with a parked JoinGroup or SyncGroup are
  // alive) and pending member ids past their deadline. Returns true if a member was removed.
  bool expire_sessions(Clock::time_point now);

  // The topics the members subscribe to, for the consumer protocol (OffsetDelete refuses to
  // delete offsets of a subscribed topic).
  std::set<std::string> subscribed_topics() const;

  // Marks the group Dead (deleted); parked requests answer COORDINATOR_NOT_AVAILABLE.
  void mark_dead();

  // --- committed offsets ---
  std::map<std::pair<std::string, int32_t>, CommittedOffset>& offsets() { return offsets_; }
  const std::map<std::pair<std::string, int32_t>, CommittedOffset>& offsets() const {
    return offsets_;
  }
  // When the group last became Empty (offsets of empty groups expire from then on).
  Clock::time_point empty_since() const { return empty_since_; }

 private:
  std::optional<std::string> select_protocol() const;
  std::vector<JoinedMember> member_list() const;
  void become_empty(Clock::time_point now);

  std::string id_;
  int32_t offsets_partition_;
  GroupState state_ = GroupState::kEmpty;
  int32_t generation_ = 0;
  std::string protocol_type_;
  std::optional<std::string> protocol_;
  std::string leader_;
  std::map<std::string, Member> members_;
  std::map<std::string, std::string> static_members_;  // instance id → member id
  std::map<std::string, Clock::time_point> pending_;   // member id → join deadline
  Clock::time_point rebalance_deadline_{};
  Clock::time_point initial_delay_until_{};
  Clock::time_point joined_at_{};
  Clock::time_point empty_since_ = Clock::now();
  std::map<std::pair<std::string, int32_t>, CommittedOffset> offsets_;
};

}  // namespace ringlog::cluster::groups
