#include "cluster/groups/group_coordinator.h"

#include <fmt/format.h>

#include <algorithm>

#include "cluster/broker.h"
#include "engine/reactor/timer.h"
#include "engine/storage/file_range.h"
#include "engine/storage/record_batch.h"

namespace ringlog::cluster::groups {

namespace {

// Whole batches of __consumer_offsets read per step while loading.
constexpr uint32_t kLoadReadBytes = 1 << 20;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool same_protocols(const std::vector<Protocol>& a, const std::vector<Protocol>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].metadata != b[i].metadata) return false;
  }
  return true;
}

std::string_view as_chars(const std::vector<std::byte>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

int32_t partition_for(std::string_view group_id, int32_t partitions) {
  int32_t hash = 0;
  for (char c : group_id) {
    hash = static_cast<int32_t>(31u * static_cast<uint32_t>(hash) + static_cast<unsigned char>(c));
  }
  const int32_t positive = hash == INT32_MIN ? 0 : (hash < 0 ? -hash : hash);
  return positive % partitions;
}

ErrorCode validate_group_id(std::string_view group_id) {
  if (group_id.empty() || group_id.size() > kGroupIdMaxBytes) return ErrorCode::kInvalidGroupId;
  return ErrorCode::kNone;
}

GroupCoordinator::GroupCoordinator(Broker& broker, GroupOptions options)
    : broker_(broker), options_(options), random_(std::random_device{}()) {}

GroupCoordinator::~GroupCoordinator() {
  RL_ASSERT(registered_ == nullptr, "stop() before destruction");
}

void GroupCoordinator::start() {
  registered_ = &reactor::Reactor::current();
  registered_->add_stop_listener(*this);
  expiry_running_ = true;
  registered_->spawn(expiry_loop());
}

Task<void> GroupCoordinator::stop() {
  expiry_stop_.cancel();
  while (expiry_running_) co_await expiry_done_.wait();
  if (registered_ != nullptr) {
    registered_->remove_stop_listener(*this);
    registered_ = nullptr;
  }
}

void GroupCoordinator::on_stop() {
  // Parked JoinGroup/SyncGroup requests wait for other members, which will not come now:
  // answer them so their connections (and the shard) can finish.
  stopping_ = true;
  for (auto& [id, group] : groups_) {
    for (const auto& [member_id, m] : group->members()) {
      if (m.join) m.join->complete(JoinResult{.error = ErrorCode::kCoordinatorNotAvailable});
      if (m.sync) m.sync->complete(SyncResult{.error = ErrorCode::kCoordinatorNotAvailable});
    }
  }
  expiry_stop_.cancel();
}

int32_t GroupCoordinator::offsets_partitions() const {
  const TopicMetadata* topic = broker_.topics().find(kOffsetsTopic);
  return topic != nullptr ? topic->partitions : options_.offsets_topic_partitions;
}

Group* GroupCoordinator::find(const std::string& group_id) {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.get();
}

Group& GroupCoordinator::create(const std::string& group_id, int32_t partition) {
  auto& slot = groups_[group_id];
  if (!slot) slot = std::make_unique<Group>(group_id, partition);
  return *slot;
}

std::string GroupCoordinator::new_member_id(const std::string& client_id) {
  // Kafka's shape: "<client id>-<uuid>".
  const uint64_t hi = random_();
  const uint64_t lo = random_();
  return fmt::format("{}-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", client_id, hi >> 32,
                     (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48, lo & 0xffffffffffffULL);
}

// ---- loading ----

Task<bool> GroupCoordinator::ensure_loaded(int32_t partition) {
  std::vector<int32_t> wanted;
  if (partition >= 0) {
    wanted.push_back(partition);
  } else {
    const int32_t n = offsets_partitions();
    for (int32_t p = 0; p < n; ++p) {
      if (broker_.owner(kOffsetsTopic, p) == broker_.shard()) wanted.push_back(p);
    }
  }
  bool ok = true;
  for (int32_t p : wanted) {
    while (loading_.contains(p)) co_await load_done_.wait();
    if (loaded_.contains(p)) continue;
    loading_.insert(p);
    const bool loaded = co_await load_partition(p);
    loading_.erase(p);
    load_done_.set();
    if (loaded) loaded_.insert(p);
    ok = ok && loaded;
  }
  co_return ok;
}

Task<bool> GroupCoordinator::load_partition(int32_t partition) {
  Partition* p = broker_.partitions().find(kOffsetsTopic, partition);
  if (p == nullptr) co_return broker_.topics().find(kOffsetsTopic) == nullptr;
  storage::Log& log = p->log();
  Offset next = log.log_start_offset();
  while (next < log.log_end_offset()) {
    auto read = co_await log.read({.start = next, .max_bytes = kLoadReadBytes});
    if (!read) {
      fmt::print(stderr, "ringlog: cannot load {}-{}: {}\n", kOffsetsTopic, partition,
                 storage::to_string(read.error()));
      co_return false;
    }
    if (read->ranges.empty()) break;
    auto bytes = co_await storage::read_file_ranges(&broker_.partitions().fs(), read->ranges);
    if (!bytes) {
      fmt::print(stderr, "ringlog: cannot read {}-{}\n", kOffsetsTopic, partition);
      co_return false;
    }
    const Offset before = next;
    for (storage::RecordBatchView batch : storage::split_batches(*bytes)) {
      auto info = batch.validate(storage::BatchSource::kLog);
      if (!info) break;
      if (batch.last_offset() < next) continue;  // the range began inside an earlier batch
      next = batch.last_offset() + 1;
      if (info->is_control || info->compression != storage::Compression::kNone) continue;
      storage::RecordReader reader(batch);
      storage::RecordView record;
      for (;;) {
        auto more = reader.next(record);
        if (!more || !*more) break;
        if (record.key) apply_record(*record.key, record.value, partition);
      }
    }
    if (next == before) break;  // no whole batch in what was read: stop rather than spin
  }
  co_return true;
}

void GroupCoordinator::apply_record(std::span<const std::byte> key_bytes,
                                    std::optional<std::span<const std::byte>> value,
                                    int32_t partition) {
  auto key = decode_offset_record_key(key_bytes);
  if (!key) return;  // not a record we know: skip it, as Kafka skips unknown versions
  if (key->kind == DecodedKey::Kind::kGroupMetadata) {
    // A group tombstone deletes the group (and with it, its offsets).
    if (!value) groups_.erase(key->group);
    return;
  }
  auto entry = std::make_pair(key->offset.topic, key->offset.partition);
  if (!value) {
    if (Group* g = find(key->group)) {
      g->offsets().erase(entry);
      if (g->empty() && g->offsets().empty()) groups_.erase(key->group);
    }
    return;
  }
  auto decoded = decode_offset_value(*value);
  if (!decoded) return;
  Group& g = create(key->group, partition);
  g.offsets()[entry] = CommittedOffset{.offset = decoded->offset,
                                       .leader_epoch = decoded->leader_epoch,
                                       .metadata = std::move(decoded->metadata),
                                       .commit_timestamp_ms = decoded->commit_timestamp_ms};
}

Task<bool> GroupCoordinator::append(int32_t partition, const std::vector<OffsetRecord>& records) {
  Partition* p = broker_.partitions().find(kOffsetsTopic, partition);
  if (p == nullptr) co_return false;
  // The builder keeps views: encode every key and value first.
  std::vector<std::vector<std::byte>> keys;
  std::vector<std::optional<std::vector<std::byte>>> values;
  keys.reserve(records.size());
  values.reserve(records.size());
  for (const OffsetRecord& r : records) {
    keys.push_back(encode_offset_key(r.key));
    values.push_back(r.value ? std::optional(encode_offset_value(*r.value)) : std::nullopt);
  }
  storage::RecordBatchBuilder builder;
  const TimestampMs now{now_ms()};
  for (size_t i = 0; i < records.size(); ++i) {
    storage::RecordFields fields{.timestamp = now, .key = as_chars(keys[i])};
    if (values[i]) fields.value = as_chars(*values[i]);
    builder.add(fields);
  }
  std::vector<std::byte> batch = builder.build();
  auto appended = co_await p->log().append(batch);
  if (!appended) {
    fmt::print(stderr, "ringlog: cannot write {}-{}: {}\n", kOffsetsTopic, partition,
               storage::to_string(appended.error()));
    co_return false;
  }
  co_await broker_.wake_waiters(*p);
  co_return true;
}

// ---- membership ----

void GroupCoordinator::after_departure(Group& group, Clock::time_point now) {
  if (group.state() == GroupState::kStable || group.state() == GroupState::kCompletingRebalance) {
    group.prepare_rebalance(now, Clock::duration::zero());
  }
  advance(group, now);
}

void GroupCoordinator::advance(Group& group, Clock::time_point now) {
  if (group.state() != GroupState::kPreparingRebalance) return;
  if (group.join_ready(now) || now >= group.rebalance_deadline()) group.complete_join(now);
}

Task<JoinResult> GroupCoordinator::join(JoinArgs a) {
  const int32_t partition = partition_for(a.group_id, offsets_partitions());
  const bool loaded = co_await ensure_loaded(partition);
  if (!loaded) co_return JoinResult{.error = ErrorCode::kCoordinatorNotAvailable};
  if (stopping_) co_return JoinResult{.error = ErrorCode::kCoordinatorNotAvailable};
  if (a.session_timeout_ms < options_.min_session_timeout_ms ||
      a.session_timeout_ms > options_.max_session_timeout_ms) {
    co_return JoinResult{.error = ErrorCode::kInvalidSessionTimeout};
  }
  if (a.rebalance_timeout_ms < 0) a.rebalance_timeout_ms = a.session_timeout_ms;  // v0
  Group* g = find(a.group_id);
  if (g == nullptr) {
    if (!a.member_id.empty()) co_return JoinResult{.error = ErrorCode::kUnknownMemberId};
    // Checked before the group exists, so refused joins leave nothing behind.
    if (a.protocol_type.empty() || a.protocols.empty()) {
      co_return JoinResult{.error = ErrorCode::kInconsistentGroupProtocol};
    }
    g = &create(a.group_id, partition);
  }
  if (g->state() == GroupState::kDead) {
    co_return JoinResult{.error = ErrorCode::kCoordinatorNotAvailable};
  }
  if (!g->accepts(a.protocol_type, a.protocols)) {
    co_return JoinResult{.error = ErrorCode::kInconsistentGroupProtocol};
  }
  const Clock::time_point now = Clock::now();
  auto fresh_member = [&](std::string id) {
    Member m;
    m.id = std::move(id);
    m.instance_id = a.instance_id;
    m.client_id = a.client_id;
    m.client_host = a.client_host;
    m.session_timeout_ms = a.session_timeout_ms;
    m.rebalance_timeout_ms = a.rebalance_timeout_ms;
    m.protocol_type = a.protocol_type;
    m.protocols = a.protocols;
    m.refresh_session(now);
    return m;
  };
  auto update = [&](Member& m) {
    m.client_id = a.client_id;
    m.client_host = a.client_host;
    m.session_timeout_ms = a.session_timeout_ms;
    m.rebalance_timeout_ms = a.rebalance_timeout_ms;
    m.protocols = a.protocols;
    m.refresh_session(now);
  };

  std::string member_id = a.member_id;
  if (member_id.empty()) {
    member_id = new_member_id(a.client_id);
    const std::string* old = a.instance_id ? g->static_member(*a.instance_id) : nullptr;
    if (old != nullptr) {
      // A static member restarted: it takes over its old place (and assignment).
      Member& m = g->replace_static_member(*old, member_id);
      const bool unchanged = same_protocols(m.protocols, a.protocols);
      update(m);
      if (g->state() == GroupState::kStable && unchanged) {
        co_return g->current_join_result(member_id);
      }
    } else if (!a.instance_id && a.version >= 4) {
      // KIP-394: the member learns its id first and joins with it.
      g->add_pending(member_id, now + std::chrono::milliseconds(a.session_timeout_ms));
      co_return JoinResult{.error = ErrorCode::kMemberIdRequired, .member_id = member_id};
    } else {
      g->add_member(fresh_member(member_id));
    }
  } else if (g->take_pending(member_id)) {
    g->add_member(fresh_member(member_id));
  } else {
    const ErrorCode fenced = g->check_instance(member_id, a.instance_id);
    if (fenced != ErrorCode::kNone) co_return JoinResult{.error = fenced};
    Member* m = g->find_member(member_id);
    if (m == nullptr) co_return JoinResult{.error = ErrorCode::kUnknownMemberId};
    const bool unchanged = same_protocols(m->protocols, a.protocols);
    update(*m);
    // A member that lost its JoinGroup answer asks again: nothing changed, so it gets the same.
    const bool settled = g->state() == GroupState::kCompletingRebalance ||
                         (g->state() == GroupState::kStable && member_id != g->leader());
    if (settled && unchanged) co_return g->current_join_result(member_id);
  }

  Member* m = g->find_member(member_id);
  RL_ASSERT(m != nullptr);
  if (m->join) m->join->complete(JoinResult{.error = ErrorCode::kRebalanceInProgress});
  auto slot = std::make_shared<Pending<JoinResult>>();
  m->join = slot;
  g->prepare_rebalance(now, options_.initial_rebalance_delay);
  advance(*g, now);
  while (!slot->result) co_await slot->parked.wait();
  co_return std::move(*slot->result);
}

Task<SyncResult> GroupCoordinator::sync(SyncArgs a) {
  const bool loaded = co_await ensure_loaded(partition_for(a.group_id, offsets_partitions()));
  if (!loaded || stopping_) co_return SyncResult{.error = ErrorCode::kCoordinatorNotAvailable};
  Group* g = find(a.group_id);
  if (g == nullptr) co_return SyncResult{.error = ErrorCode::kUnknownMemberId};
  if (g->state() == GroupState::kDead) {
    co_return SyncResult{.error = ErrorCode::kCoordinatorNotAvailable};
  }
  const ErrorCode fenced = g->check_instance(a.member_id, a.instance_id);
  if (fenced != ErrorCode::kNone) co_return SyncResult{.error = fenced};
  Member* m = g->find_member(a.member_id);
  if (m == nullptr) co_return SyncResult{.error = ErrorCode::kUnknownMemberId};
  if (a.generation != g->generation()) co_return SyncResult{.error = ErrorCode::kIllegalGeneration};
  if ((a.protocol_type && *a.protocol_type != g->protocol_type()) ||
      (a.protocol_name && *a.protocol_name != g->protocol())) {
    co_return SyncResult{.error = ErrorCode::kInconsistentGroupProtocol};
  }
  const Clock::time_point now = Clock::now();
  m->refresh_session(now);
  switch (g->state()) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      co_return SyncResult{.error = ErrorCode::kUnknownMemberId};
    case GroupState::kPreparingRebalance:
      co_return SyncResult{.error = ErrorCode::kRebalanceInProgress};
    case GroupState::kStable:
      co_return g->sync_result(*m);
    case GroupState::kCompletingRebalance:
      break;
  }
  if (m->sync) m->sync->complete(SyncResult{.error = ErrorCode::kRebalanceInProgress});
  auto slot = std::make_shared<Pending<SyncResult>>();
  m->sync = slot;
  if (a.member_id == g->leader()) {
    g->complete_sync(a.assignments, now);
    // The broker's share of a rebalance: from the JoinGroup that completed the join phase to
    // the SyncGroup answers (which include the leader's round trip to compute the assignment).
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - g->joined_at());
    fmt::print(stderr,
               "ringlog: group {} generation {} stable with {} members, {:.3f} ms from the last "
               "JoinGroup to the SyncGroup answers\n",
               g->id(), g->generation(), g->members().size(), micros.count() / 1000.0);
  }
  while (!slot->result) co_await slot->parked.wait();
  co_return std::move(*slot->result);
}

