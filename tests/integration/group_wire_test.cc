// Proves the group coordinator's protocol on the real broker process, request by request, with
// our generated message types over plain sockets: the join/sync/heartbeat cycle with
// MEMBER_ID_REQUIRED, a rebalance when a second member joins, static membership fencing,
// commits and fetches, and that bad input (unknown member, stale generation, a partition that
// does not exist, an empty or 10 KiB group id) gets the protocol's error without disturbing
// the group.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "net/kafka/error_code.h"
#include "tests/integration/broker_process.h"
#include "tests/integration/wire_client.h"

namespace ringlog::testing {
namespace {

using kafka::ErrorCode;
using namespace std::chrono_literals;

int16_t code(ErrorCode e) { return static_cast<int16_t>(e); }

BrokerOptions group_broker(std::vector<std::string> extra = {}) {
  BrokerOptions o{
      .args = {"--group.initial.rebalance.delay.ms", "0", "--group.min.session.timeout.ms", "500"}};
  o.args.insert(o.args.end(), extra.begin(), extra.end());
  return o;
}

std::vector<std::byte> bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()),
          reinterpret_cast<const std::byte*>(s.data()) + s.size()};
}

// The consumer protocol's subscription (version 0), as a member's "range" protocol metadata.
std::vector<std::byte> subscription(const std::vector<std::string>& topics) {
  kafka::Writer w;
  w.write_int16(0);
  kafka::ConsumerProtocolSubscription s;
  s.topics = topics;
  s.encode(w, 0);
  return std::move(w).take();
}

struct JoinParams {
  std::string group;
  std::string member_id;
  std::optional<std::string> instance_id;
  std::vector<std::string> topics = {"orders"};
  int32_t session_ms = 10'000;
  std::string protocol_type = "consumer";
  int16_t version = 5;
};

std::optional<kafka::JoinGroupResponse> join(WireClient& c, const JoinParams& p) {
  kafka::JoinGroupRequest request;
  request.group_id = p.group;
  request.session_timeout_ms = p.session_ms;
  request.rebalance_timeout_ms = 10'000;
  request.member_id = p.member_id;
  request.group_instance_id = p.instance_id;
  request.protocol_type = p.protocol_type;
  request.protocols.push_back({.name = "range", .metadata = subscription(p.topics)});
  return c.call<kafka::JoinGroupResponse>(request, p.version);
}

// Joins as a new dynamic member (answering MEMBER_ID_REQUIRED); the response of the real join.
std::optional<kafka::JoinGroupResponse> join_new(WireClient& c, JoinParams p) {
  auto first = join(c, p);
  if (!first) return first;
  EXPECT_EQ(first->error_code, code(ErrorCode::kMemberIdRequired));
  EXPECT_FALSE(first->member_id.empty());
  p.member_id = first->member_id;
  return join(c, p);
}

std::optional<kafka::SyncGroupResponse> sync(
    WireClient& c, const std::string& group, int32_t generation, const std::string& member,
    std::vector<std::pair<std::string, std::string>> assignments = {},
    std::optional<std::string> instance_id = std::nullopt) {
  kafka::SyncGroupRequest request;
  request.group_id = group;
  request.generation_id = generation;
  request.member_id = member;
  request.group_instance_id = instance_id;
  for (auto& [m, a] : assignments)
    request.assignments.push_back({.member_id = m, .assignment = bytes(a)});
  return c.call<kafka::SyncGroupResponse>(request, 3);
}

int16_t heartbeat(WireClient& c, const std::string& group, int32_t generation,
                  const std::string& member,
                  std::optional<std::string> instance_id = std::nullopt) {
  kafka::HeartbeatRequest request;
  request.group_id = group;
  request.generation_id = generation;
  request.member_id = member;
  request.group_instance_id = instance_id;
  auto response = c.call<kafka::HeartbeatResponse>(request, 3);
  return response ? response->error_code : int16_t{-999};
}

struct Commit {
  std::string topic;
  int32_t partition;
  int64_t offset;
};

