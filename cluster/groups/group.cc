#include "cluster/groups/group.h"

#include <algorithm>

#include "net/kafka/messages/consumer_protocol.h"
#include "net/kafka/reader.h"

namespace ringlog::cluster::groups {

std::string_view to_string(GroupState state) {
  switch (state) {
    case GroupState::kEmpty:
      return "Empty";
    case GroupState::kPreparingRebalance:
      return "PreparingRebalance";
    case GroupState::kCompletingRebalance:
      return "CompletingRebalance";
    case GroupState::kStable:
      return "Stable";
    case GroupState::kDead:
      return "Dead";
  }
  return "Unknown";
}

const Protocol* Member::protocol(std::string_view name) const {
  for (const Protocol& p : protocols) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

Member* Group::find_member(const std::string& member_id) {
  auto it = members_.find(member_id);
  return it == members_.end() ? nullptr : &it->second;
}

const std::string* Group::static_member(const std::string& instance_id) const {
  auto it = static_members_.find(instance_id);
  return it == static_members_.end() ? nullptr : &it->second;
}

ErrorCode Group::check_instance(const std::string& member_id,
                                const std::optional<std::string>& instance_id) const {
  if (!instance_id) return ErrorCode::kNone;
  const std::string* registered = static_member(*instance_id);
  if (registered != nullptr && *registered != member_id) return ErrorCode::kFencedInstanceId;
  return ErrorCode::kNone;
}

bool Group::accepts(const std::string& protocol_type,
                    const std::vector<Protocol>& protocols) const {
  if (protocol_type.empty() || protocols.empty()) return false;
  if (members_.empty()) return true;
  if (protocol_type != protocol_type_) return false;
  return std::any_of(protocols.begin(), protocols.end(), [&](const Protocol& p) {
    return std::all_of(members_.begin(), members_.end(),
                       [&](const auto& m) { return m.second.protocol(p.name) != nullptr; });
  });
}

Member& Group::add_member(Member member) {
  if (members_.empty()) protocol_type_ = member.protocol_type;
  if (member.instance_id) static_members_[*member.instance_id] = member.id;
  std::string id = member.id;
  auto [it, inserted] = members_.emplace(std::move(id), std::move(member));
  RL_ASSERT(inserted, "member ids are unique");
  return it->second;
}

void Group::remove_member(const std::string& member_id) {
  auto it = members_.find(member_id);
  if (it == members_.end()) return;
  Member& m = it->second;
  if (m.join) m.join->complete(JoinResult{.error = ErrorCode::kUnknownMemberId});
  if (m.sync) m.sync->complete(SyncResult{.error = ErrorCode::kUnknownMemberId});
  if (m.instance_id) {
    auto s = static_members_.find(*m.instance_id);
    if (s != static_members_.end() && s->second == member_id) static_members_.erase(s);
  }
  if (leader_ == member_id) leader_.clear();
  members_.erase(it);
}

Member& Group::replace_static_member(const std::string& old_id, const std::string& new_id) {
  auto node = members_.extract(old_id);
  RL_ASSERT(!node.empty(), "replacing a member that exists");
  Member& m = node.mapped();
  if (m.join) m.join->complete(JoinResult{.error = ErrorCode::kFencedInstanceId});
  if (m.sync) m.sync->complete(SyncResult{.error = ErrorCode::kFencedInstanceId});
  m.join.reset();
  m.sync.reset();
  m.id = new_id;
  node.key() = new_id;
  if (m.instance_id) static_members_[*m.instance_id] = new_id;
  if (leader_ == old_id) leader_ = new_id;
  auto result = members_.insert(std::move(node));
  return result.position->second;
}

void Group::prepare_rebalance(Clock::time_point now, Clock::duration initial_delay) {
  if (state_ == GroupState::kPreparingRebalance) return;
  if (state_ == GroupState::kCompletingRebalance) {
    for (auto& [id, m] : members_) {
      if (m.sync) m.sync->complete(SyncResult{.error = ErrorCode::kRebalanceInProgress});
      m.sync.reset();
    }
  }
  const bool was_empty = state_ == GroupState::kEmpty;
  state_ = GroupState::kPreparingRebalance;
  int32_t longest = 0;
  for (const auto& [id, m] : members_) longest = std::max(longest, m.rebalance_timeout_ms);
  rebalance_deadline_ = now + std::chrono::milliseconds(longest);
  initial_delay_until_ = was_empty ? now + initial_delay : now;
}

bool Group::join_ready(Clock::time_point now) const {
  if (state_ != GroupState::kPreparingRebalance || !pending_.empty()) return false;
  if (now < initial_delay_until_) return false;
  return std::all_of(members_.begin(), members_.end(),
                     [](const auto& m) { return m.second.join != nullptr; });
}

std::optional<std::string> Group::select_protocol() const {
  if (members_.empty()) return std::nullopt;
  // Candidates: the protocols every member supports, in the first member's order. Each member
  // votes for its most preferred candidate; most votes wins, the earlier candidate on a tie.
  std::vector<std::string> candidates;
  for (const Protocol& p : members_.begin()->second.protocols) {
    const bool everyone = std::all_of(members_.begin(), members_.end(), [&](const auto& m) {
      return m.second.protocol(p.name) != nullptr;
    });
    if (everyone) candidates.push_back(p.name);
  }
  if (candidates.empty()) return std::nullopt;
  std::vector<int> votes(candidates.size(), 0);
  for (const auto& [id, m] : members_) {
    for (const Protocol& p : m.protocols) {
      auto c = std::find(candidates.begin(), candidates.end(), p.name);
      if (c != candidates.end()) {
        ++votes[static_cast<size_t>(c - candidates.begin())];
        break;
      }
    }
  }
  auto best = std::max_element(votes.begin(), votes.end());
  return candidates[static_cast<size_t>(best - votes.begin())];
}

std::vector<JoinedMember> Group::member_list() const {
  std::vector<JoinedMember> out;
  out.reserve(members_.size());
  for (const auto& [id, m] : members_) {
    const Protocol* p = protocol_ ? m.protocol(*protocol_) : nullptr;
    out.push_back(JoinedMember{.member_id = id,
                               .instance_id = m.instance_id,
                               .metadata = p != nullptr ? p->metadata : std::vector<std::byte>{}});
  }
  return out;
}

void Group::become_empty(Clock::time_point now) {
  state_ = GroupState::kEmpty;
  empty_since_ = now;
  leader_.clear();
  protocol_.reset();
}

void Group::complete_join(Clock::time_point now) {
  RL_ASSERT(state_ == GroupState::kPreparingRebalance);
  std::vector<std::string> late;
  for (const auto& [id, m] : members_) {
    if (!m.join) late.push_back(id);
  }
  for (const std::string& id : late) remove_member(id);
  pending_.clear();
  ++generation_;
  joined_at_ = now;
  if (members_.empty()) {
    become_empty(now);
    return;
  }
  protocol_ = select_protocol();
  if (leader_.empty() || !members_.contains(leader_)) leader_ = members_.begin()->first;
  state_ = GroupState::kCompletingRebalance;
  for (auto& [id, m] : members_) {
    m.assignment.clear();
    m.refresh_session(now);
    m.join->complete(current_join_result(id));
    m.join.reset();
  }
}

JoinResult Group::current_join_result(const std::string& member_id) const {
  JoinResult r;
  r.generation = generation_;
  r.protocol_type = protocol_type_;
  r.protocol_name = protocol_;
  r.leader = leader_;
  r.member_id = member_id;
  if (member_id == leader_) r.members = member_list();
  return r;
}

void Group::complete_sync(
    const std::vector<std::pair<std::string, std::vector<std::byte>>>& assignments,
    Clock::time_point now) {
  RL_ASSERT(state_ == GroupState::kCompletingRebalance);
  for (const auto& [id, bytes] : assignments) {
    if (Member* m = find_member(id)) m->assignment = bytes;
  }
  state_ = GroupState::kStable;
  for (auto& [id, m] : members_) {
    m.refresh_session(now);
    if (m.sync) m.sync->complete(sync_result(m));
    m.sync.reset();
  }
}

SyncResult Group::sync_result(const Member& member) const {
  return SyncResult{
      .protocol_type = protocol_type_, .protocol_name = protocol_, .assignment = member.assignment};
}

bool Group::expire_sessions(Clock::time_point now) {
  bool changed = false;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second <= now) {
      it = pending_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  std::vector<std::string> expired;
  for (const auto& [id, m] : members_) {
    if (!m.join && !m.sync && m.session_deadline <= now) expired.push_back(id);
  }
  for (const std::string& id : expired) remove_member(id);
  return changed || !expired.empty();
}

std::set<std::string> Group::subscribed_topics() const {
  std::set<std::string> topics;
  if (protocol_type_ != "consumer" || !protocol_) return topics;
  for (const auto& [id, m] : members_) {
    const Protocol* p = m.protocol(*protocol_);
    if (p == nullptr) continue;
    kafka::Reader reader(p->metadata);
    auto version = reader.read_int16();
    if (!version || *version < 0) continue;
    const int16_t v =
        std::min<int16_t>(*version, kafka::ConsumerProtocolSubscription::kHighestVersion);
    auto subscription = kafka::ConsumerProtocolSubscription::decode(reader, v);
    if (!subscription) continue;
    topics.insert(subscription->topics.begin(), subscription->topics.end());
  }
  return topics;
}

void Group::mark_dead() {
  for (auto& [id, m] : members_) {
    if (m.join) m.join->complete(JoinResult{.error = ErrorCode::kCoordinatorNotAvailable});
    if (m.sync) m.sync->complete(SyncResult{.error = ErrorCode::kCoordinatorNotAvailable});
  }
  members_.clear();
  static_members_.clear();
  pending_.clear();
  state_ = GroupState::kDead;
}

}  // namespace ringlog::cluster::groups