Task<ErrorCode> GroupCoordinator::heartbeat(std::string group_id, int32_t generation,
                                            std::string member_id,
                                            std::optional<std::string> instance_id) {
  const bool loaded = co_await ensure_loaded(partition_for(group_id, offsets_partitions()));
  if (!loaded) co_return ErrorCode::kCoordinatorNotAvailable;
  Group* g = find(group_id);
  if (g == nullptr) co_return ErrorCode::kUnknownMemberId;
  if (g->state() == GroupState::kDead) co_return ErrorCode::kCoordinatorNotAvailable;
  const ErrorCode fenced = g->check_instance(member_id, instance_id);
  if (fenced != ErrorCode::kNone) co_return fenced;
  Member* m = g->find_member(member_id);
  if (m == nullptr) co_return ErrorCode::kUnknownMemberId;
  if (generation != g->generation()) co_return ErrorCode::kIllegalGeneration;
  m->refresh_session(Clock::now());
  if (g->state() == GroupState::kPreparingRebalance) co_return ErrorCode::kRebalanceInProgress;
  co_return ErrorCode::kNone;
}

Task<LeaveResult> GroupCoordinator::leave(std::string group_id, std::vector<MemberRef> members) {
  const bool loaded = co_await ensure_loaded(partition_for(group_id, offsets_partitions()));
  LeaveResult result;
  if (!loaded) {
    result.error = ErrorCode::kCoordinatorNotAvailable;
    co_return result;
  }
  Group* g = find(group_id);
  if (g == nullptr || g->state() == GroupState::kDead) {
    result.error = ErrorCode::kUnknownMemberId;
    result.members.assign(members.size(), ErrorCode::kUnknownMemberId);
    co_return result;
  }
  bool any = false;
  for (const MemberRef& ref : members) {
    std::string id = ref.member_id;
    if (id.empty() && ref.instance_id) {
      const std::string* registered = g->static_member(*ref.instance_id);
      if (registered != nullptr) id = *registered;
    }
    const ErrorCode fenced = g->check_instance(id, ref.instance_id);
    if (fenced != ErrorCode::kNone) {
      result.members.push_back(fenced);
      continue;
    }
    if (g->take_pending(id)) {
      result.members.push_back(ErrorCode::kNone);
      any = true;
      continue;
    }
    if (g->find_member(id) == nullptr) {
      result.members.push_back(ErrorCode::kUnknownMemberId);
      continue;
    }
    g->remove_member(id);
    result.members.push_back(ErrorCode::kNone);
    any = true;
  }
  if (any) after_departure(*g, Clock::now());
  co_return result;
}