// Error per committed partition, in order.
std::vector<int16_t> commit(WireClient& c, const std::string& group, int32_t generation,
                            const std::string& member, const std::vector<Commit>& commits) {
  kafka::OffsetCommitRequest request;
  request.group_id = group;
  request.generation_id_or_member_epoch = generation;
  request.member_id = member;
  for (const Commit& x : commits) {
    kafka::OffsetCommitRequest::OffsetCommitRequestTopic t{.name = x.topic};
    t.partitions.push_back({.partition_index = x.partition,
                            .committed_offset = x.offset,
                            .committed_metadata = "meta-" + std::to_string(x.offset)});
    request.topics.push_back(std::move(t));
  }
  std::vector<int16_t> out;
  auto response = c.call<kafka::OffsetCommitResponse>(request, 8);
  if (!response) return out;
  for (const auto& t : response->topics) {
    for (const auto& p : t.partitions) out.push_back(p.error_code);
  }
  return out;
}

// The committed offset of one partition (-1: none).
int64_t committed(WireClient& c, const std::string& group, const std::string& topic,
                  int32_t partition) {
  kafka::OffsetFetchRequest request;
  request.group_id = group;
  request.topics.emplace();
  request.topics->push_back({.name = topic, .partition_indexes = {partition}});
  auto response = c.call<kafka::OffsetFetchResponse>(request, 7);
  if (!response || response->topics.size() != 1 || response->topics[0].partitions.size() != 1) {
    ADD_FAILURE() << "OffsetFetch answered nothing for " << topic << "-" << partition;
    return -2;
  }
  EXPECT_EQ(response->error_code, 0);
  return response->topics[0].partitions[0].committed_offset;
}

std::optional<kafka::DescribeGroupsResponse::DescribedGroup> describe(WireClient& c,
                                                                      const std::string& group) {
  kafka::DescribeGroupsRequest request;
  request.groups = {group};
  auto response = c.call<kafka::DescribeGroupsResponse>(request, 5);
  if (!response || response->groups.size() != 1) return std::nullopt;
  return response->groups[0];
}

// A one-member group in Stable state with assignment "A", and its member id.
struct StableGroup {
  std::string member;
  int32_t generation = -1;
};
StableGroup make_stable(WireClient& c, const std::string& group) {
  auto joined = join_new(c, {.group = group});
  EXPECT_TRUE(joined);
  if (!joined) return {};
  EXPECT_EQ(joined->error_code, 0);
  EXPECT_EQ(joined->leader, joined->member_id);
  auto synced =
      sync(c, group, joined->generation_id, joined->member_id, {{joined->member_id, "A"}});
  EXPECT_TRUE(synced && synced->error_code == 0);
  return {joined->member_id, joined->generation_id};
}

