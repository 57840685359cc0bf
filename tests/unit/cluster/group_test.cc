// The group state machine without I/O: protocol choice, join completion, late members, sync,
// static member replacement and session expiry.
#include "cluster/groups/group.h"

#include <gtest/gtest.h>

#include "engine/reactor/reactor.h"

namespace ringlog::cluster::groups {
namespace {

using namespace std::chrono_literals;

Member member(std::string id, std::vector<std::string> protocols,
              std::optional<std::string> instance = std::nullopt) {
  Member m;
  m.id = std::move(id);
  m.instance_id = std::move(instance);
  m.session_timeout_ms = 1000;
  m.rebalance_timeout_ms = 5000;
  m.protocol_type = "consumer";
  for (auto& p : protocols) m.protocols.push_back({.name = p, .metadata = {}});
  return m;
}

// Adds the member and parks a JoinGroup for it; returns the slot.
std::shared_ptr<Pending<JoinResult>> join(Group& g, Member m, Clock::time_point now) {
  auto slot = std::make_shared<Pending<JoinResult>>();
  Member& added = g.add_member(std::move(m));
  added.join = slot;
  g.prepare_rebalance(now, 0ms);
  return slot;
}

class GroupTest : public ::testing::Test {
 protected:
  reactor::Reactor reactor_;  // Pending slots wake coroutines on the current reactor
  Clock::time_point now_ = Clock::now();
};

TEST_F(GroupTest, JoinCompletesWhenEveryMemberIsInAndPicksTheProtocolEveryoneSupports) {
  Group g("g", 0);
  auto a = join(g, member("a", {"roundrobin", "range"}), now_);
  EXPECT_TRUE(g.join_ready(now_));
  auto b = join(g, member("b", {"range", "sticky"}), now_);
  ASSERT_TRUE(g.join_ready(now_));
  g.complete_join(now_);
  EXPECT_EQ(g.state(), GroupState::kCompletingRebalance);
  EXPECT_EQ(g.generation(), 1);
  EXPECT_EQ(g.protocol(), "range");  // the only protocol both support
  ASSERT_TRUE(a->result && b->result);
  EXPECT_EQ(a->result->leader, "a");
  EXPECT_EQ(a->result->members.size(), 2u);
  EXPECT_TRUE(b->result->members.empty());
}

TEST_F(GroupTest, VotesDecideBetweenCommonProtocols) {
  Group g("g", 0);
  join(g, member("a", {"x", "y"}), now_);
  join(g, member("b", {"y", "x"}), now_);
  join(g, member("c", {"y", "x"}), now_);
  g.complete_join(now_);
  EXPECT_EQ(g.protocol(), "y");
}

TEST_F(GroupTest, AcceptsOnlyMembersSharingTypeAndAProtocol) {
  Group g("g", 0);
  join(g, member("a", {"range"}), now_);
  EXPECT_TRUE(g.accepts("consumer", {{.name = "range"}}));
  EXPECT_FALSE(g.accepts("consumer", {{.name = "sticky"}}));
  EXPECT_FALSE(g.accepts("connect", {{.name = "range"}}));
  EXPECT_FALSE(g.accepts("consumer", {}));
}

TEST_F(GroupTest, MembersThatDoNotRejoinAreDroppedWhenTheJoinCompletes) {
  Group g("g", 0);
  join(g, member("a", {"range"}), now_);
  join(g, member("b", {"range"}), now_);
  g.complete_join(now_);
  g.complete_sync({{"a", {std::byte{1}}}, {"b", {std::byte{2}}}}, now_);
  EXPECT_EQ(g.state(), GroupState::kStable);
  // A third member arrives; only b rejoins before the deadline.
  auto c = join(g, member("c", {"range"}), now_);
  g.find_member("b")->join = std::make_shared<Pending<JoinResult>>();
  EXPECT_FALSE(g.join_ready(now_));  // a has not rejoined
  g.complete_join(now_ + 10s);
  EXPECT_EQ(g.members().size(), 2u);
  EXPECT_EQ(g.find_member("a"), nullptr);
  EXPECT_EQ(g.generation(), 2);
  ASSERT_TRUE(c->result);
  EXPECT_EQ(c->result->error, ErrorCode::kNone);
}

TEST_F(GroupTest, SyncHandsEachMemberItsAssignment) {
  Group g("g", 0);
  join(g, member("a", {"range"}), now_);
  join(g, member("b", {"range"}), now_);
  g.complete_join(now_);
  auto waiting = std::make_shared<Pending<SyncResult>>();
  g.find_member("b")->sync = waiting;
  g.complete_sync({{"a", {std::byte{1}}}, {"b", {std::byte{2}}}}, now_);
  ASSERT_TRUE(waiting->result);
  EXPECT_EQ(waiting->result->assignment, std::vector<std::byte>{std::byte{2}});
  EXPECT_EQ(g.sync_result(*g.find_member("a")).assignment, std::vector<std::byte>{std::byte{1}});
}

TEST_F(GroupTest, RebalanceAnswersParkedSyncsWithRebalanceInProgress) {
  Group g("g", 0);
  join(g, member("a", {"range"}), now_);
  g.complete_join(now_);
  auto waiting = std::make_shared<Pending<SyncResult>>();
  g.find_member("a")->sync = waiting;
  g.prepare_rebalance(now_, 0ms);
  ASSERT_TRUE(waiting->result);
  EXPECT_EQ(waiting->result->error, ErrorCode::kRebalanceInProgress);
}

TEST_F(GroupTest, StaticMemberReplacementKeepsAssignmentAndFencesTheOldId) {
  Group g("g", 0);
  join(g, member("old", {"range"}, "i1"), now_);
  g.complete_join(now_);
  g.complete_sync({{"old", {std::byte{7}}}}, now_);
  Member& m = g.replace_static_member("old", "new");
  EXPECT_EQ(m.id, "new");
  EXPECT_EQ(m.assignment, std::vector<std::byte>{std::byte{7}});
  EXPECT_EQ(g.leader(), "new");
  EXPECT_EQ(g.check_instance("old", "i1"), ErrorCode::kFencedInstanceId);
  EXPECT_EQ(g.check_instance("new", "i1"), ErrorCode::kNone);
  EXPECT_EQ(g.find_member("old"), nullptr);
}

TEST_F(GroupTest, ExpiredSessionsAndPendingIdsAreRemovedButParkedMembersAreAlive) {
  Group g("g", 0);
  join(g, member("a", {"range"}), now_);
  join(g, member("b", {"range"}), now_);
  g.complete_join(now_);
  g.complete_sync({}, now_);
  g.add_pending("p", now_ + 500ms);
  g.find_member("b")->sync = std::make_shared<Pending<SyncResult>>();  // b is waiting: alive
  EXPECT_FALSE(g.expire_sessions(now_ + 400ms));
  EXPECT_TRUE(g.expire_sessions(now_ + 2s));
  EXPECT_EQ(g.find_member("a"), nullptr);
  EXPECT_NE(g.find_member("b"), nullptr);
  EXPECT_FALSE(g.has_pending());
}

TEST_F(GroupTest, LastMemberLeavingEmptiesTheGroup) {
  Group g("g", 0);
  join(g, member("a", {"range"}), now_);
  g.complete_join(now_);
  g.complete_sync({}, now_);
  g.remove_member("a");
  g.prepare_rebalance(now_, 0ms);
  ASSERT_TRUE(g.join_ready(now_));
  g.complete_join(now_);
  EXPECT_EQ(g.state(), GroupState::kEmpty);
  EXPECT_EQ(g.generation(), 2);
}

}  // namespace
}  // namespace ringlog::cluster::groups