// ---- offsets ----

ErrorCode GroupCoordinator::check_commit_membership(Group* g, const CommitArgs& a) {
  if (g->state() == GroupState::kDead) return ErrorCode::kCoordinatorNotAvailable;
  // A commit outside group management (generation -1, no member) is for empty groups only.
  if (a.generation < 0 && a.member_id.empty() && g->empty()) return ErrorCode::kNone;
  const ErrorCode fenced = g->check_instance(a.member_id, a.instance_id);
  if (fenced != ErrorCode::kNone) return fenced;
  if (g->state() == GroupState::kCompletingRebalance) return ErrorCode::kRebalanceInProgress;
  Member* m = g->find_member(a.member_id);
  if (m == nullptr) return ErrorCode::kUnknownMemberId;
  if (a.generation != g->generation()) return ErrorCode::kIllegalGeneration;
  m->refresh_session(Clock::now());
  return ErrorCode::kNone;
}

Task<std::vector<ErrorCode>> GroupCoordinator::commit(CommitArgs a) {
  const int32_t partition = partition_for(a.group_id, offsets_partitions());
  const bool loaded = co_await ensure_loaded(partition);
  std::vector<ErrorCode> errors(a.partitions.size(), ErrorCode::kNone);
  if (!loaded) {
    std::fill(errors.begin(), errors.end(), ErrorCode::kCoordinatorNotAvailable);
    co_return errors;
  }
  Group* g = find(a.group_id);
  ErrorCode group_error = ErrorCode::kNone;
  if (g == nullptr) {
    if (a.generation < 0) {
      g = &create(a.group_id, partition);
    } else {
      group_error = ErrorCode::kIllegalGeneration;
    }
  } else {
    group_error = check_commit_membership(g, a);
  }
  if (group_error != ErrorCode::kNone) {
    std::fill(errors.begin(), errors.end(), group_error);
    co_return errors;
  }
  const int64_t timestamp = now_ms();
  std::vector<OffsetRecord> records;
  std::vector<size_t> written;  // indexes into a.partitions
  for (size_t i = 0; i < a.partitions.size(); ++i) {
    const CommitPartition& p = a.partitions[i];
    const TopicMetadata* topic = broker_.topics().find(p.topic);
    if (topic == nullptr || p.partition < 0 || p.partition >= topic->partitions) {
      errors[i] = ErrorCode::kUnknownTopicOrPartition;
      continue;
    }
    if (p.metadata &&
        p.metadata->size() > static_cast<size_t>(options_.offset_metadata_max_bytes)) {
      errors[i] = ErrorCode::kOffsetMetadataTooLarge;
      continue;
    }
    records.push_back(
        OffsetRecord{.key = {.group = a.group_id, .topic = p.topic, .partition = p.partition},
                     .value = OffsetValue{.offset = p.offset,
                                          .leader_epoch = p.leader_epoch,
                                          .metadata = p.metadata.value_or(""),
                                          .commit_timestamp_ms = timestamp}});
    written.push_back(i);
  }
  if (records.empty()) co_return errors;
  const bool appended = co_await append(partition, records);
  if (!appended) {
    for (size_t i : written) errors[i] = ErrorCode::kCoordinatorNotAvailable;
    co_return errors;
  }
  // The group may have been deleted while the records were written.
  g = find(a.group_id);
  if (g == nullptr || g->state() == GroupState::kDead) co_return errors;
  for (const OffsetRecord& r : records) {
    g->offsets()[{r.key.topic, r.key.partition}] =
        CommittedOffset{.offset = r.value->offset,
                        .leader_epoch = r.value->leader_epoch,
                        .metadata = r.value->metadata,
                        .commit_timestamp_ms = r.value->commit_timestamp_ms};
  }
  co_return errors;
}