TEST(GroupWireTest, JoinSyncHeartbeatCommitAndFetch) {
  BrokerProcess broker(group_broker());
  broker.start();
  WireClient c(broker.port());
  create_topic(c, "orders", 2);

  kafka::FindCoordinatorRequest find;
  find.key = "g1";
  auto coordinator = c.call<kafka::FindCoordinatorResponse>(find, 2);
  ASSERT_TRUE(coordinator);
  EXPECT_EQ(coordinator->error_code, 0);
  EXPECT_EQ(coordinator->port, broker.port());

  auto first = join(c, {.group = "g1"});
  ASSERT_TRUE(first);
  ASSERT_EQ(first->error_code, code(ErrorCode::kMemberIdRequired));
  auto joined = join(c, {.group = "g1", .member_id = first->member_id});
  ASSERT_TRUE(joined);
  ASSERT_EQ(joined->error_code, 0);
  EXPECT_EQ(joined->generation_id, 1);
  EXPECT_EQ(joined->leader, first->member_id);
  EXPECT_EQ(joined->protocol_name, "range");
  ASSERT_EQ(joined->members.size(), 1u);
  EXPECT_EQ(joined->members[0].metadata, subscription({"orders"}));

  auto synced = sync(c, "g1", 1, joined->member_id, {{joined->member_id, "assignment-1"}});
  ASSERT_TRUE(synced);
  EXPECT_EQ(synced->error_code, 0);
  EXPECT_EQ(synced->assignment, bytes("assignment-1"));
  EXPECT_EQ(heartbeat(c, "g1", 1, joined->member_id), 0);

  EXPECT_EQ(commit(c, "g1", 1, joined->member_id, {{"orders", 0, 42}, {"orders", 1, 7}}),
            (std::vector<int16_t>{0, 0}));
  EXPECT_EQ(committed(c, "g1", "orders", 0), 42);
  EXPECT_EQ(committed(c, "g1", "orders", 1), 7);
  EXPECT_EQ(committed(c, "other-group", "orders", 0), -1);

  auto described = describe(c, "g1");
  ASSERT_TRUE(described);
  EXPECT_EQ(described->group_state, "Stable");
  EXPECT_EQ(described->protocol_type, "consumer");
  EXPECT_EQ(described->protocol_data, "range");
  ASSERT_EQ(described->members.size(), 1u);
  EXPECT_EQ(described->members[0].client_id, "wire-test");
  EXPECT_EQ(described->members[0].client_host, "/127.0.0.1");
  EXPECT_EQ(described->members[0].member_assignment, bytes("assignment-1"));

  kafka::ListGroupsRequest list;
  list.states_filter = {"stable"};
  auto listed = c.call<kafka::ListGroupsResponse>(list, 4);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->groups.size(), 1u);
  EXPECT_EQ(listed->groups[0].group_id, "g1");
  EXPECT_EQ(listed->groups[0].group_state, "Stable");

  // OffsetFetch v8: several groups in one request.
  kafka::OffsetFetchRequest multi;
  multi.groups.push_back({.group_id = "g1", .topics = std::nullopt});
  multi.groups.push_back({.group_id = "nobody", .topics = std::nullopt});
  auto fetched = c.call<kafka::OffsetFetchResponse>(multi, 8);
  ASSERT_TRUE(fetched);
  ASSERT_EQ(fetched->groups.size(), 2u);
  ASSERT_EQ(fetched->groups[0].topics.size(), 1u);
  EXPECT_EQ(fetched->groups[0].topics[0].partitions.size(), 2u);
  EXPECT_TRUE(fetched->groups[1].topics.empty());
}

