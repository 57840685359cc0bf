// Proves consumer groups work for real group consumers against the real broker: librdkafka
// consumers share a topic's partitions within a group and each receive everything across
// groups; committed offsets carry consumption over consumer restarts, a SIGTERM restart and a
// kill -9 of the broker; a third member rebalances the group and a SIGKILLed member (kcat -G)
// is replaced after its session timeout.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "net/kafka/messages/all_messages.h"
#include "tests/integration/acceptance_rdkafka.h"
#include "tests/integration/acceptance_util.h"
#include "tests/integration/group_consumer.h"
#include "tests/integration/wire_client.h"

namespace ringlog::testing::accept {
namespace {

using namespace std::chrono_literals;

BrokerOptions group_broker(int partitions, std::vector<std::string> extra = {}) {
  BrokerOptions o{.args = {"--num.partitions", std::to_string(partitions),
                           "--group.initial.rebalance.delay.ms", "0",
                           "--group.min.session.timeout.ms", "1000"}};
  o.args.insert(o.args.end(), extra.begin(), extra.end());
  return o;
}

std::vector<int> ids_of(const std::vector<GroupConsumer*>& consumers) {
  std::vector<int> ids;
  for (GroupConsumer* c : consumers) {
    for (const Consumed& m : c->consumed()) ids.push_back(std::stoi(m.value.substr(3)));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<int> range(int first, int count) {
  std::vector<int> out(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) out[static_cast<size_t>(i)] = first + i;
  return out;
}

TEST(GroupTest, MembersOfOneGroupShareTheRecordsAndAnotherGroupGetsThemAll) {
  BrokerProcess broker(group_broker(4));
  broker.start();
  ASSERT_EQ(kcat(broker, {"-L", "-t", "shared"}).exit_code, 0);  // auto-creates, 4 partitions

  GroupConsumer a(broker.bootstrap(), "workers", "shared");
  GroupConsumer b(broker.bootstrap(), "workers", "shared");
  GroupConsumer other(broker.bootstrap(), "auditors", "shared");
  const std::vector<GroupConsumer*> workers = {&a, &b};
  ASSERT_TRUE(poll_all({&a, &b, &other}, 60s,
                       [&] { return balanced(workers, 4) && other.assignment().size() == 4; }))
      << "a has " << a.assignment().size() << ", b has " << b.assignment().size();

  constexpr int kRecords = 4000;
  produce_ids(broker, "shared", 0, kRecords);
  ASSERT_TRUE(poll_all(
      {&a, &b, &other}, 60s,
      [&] { return consumed_count(workers) >= kRecords && other.consumed().size() >= kRecords; }))
      << "a " << a.consumed().size() << ", b " << b.consumed().size() << ", other "
      << other.consumed().size() << "; errors " << a.errors().size() << "/" << b.errors().size()
      << "/" << other.errors().size();
  // A little longer: nothing more (no duplicates) arrives.
  poll_all({&a, &b, &other}, 500ms, [] { return false; });
  EXPECT_GT(a.consumed().size(), 0u);
  EXPECT_GT(b.consumed().size(), 0u);
  EXPECT_EQ(ids_of(workers), range(0, kRecords));  // every record exactly once
  EXPECT_EQ(ids_of({&other}), range(0, kRecords));
  EXPECT_TRUE(a.errors().empty());
  EXPECT_TRUE(b.errors().empty());
}

// Runs two consumers of `group` until they have `count` records, commits, closes them.
std::vector<int> consume_and_commit(const BrokerProcess& broker, const std::string& group,
                                    const std::string& topic, size_t count) {
  // b joins while a may already be consuming: a commits before handing partitions over.
  GroupConsumer a(broker.bootstrap(), group, topic, {}, /*commit_on_revoke=*/true);
  GroupConsumer b(broker.bootstrap(), group, topic, {}, /*commit_on_revoke=*/true);
  const std::vector<GroupConsumer*> both = {&a, &b};
  EXPECT_TRUE(poll_all(both, 60s, [&] { return consumed_count(both) >= count; }))
      << "got " << consumed_count(both) << " of " << count;
  poll_all(both, 300ms, [] { return false; });
  for (GroupConsumer* c : both) {
    if (!c->consumed().empty()) {
      EXPECT_EQ(c->commit(), RD_KAFKA_RESP_ERR_NO_ERROR);
    }
  }
  a.close();
  b.close();
  return ids_of(both);
}

TEST(GroupTest, CommittedOffsetsResumeAfterConsumerAndBrokerRestarts) {
  BrokerProcess broker(group_broker(4, {"--log.flush.interval.messages", "1"}));
  broker.start();
  ASSERT_EQ(kcat(broker, {"-L", "-t", "resume"}).exit_code, 0);

  produce_ids(broker, "resume", 0, 1000);
  EXPECT_EQ(consume_and_commit(broker, "g", "resume", 1000), range(0, 1000));

  // New consumers of the same group: only what came after the commits.
  produce_ids(broker, "resume", 1000, 500);
  EXPECT_EQ(consume_and_commit(broker, "g", "resume", 500), range(1000, 500));

  // A clean broker restart keeps the commits.
  ASSERT_EQ(broker.stop(), 0);
  broker.start();
  produce_ids(broker, "resume", 1500, 300);
  EXPECT_EQ(consume_and_commit(broker, "g", "resume", 300), range(1500, 300));

  // So does kill -9 with a flush on every append.
  broker.kill9();
  broker.start();
  produce_ids(broker, "resume", 1800, 200);
  EXPECT_EQ(consume_and_commit(broker, "g", "resume", 200), range(1800, 200));
}

// Members of `group` with a non-empty assignment, from DescribeGroups.
size_t members_with_partitions(uint16_t port, const std::string& group, std::string* state) {
  WireClient c(port);
  kafka::DescribeGroupsRequest request;
  request.groups = {group};
  auto response = c.call<kafka::DescribeGroupsResponse>(request, 5);
  if (!response || response->groups.size() != 1) return 0;
  *state = response->groups[0].group_state;
  size_t n = 0;
  for (const auto& m : response->groups[0].members) {
    kafka::Reader r(m.member_assignment);
    auto version = r.read_int16();
    if (!version) continue;
    auto assignment = kafka::ConsumerProtocolAssignment::decode(r, std::min<int16_t>(*version, 3));
    if (assignment && !assignment->assigned_partitions.empty() &&
        !assignment->assigned_partitions[0].partitions.empty()) {
      ++n;
    }
  }
  return n;
}

TEST(GroupTest, ThirdMemberRebalancesAndAKilledMemberIsReplacedAfterItsSessionTimeout) {
  BrokerProcess broker(group_broker(6));
  broker.start();
  ASSERT_EQ(kcat(broker, {"-L", "-t", "churn"}).exit_code, 0);
  GroupConsumer a(broker.bootstrap(), "crew", "churn");
  GroupConsumer b(broker.bootstrap(), "crew", "churn");
  const std::vector<GroupConsumer*> both = {&a, &b};
  ASSERT_TRUE(poll_all(both, 60s, [&] { return balanced(both, 6); }));

  // kcat -G joins as the third member: everyone gets partitions.
  ChildProcess third({"kcat", "-b", broker.bootstrap(), "-G", "crew", "churn", "-q", "-X",
                      "session.timeout.ms=2000", "-X", "heartbeat.interval.ms=300", "-X",
                      "auto.offset.reset=earliest"});
  std::string state;
  ASSERT_TRUE(poll_all(both, 60s,
                       [&] {
                         return a.assignment().size() == 2 && b.assignment().size() == 2 &&
                                members_with_partitions(broker.port(), "crew", &state) == 3;
                       }))
      << "a " << a.assignment().size() << ", b " << b.assignment().size() << ", state " << state;
  EXPECT_EQ(state, "Stable");

  // SIGKILL: no LeaveGroup. After its 2 s session the survivors own all six partitions.
  third.kill9();
  ASSERT_TRUE(poll_all(both, 30s, [&] { return balanced(both, 6); }));
  produce_ids(broker, "churn", 0, 600);
  ASSERT_TRUE(poll_all(both, 60s, [&] { return consumed_count(both) >= 600; }));
  EXPECT_EQ(ids_of(both), range(0, 600));
  EXPECT_TRUE(a.errors().empty());
  EXPECT_TRUE(b.errors().empty());
}

TEST(GroupTest, KcatBalancedConsumerCommitsAndResumes) {
  BrokerProcess broker(group_broker(3));
  broker.start();
  std::string input;
  for (int i = 0; i < 300; ++i) input += "line-" + std::to_string(i) + "\n";
  ASSERT_EQ(kcat(broker, {"-P", "-t", "lines"}, input).exit_code, 0);
  // -e: exit at the end of every partition; offsets are committed on the way out.
  auto first = kcat(broker, {"-G", "readers", "lines", "-e", "-q", "-X",
                             "auto.offset.reset=earliest", "-X", "session.timeout.ms=2000"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(split_lines(first.out).size(), 300u);
  ASSERT_EQ(kcat(broker, {"-P", "-t", "lines"}, "after-1\nafter-2\n").exit_code, 0);
  auto second = kcat(broker, {"-G", "readers", "lines", "-e", "-q", "-X",
                              "auto.offset.reset=earliest", "-X", "session.timeout.ms=2000"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  std::vector<std::string> lines = split_lines(second.out);
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<std::string>{"after-1", "after-2"}));
}

}  // namespace
}  // namespace ringlog::testing::accept