Task<FetchedOffsets> GroupCoordinator::fetch_offsets(
    std::string group_id, std::optional<std::vector<TopicPartitions>> topics) {
  FetchedOffsets out;
  const bool loaded = co_await ensure_loaded(partition_for(group_id, offsets_partitions()));
  if (!loaded) {
    out.error = ErrorCode::kCoordinatorLoadInProgress;
    co_return out;
  }
  Group* g = find(group_id);
  if (!topics) {
    if (g == nullptr) co_return out;
    for (const auto& [key, c] : g->offsets()) {
      out.partitions.push_back(FetchedOffset{.topic = key.first,
                                             .partition = key.second,
                                             .offset = c.offset,
                                             .leader_epoch = c.leader_epoch,
                                             .metadata = c.metadata});
    }
    co_return out;
  }
  for (const TopicPartitions& t : *topics) {
    for (int32_t p : t.partitions) {
      FetchedOffset f{.topic = t.topic, .partition = p};
      if (g != nullptr) {
        auto it = g->offsets().find({t.topic, p});
        if (it != g->offsets().end()) {
          f.offset = it->second.offset;
          f.leader_epoch = it->second.leader_epoch;
          f.metadata = it->second.metadata;
        }
      }
      out.partitions.push_back(std::move(f));
    }
  }
  co_return out;
}