TEST(GroupWireTest, BadInputGetsTheProtocolsErrorAndLeavesTheGroupAlone) {
  BrokerProcess broker(group_broker());
  broker.start();
  WireClient c(broker.port());
  create_topic(c, "orders", 2);
  const StableGroup g = make_stable(c, "steady");
  ASSERT_FALSE(g.member.empty());

  EXPECT_EQ(heartbeat(c, "steady", g.generation, "no-such-member"),
            code(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(heartbeat(c, "steady", g.generation + 5, g.member),
            code(ErrorCode::kIllegalGeneration));
  EXPECT_EQ(heartbeat(c, "no-such-group", 1, g.member), code(ErrorCode::kUnknownMemberId));
  auto stale_sync = sync(c, "steady", g.generation - 1, g.member);
  ASSERT_TRUE(stale_sync);
  EXPECT_EQ(stale_sync->error_code, code(ErrorCode::kIllegalGeneration));
  EXPECT_EQ(commit(c, "steady", g.generation, "no-such-member", {{"orders", 0, 1}}),
            (std::vector<int16_t>{code(ErrorCode::kUnknownMemberId)}));
  EXPECT_EQ(commit(c, "steady", g.generation + 1, g.member, {{"orders", 0, 1}}),
            (std::vector<int16_t>{code(ErrorCode::kIllegalGeneration)}));
  // A partition that does not exist fails alone; the good one in the same request is stored.
  EXPECT_EQ(commit(c, "steady", g.generation, g.member,
                   {{"orders", 9, 1}, {"no-such-topic", 0, 1}, {"orders", 1, 11}}),
            (std::vector<int16_t>{code(ErrorCode::kUnknownTopicOrPartition),
                                  code(ErrorCode::kUnknownTopicOrPartition), 0}));
  EXPECT_EQ(committed(c, "steady", "orders", 1), 11);

  // Empty and 10 KiB group ids.
  for (const std::string& bad : {std::string(), std::string(10 * 1024, 'g')}) {
    SCOPED_TRACE("group id of " + std::to_string(bad.size()) + " bytes");
    auto joined = join(c, {.group = bad});
    ASSERT_TRUE(joined);
    EXPECT_EQ(joined->error_code, code(ErrorCode::kInvalidGroupId));
    EXPECT_EQ(heartbeat(c, bad, 1, g.member), code(ErrorCode::kInvalidGroupId));
    EXPECT_EQ(commit(c, bad, -1, "", {{"orders", 0, 1}}),
              (std::vector<int16_t>{code(ErrorCode::kInvalidGroupId)}));
    kafka::FindCoordinatorRequest find;
    find.key = bad;
    auto coordinator = c.call<kafka::FindCoordinatorResponse>(find, 2);
    ASSERT_TRUE(coordinator);
    EXPECT_EQ(coordinator->error_code, code(ErrorCode::kInvalidGroupId));
  }
  // A session timeout below group.min.session.timeout.ms, and a foreign protocol type.
  auto short_session = join(c, {.group = "steady", .session_ms = 100});
  ASSERT_TRUE(short_session);
  EXPECT_EQ(short_session->error_code, code(ErrorCode::kInvalidSessionTimeout));
  auto foreign = join(c, {.group = "steady", .protocol_type = "connect"});
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->error_code, code(ErrorCode::kInconsistentGroupProtocol));

  // The group never noticed.
  EXPECT_EQ(heartbeat(c, "steady", g.generation, g.member), 0);
  auto described = describe(c, "steady");
  ASSERT_TRUE(described);
  EXPECT_EQ(described->group_state, "Stable");
  ASSERT_EQ(described->members.size(), 1u);
  EXPECT_EQ(described->members[0].member_id, g.member);
  EXPECT_EQ(broker.stop(), 0);
}

TEST(GroupWireTest, SecondMemberRebalancesTheGroupIntoANewGeneration) {
  BrokerProcess broker(group_broker());
  broker.start();
  WireClient a(broker.port());
  create_topic(a, "orders", 2);
  const StableGroup g = make_stable(a, "pair");
  ASSERT_FALSE(g.member.empty());

  // B's join waits on the coordinator until A rejoins: run it on its own connection.
  auto b_join = std::async(std::launch::async, [&] {
    WireClient b(broker.port());
    auto joined = join_new(b, {.group = "pair"});
    std::optional<kafka::SyncGroupResponse> synced;
    if (joined && joined->error_code == 0) {
      synced = sync(b, "pair", joined->generation_id, joined->member_id);
    }
    return std::make_pair(joined, synced);
  });
  // A learns about the rebalance from its heartbeat (bounded wait).
  int16_t beat = 0;
  for (int i = 0; i < 100 && beat == 0; ++i) {
    beat = heartbeat(a, "pair", g.generation, g.member);
    if (beat == 0) std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(beat, code(ErrorCode::kRebalanceInProgress));
  auto rejoined = join(a, {.group = "pair", .member_id = g.member});
  ASSERT_TRUE(rejoined);
  ASSERT_EQ(rejoined->error_code, 0);
  EXPECT_EQ(rejoined->generation_id, g.generation + 1);
  EXPECT_EQ(rejoined->leader, g.member);  // the leader stays
  ASSERT_EQ(rejoined->members.size(), 2u);
  std::string b_member = rejoined->members[0].member_id == g.member
                             ? rejoined->members[1].member_id
                             : rejoined->members[0].member_id;
  auto synced = sync(a, "pair", rejoined->generation_id, g.member,
                     {{g.member, "partition-0"}, {b_member, "partition-1"}});
  ASSERT_TRUE(synced);
  EXPECT_EQ(synced->assignment, bytes("partition-0"));

  ASSERT_EQ(b_join.wait_for(20s), std::future_status::ready);
  auto [b_joined, b_synced] = b_join.get();
  ASSERT_TRUE(b_joined);
  EXPECT_EQ(b_joined->error_code, 0);
  EXPECT_EQ(b_joined->member_id, b_member);
  EXPECT_TRUE(b_joined->members.empty());  // only the leader gets the member list
  ASSERT_TRUE(b_synced);
  EXPECT_EQ(b_synced->error_code, 0);
  EXPECT_EQ(b_synced->assignment, bytes("partition-1"));
  EXPECT_EQ(heartbeat(a, "pair", rejoined->generation_id, g.member), 0);
}

TEST(GroupWireTest, StaticMemberRejoinsWithoutRebalanceAndFencesItsOldId) {
  BrokerProcess broker(group_broker());
  broker.start();
  WireClient c(broker.port());
  create_topic(c, "orders", 1);
  auto joined = join(c, {.group = "static", .instance_id = "instance-1"});
  ASSERT_TRUE(joined);
  ASSERT_EQ(joined->error_code, 0);  // static members skip MEMBER_ID_REQUIRED
  const std::string old_id = joined->member_id;
  auto synced = sync(c, "static", joined->generation_id, old_id, {{old_id, "kept"}}, "instance-1");
  ASSERT_TRUE(synced && synced->error_code == 0);

  // The same instance restarts: a new member id, same generation, same assignment.
  auto again = join(c, {.group = "static", .instance_id = "instance-1"});
  ASSERT_TRUE(again);
  ASSERT_EQ(again->error_code, 0);
  EXPECT_NE(again->member_id, old_id);
  EXPECT_EQ(again->generation_id, joined->generation_id);
  auto resynced = sync(c, "static", again->generation_id, again->member_id, {}, "instance-1");
  ASSERT_TRUE(resynced);
  EXPECT_EQ(resynced->assignment, bytes("kept"));

  EXPECT_EQ(heartbeat(c, "static", joined->generation_id, old_id, "instance-1"),
            code(ErrorCode::kFencedInstanceId));
  EXPECT_EQ(heartbeat(c, "static", again->generation_id, again->member_id, "instance-1"), 0);
}

TEST(GroupWireTest, DeleteGroupsAndOffsetDelete) {
  BrokerProcess broker(group_broker());
  broker.start();
  WireClient c(broker.port());
  create_topic(c, "orders", 1);
  create_topic(c, "other", 1);
  const StableGroup g = make_stable(c, "doomed");  // subscribed to "orders"
  ASSERT_EQ(commit(c, "doomed", g.generation, g.member, {{"orders", 0, 3}, {"other", 0, 4}}),
            (std::vector<int16_t>{0, 0}));

  kafka::OffsetDeleteRequest offset_delete;
  offset_delete.group_id = "doomed";
  for (const char* topic : {"orders", "other"}) {
    kafka::OffsetDeleteRequest::OffsetDeleteRequestTopic t{.name = topic};
    t.partitions.push_back({.partition_index = 0});
    offset_delete.topics.push_back(std::move(t));
  }
  auto deleted_offsets = c.call<kafka::OffsetDeleteResponse>(offset_delete, 0);
  ASSERT_TRUE(deleted_offsets);
  ASSERT_EQ(deleted_offsets->error_code, 0);
  ASSERT_EQ(deleted_offsets->topics.size(), 2u);
  EXPECT_EQ(deleted_offsets->topics[0].partitions[0].error_code,
            code(ErrorCode::kGroupSubscribedToTopic));
  EXPECT_EQ(deleted_offsets->topics[1].partitions[0].error_code, 0);
  EXPECT_EQ(committed(c, "doomed", "orders", 0), 3);
  EXPECT_EQ(committed(c, "doomed", "other", 0), -1);

  kafka::DeleteGroupsRequest del;
  del.groups_names = {"doomed", "never-was"};
  auto refused = c.call<kafka::DeleteGroupsResponse>(del, 2);
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->results.size(), 2u);
  EXPECT_EQ(refused->results[0].error_code, code(ErrorCode::kNonEmptyGroup));
  EXPECT_EQ(refused->results[1].error_code, code(ErrorCode::kGroupIdNotFound));

  kafka::LeaveGroupRequest leave;
  leave.group_id = "doomed";
  leave.members.push_back({.member_id = g.member});
  auto left = c.call<kafka::LeaveGroupResponse>(leave, 4);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->error_code, 0);
  ASSERT_EQ(left->members.size(), 1u);
  EXPECT_EQ(left->members[0].error_code, 0);
  auto described = describe(c, "doomed");
  ASSERT_TRUE(described);
  EXPECT_EQ(described->group_state, "Empty");

  del.groups_names = {"doomed"};
  auto deleted = c.call<kafka::DeleteGroupsResponse>(del, 2);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->results[0].error_code, 0);
  EXPECT_EQ(committed(c, "doomed", "orders", 0), -1);
  auto again = c.call<kafka::DeleteGroupsResponse>(del, 2);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->results[0].error_code, code(ErrorCode::kGroupIdNotFound));

  // Deleted for good: a restart does not bring the offsets back.
  ASSERT_EQ(broker.stop(), 0);
  broker.start();
  WireClient after(broker.port());
  EXPECT_EQ(committed(after, "doomed", "orders", 0), -1);
}