Task<std::vector<ListedGroup>> GroupCoordinator::list() {
  co_await ensure_loaded(-1);
  std::vector<ListedGroup> out;
  for (const auto& [id, g] : groups_) {
    if (g->state() == GroupState::kDead) continue;
    out.push_back(
        ListedGroup{.group_id = id, .protocol_type = g->protocol_type(), .state = g->state()});
  }
  co_return out;
}

Task<DescribedGroup> GroupCoordinator::describe(std::string group_id) {
  DescribedGroup out{.group_id = group_id};
  const bool loaded = co_await ensure_loaded(partition_for(group_id, offsets_partitions()));
  if (!loaded) {
    out.error = ErrorCode::kCoordinatorLoadInProgress;
    co_return out;
  }
  Group* g = find(group_id);
  if (g == nullptr) co_return out;  // Dead, no error: Kafka's answer for an unknown group
  out.state = g->state();
  out.protocol_type = g->protocol_type();
  out.protocol = g->protocol().value_or("");
  for (const auto& [id, m] : g->members()) {
    DescribedMember d{.member_id = id,
                      .instance_id = m.instance_id,
                      .client_id = m.client_id,
                      .client_host = m.client_host};
    if (g->protocol()) {
      if (const Protocol* p = m.protocol(*g->protocol())) d.metadata = p->metadata;
    }
    if (g->state() == GroupState::kStable) d.assignment = m.assignment;
    out.members.push_back(std::move(d));
  }
  co_return out;
}