TEST(GroupWireTest, SilentMemberIsRemovedAfterItsSessionTimeout) {
  BrokerProcess broker(group_broker());
  broker.start();
  WireClient c(broker.port());
  create_topic(c, "orders", 1);
  auto joined = join_new(c, {.group = "quiet", .session_ms = 1000});
  ASSERT_TRUE(joined && joined->error_code == 0);
  auto synced = sync(c, "quiet", joined->generation_id, joined->member_id);
  ASSERT_TRUE(synced && synced->error_code == 0);
  std::string state;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto d = describe(c, "quiet");
    ASSERT_TRUE(d);
    state = d->group_state;
    if (state == "Empty") {
      EXPECT_TRUE(d->members.empty());
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(state, "Empty");
  EXPECT_EQ(heartbeat(c, "quiet", joined->generation_id, joined->member_id),
            code(ErrorCode::kUnknownMemberId));
}

TEST(GroupWireTest, CommittedOffsetsSurviveSigtermAndKillNine) {
  BrokerProcess broker(group_broker({"--log.flush.interval.messages", "1"}));
  broker.start();
  {
    WireClient c(broker.port());
    create_topic(c, "orders", 2);
    // Commits outside group management (generation -1), as admin tools make them.
    EXPECT_EQ(commit(c, "durable", -1, "", {{"orders", 0, 100}, {"orders", 1, 200}}),
              (std::vector<int16_t>{0, 0}));
  }
  ASSERT_EQ(broker.stop(), 0);
  broker.start();
  {
    WireClient c(broker.port());
    EXPECT_EQ(committed(c, "durable", "orders", 0), 100);
    EXPECT_EQ(committed(c, "durable", "orders", 1), 200);
    EXPECT_EQ(commit(c, "durable", -1, "", {{"orders", 0, 101}}), (std::vector<int16_t>{0}));
  }
  broker.kill9();
  broker.start();
  WireClient c(broker.port());
  EXPECT_EQ(committed(c, "durable", "orders", 0), 101);
  EXPECT_EQ(committed(c, "durable", "orders", 1), 200);
  kafka::ListGroupsRequest list;
  auto listed = c.call<kafka::ListGroupsResponse>(list, 4);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->groups.size(), 1u);
  EXPECT_EQ(listed->groups[0].group_id, "durable");
  EXPECT_EQ(listed->groups[0].group_state, "Empty");
}

}  // namespace
}  // namespace ringlog::testing

namespace ringlog::testing {
namespace {

TEST(GroupWireTest, AbandonedEmptyGroupsAreForgotten) {
  // Join attempts that never come back and commits of unknown partitions leave empty groups
  // with nothing committed: the periodic cleanup forgets them (hostile input cannot pile up).
  BrokerProcess broker(group_broker({"--offsets.retention.check.interval.ms", "200"}));
  broker.start();
  WireClient c(broker.port());
  create_topic(c, "orders", 1);
  for (int i = 0; i < 20; ++i) {
    auto first = join(c, {.group = "abandoned-" + std::to_string(i), .session_ms = 1000});
    ASSERT_TRUE(first);
    EXPECT_EQ(first->error_code, code(ErrorCode::kMemberIdRequired));
  }
  EXPECT_EQ(commit(c, "no-such-partitions", -1, "", {{"orders", 7, 1}}),
            (std::vector<int16_t>{code(ErrorCode::kUnknownTopicOrPartition)}));
  EXPECT_EQ(commit(c, "kept", -1, "", {{"orders", 0, 1}}), (std::vector<int16_t>{0}));
  size_t listed = 99;
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    kafka::ListGroupsRequest list;
    auto response = c.call<kafka::ListGroupsResponse>(list, 4);
    ASSERT_TRUE(response);
    listed = response->groups.size();
    if (listed == 1) {
      EXPECT_EQ(response->groups[0].group_id, "kept");
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(listed, 1u);
}

}  // namespace
}  // namespace ringlog::testing