Task<ErrorCode> GroupCoordinator::delete_group(std::string group_id) {
  const bool loaded = co_await ensure_loaded(partition_for(group_id, offsets_partitions()));
  if (!loaded) co_return ErrorCode::kCoordinatorLoadInProgress;
  Group* g = find(group_id);
  if (g == nullptr || g->state() == GroupState::kDead) co_return ErrorCode::kGroupIdNotFound;
  if (!g->empty() || g->has_pending()) co_return ErrorCode::kNonEmptyGroup;
  std::vector<OffsetRecord> tombstones;
  for (const auto& [key, c] : g->offsets()) {
    tombstones.push_back(
        OffsetRecord{.key = {.group = group_id, .topic = key.first, .partition = key.second}});
  }
  const int32_t partition = g->offsets_partition();
  // Dead while the tombstones are written: joins meanwhile retry (COORDINATOR_NOT_AVAILABLE).
  g->mark_dead();
  if (!tombstones.empty()) {
    const bool appended = co_await append(partition, tombstones);
    if (!appended) {
      // Nothing durable changed; the group is gone from memory only until the next load.
      groups_.erase(group_id);
      co_return ErrorCode::kCoordinatorNotAvailable;
    }
  }
  groups_.erase(group_id);
  co_return ErrorCode::kNone;
}

Task<OffsetDeleteResult> GroupCoordinator::delete_offsets(std::string group_id,
                                                          std::vector<TopicPartitions> topics) {
  OffsetDeleteResult out;
  const bool loaded = co_await ensure_loaded(partition_for(group_id, offsets_partitions()));
  if (!loaded) {
    out.error = ErrorCode::kCoordinatorLoadInProgress;
    co_return out;
  }
  Group* g = find(group_id);
  if (g == nullptr || g->state() == GroupState::kDead) {
    out.error = ErrorCode::kGroupIdNotFound;
    co_return out;
  }
  const std::set<std::string> subscribed =
      g->state() == GroupState::kEmpty ? std::set<std::string>{} : g->subscribed_topics();
  std::vector<OffsetRecord> tombstones;
  for (const TopicPartitions& t : topics) {
    for (int32_t p : t.partitions) {
      const TopicMetadata* topic = broker_.topics().find(t.topic);
      if (topic == nullptr || p < 0 || p >= topic->partitions) {
        out.partitions.push_back(ErrorCode::kUnknownTopicOrPartition);
      } else if (subscribed.contains(t.topic)) {
        out.partitions.push_back(ErrorCode::kGroupSubscribedToTopic);
      } else {
        out.partitions.push_back(ErrorCode::kNone);
        if (g->offsets().contains({t.topic, p})) {
          tombstones.push_back(
              OffsetRecord{.key = {.group = group_id, .topic = t.topic, .partition = p}});
        }
      }
    }
  }
  if (tombstones.empty()) co_return out;
  const int32_t partition = g->offsets_partition();
  const bool appended = co_await append(partition, tombstones);
  if (!appended) {
    out.error = ErrorCode::kCoordinatorNotAvailable;
    co_return out;
  }
  g = find(group_id);
  if (g != nullptr) {
    for (const OffsetRecord& r : tombstones) g->offsets().erase({r.key.topic, r.key.partition});
  }
  co_return out;
}

// ---- timers ----

Task<void> GroupCoordinator::expiry_loop() {
  reactor::PeriodicTimer timer(options_.expiry_check);
  Clock::time_point next_retention = Clock::now() + options_.offsets_retention_check;
  for (;;) {
    const bool ticked = co_await timer.tick(&expiry_stop_);
    if (!ticked) break;
    const Clock::time_point now = Clock::now();
    for (auto& [id, group] : groups_) {
      if (group->state() == GroupState::kDead) continue;
      if (group->expire_sessions(now)) {
        after_departure(*group, now);
      } else {
        advance(*group, now);
      }
    }
    if (now >= next_retention) {
      next_retention = now + options_.offsets_retention_check;
      co_await expire_offsets(now);
    }
  }
  expiry_running_ = false;
  expiry_done_.set();
}

Task<void> GroupCoordinator::expire_offsets(Clock::time_point now) {
  const int64_t now_wall = now_ms();
  const int64_t retention_ms = options_.offsets_retention.count();
  std::map<int32_t, std::vector<OffsetRecord>> tombstones;  // by __consumer_offsets partition
  std::vector<std::string> emptied;
  for (auto& [id, g] : groups_) {
    if (g->state() != GroupState::kEmpty) continue;
    // Offsets of an empty group expire `retention` after the later of their commit and the
    // moment the group became empty.
    const int64_t empty_ms =
        now_wall -
        std::chrono::duration_cast<std::chrono::milliseconds>(now - g->empty_since()).count();
    for (const auto& [key, c] : g->offsets()) {
      if (std::max(c.commit_timestamp_ms, empty_ms) + retention_ms <= now_wall) {
        tombstones[g->offsets_partition()].push_back(
            OffsetRecord{.key = {.group = id, .topic = key.first, .partition = key.second}});
      }
    }
  }
  for (auto& [partition, records] : tombstones) {
    const bool appended = co_await append(partition, records);
    if (!appended) continue;
    for (const OffsetRecord& r : records) {
      Group* g = find(r.key.group);
      if (g == nullptr) continue;
      g->offsets().erase({r.key.topic, r.key.partition});
      if (g->empty() && g->offsets().empty() && g->state() == GroupState::kEmpty) {
        emptied.push_back(r.key.group);
      }
    }
  }
  // As Kafka's cleanup does, an empty group with nothing committed is forgotten (one made by a
  // MEMBER_ID_REQUIRED round that never came back, or a commit of unknown partitions): hostile
  // or mistaken requests cannot make groups pile up.
  for (const auto& [id, g] : groups_) {
    if (g->state() == GroupState::kEmpty && g->empty() && !g->has_pending() &&
        g->offsets().empty()) {
      emptied.push_back(id);
    }
  }
  for (const std::string& id : emptied) groups_.erase(id);
}

}  // namespace ringlog::cluster::groups
