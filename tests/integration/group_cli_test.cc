// Proves `ringlog group list|describe|delete|reset-offsets` against the real broker with real
// group consumers (librdkafka, kcat -G): list shows the group; describe shows its members, their
// partitions, committed offsets, log end offsets and a lag that drops to 0 once consumption
// catches up; reset-offsets moves an empty group's offsets (earliest, latest, offset, timestamp,
// datetime, shift; --dry-run changes nothing) so a new consumer re-reads, and is refused while
// members are active; delete is refused for a group with members and works on an empty one;
// unknown groups, bad arguments and a broker that is down exit non-zero with a clear message.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/acceptance_rdkafka.h"
#include "tests/integration/acceptance_util.h"
#include "tests/integration/group_consumer.h"

namespace ringlog::testing::accept {
namespace {

using namespace std::chrono_literals;

BrokerOptions group_broker(int partitions) {
  return BrokerOptions{.args = {"--num.partitions", std::to_string(partitions),
                                "--group.initial.rebalance.delay.ms", "0",
                                "--group.min.session.timeout.ms", "1000"}};
}

// `ringlog group <args...> --bootstrap-server <broker>`.
CommandResult group_cmd(const BrokerProcess& broker, std::vector<std::string> args) {
  std::vector<std::string> argv = {RINGLOG_BINARY, "group"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--bootstrap-server");
  argv.push_back(broker.bootstrap());
  return run_command(argv, "", 60s);
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

int64_t number_or_minus_one(const std::string& text) { return text == "-" ? -1 : std::stoll(text); }

// The rows of the table under the header line starting with `header` (fields split at blanks),
// up to the next line that starts a table or has another number of fields.
std::vector<std::vector<std::string>> table_after(const std::string& out,
                                                  const std::string& header) {
  std::vector<std::vector<std::string>> rows;
  size_t columns = 0;
  for (const std::string& line : split_lines(out)) {
    if (columns == 0) {
      if (line.rfind(header, 0) == 0) columns = fields_of(line).size();
      continue;
    }
    std::vector<std::string> f = fields_of(line);
    if (f.size() != columns) break;
    rows.push_back(std::move(f));
  }
  return rows;
}

struct PartitionLine {
  std::string topic;
  int32_t partition = 0;
  int64_t committed = -1;  // -1: "-"
  int64_t log_end = -1;
  int64_t lag = -1;
  std::string member;
};

std::vector<PartitionLine> partition_lines(const std::string& describe_out) {
  std::vector<PartitionLine> out;
  for (const auto& f : table_after(describe_out, "TOPIC ")) {
    out.push_back({.topic = f[0],
                   .partition = std::stoi(f[1]),
                   .committed = number_or_minus_one(f[2]),
                   .log_end = number_or_minus_one(f[3]),
                   .lag = number_or_minus_one(f[4]),
                   .member = f[5]});
  }
  return out;
}

int64_t sum_committed(const std::vector<PartitionLine>& lines) {
  int64_t n = 0;
  for (const PartitionLine& l : lines) n += std::max<int64_t>(l.committed, 0);
  return n;
}
int64_t sum_log_end(const std::vector<PartitionLine>& lines) {
  int64_t n = 0;
  for (const PartitionLine& l : lines) n += std::max<int64_t>(l.log_end, 0);
  return n;
}
// -1 if some partition has no lag figure.
int64_t total_lag(const std::vector<PartitionLine>& lines) {
  int64_t n = 0;
  for (const PartitionLine& l : lines) {
    if (l.lag < 0) return -1;
    n += l.lag;
  }
  return n;
}

// Runs `ringlog group describe` until `done(out)` (bounded); returns the last output.
template <typename Done>
CommandResult describe_until(const BrokerProcess& broker, const std::string& group,
                             std::chrono::seconds timeout, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  CommandResult r = group_cmd(broker, {"describe", group});
  while (!(r.exit_code == 0 && done(r.out)) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
    r = group_cmd(broker, {"describe", group});
  }
  return r;
}

// One consumer of `group` reads `count` records of `topic`, commits and leaves.
void consume_commit_and_leave(const BrokerProcess& broker, const std::string& group,
                              const std::string& topic, size_t count) {
  GroupConsumer c(broker.bootstrap(), group, topic);
  ASSERT_TRUE(poll_all({&c}, 60s, [&] { return c.consumed().size() >= count; }))
      << "got " << c.consumed().size() << " of " << count;
  ASSERT_EQ(c.commit(), RD_KAFKA_RESP_ERR_NO_ERROR);
  c.close();
}

bool state_is(const std::string& describe_out, const std::string& state) {
  return contains(describe_out, "\tState: " + state + "\t");
}

TEST(GroupCliTest, ListAndDescribeShowMembersCommittedOffsetsAndLagThatDropsToZero) {
  BrokerProcess broker(group_broker(4));
  broker.start();
  ASSERT_EQ(kcat(broker, {"-L", "-t", "orders"}).exit_code, 0);  // auto-creates, 4 partitions

  GroupConsumer a(broker.bootstrap(), "billing", "orders");
  GroupConsumer b(broker.bootstrap(), "billing", "orders");
  const std::vector<GroupConsumer*> both = {&a, &b};
  ASSERT_TRUE(poll_all(both, 60s, [&] { return balanced(both, 4); }));
  produce_ids(broker, "orders", 0, 600);
  ASSERT_TRUE(poll_all(both, 60s, [&] { return consumed_count(both) >= 600; }));
  for (GroupConsumer* c : both) ASSERT_EQ(c->commit(), RD_KAFKA_RESP_ERR_NO_ERROR);
  // 400 more that nobody polls (so nobody commits): the group lags by 400.
  produce_ids(broker, "orders", 600, 400);

  CommandResult r = group_cmd(broker, {"list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> listed;
  for (const std::string& line : split_lines(r.out)) listed.push_back(fields_of(line).at(0));
  EXPECT_NE(std::find(listed.begin(), listed.end(), "billing"), listed.end()) << r.out;
  bool found = false;
  for (const std::string& line : split_lines(r.out)) {
    if (fields_of(line) == std::vector<std::string>{"billing", "Stable", "consumer"}) found = true;
  }
  EXPECT_TRUE(found) << r.out;

  r = describe_until(broker, "billing", 30s, [](const std::string& out) {
    return state_is(out, "Stable") && sum_log_end(partition_lines(out)) == 1000;
  });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Group: billing\tState: Stable\tProtocol: consumer/")) << r.out;
  EXPECT_TRUE(contains(r.out, "\tMembers: 2\n")) << r.out;
  const auto members = table_after(r.out, "MEMBER-ID ");
  ASSERT_EQ(members.size(), 2u) << r.out;
  std::set<std::string> member_ids;
  std::set<std::string> assigned;
  for (const auto& m : members) {
    member_ids.insert(m[0]);
    EXPECT_EQ(m[1], "rdkafka") << r.out;  // librdkafka's default client.id
    EXPECT_TRUE(contains(m[2], "127.0.0.1")) << r.out;
    ASSERT_EQ(m[3].rfind("orders:", 0), 0u) << r.out;
    std::istringstream parts(m[3].substr(7));
    for (std::string p; std::getline(parts, p, ',');) assigned.insert(p);
  }
  EXPECT_EQ(assigned, (std::set<std::string>{"0", "1", "2", "3"})) << r.out;
  std::vector<PartitionLine> lines = partition_lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  for (const PartitionLine& l : lines) {
    EXPECT_EQ(l.topic, "orders");
    EXPECT_GE(l.committed, 0) << r.out;
    EXPECT_EQ(l.lag, l.log_end - l.committed) << r.out;
    EXPECT_EQ(member_ids.count(l.member), 1u) << r.out;
  }
  EXPECT_EQ(sum_committed(lines), 600) << r.out;
  EXPECT_EQ(total_lag(lines), 400) << r.out;

  // Catch up and commit: the lag drops to 0.
  ASSERT_TRUE(poll_all(both, 60s, [&] { return consumed_count(both) >= 1000; }));
  for (GroupConsumer* c : both) ASSERT_EQ(c->commit(), RD_KAFKA_RESP_ERR_NO_ERROR);
  r = describe_until(broker, "billing", 30s,
                     [](const std::string& out) { return total_lag(partition_lines(out)) == 0; });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  lines = partition_lines(r.out);
  EXPECT_EQ(total_lag(lines), 0) << r.out;
  EXPECT_EQ(sum_committed(lines), 1000) << r.out;
}

TEST(GroupCliTest, KcatBalancedConsumerIsDescribedAndItsLagDropsToZero) {
  BrokerProcess broker(group_broker(3));
  broker.start();
  // Keyed, so every partition gets records (unkeyed, librdkafka's sticky partitioning may put
  // a whole run in one partition, and kcat commits only the partitions it read from).
  auto keyed_events = [](int first, int count) {
    std::string lines;
    for (int i = first; i < first + count; ++i) {
      lines += "k" + std::to_string(i) + ":event-" + std::to_string(i) + "\n";
    }
    return lines;
  };
  std::string input = keyed_events(0, 300);
  ASSERT_EQ(kcat(broker, {"-P", "-t", "events", "-K", ":"}, input).exit_code, 0);
  // kcat -G reads everything and commits on its way out (-e).
  CommandResult k = kcat(broker, {"-G", "kgroup", "events", "-e", "-q", "-X",
                                  "auto.offset.reset=earliest", "-X", "session.timeout.ms=2000"});
  ASSERT_EQ(k.exit_code, 0) << k.err;
  ASSERT_EQ(split_lines(k.out).size(), 300u);
  input = keyed_events(300, 200);
  ASSERT_EQ(kcat(broker, {"-P", "-t", "events", "-K", ":"}, input).exit_code, 0);

  // No members now; 200 records behind.
  CommandResult r = describe_until(broker, "kgroup", 30s, [](const std::string& out) {
    return state_is(out, "Empty") && sum_log_end(partition_lines(out)) == 500;
  });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "No active members.")) << r.out;
  std::vector<PartitionLine> lines = partition_lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(sum_committed(lines), 300) << r.out;
  EXPECT_EQ(total_lag(lines), 200) << r.out;
  for (const PartitionLine& l : lines) EXPECT_EQ(l.member, "-") << r.out;

  // A balanced kcat consumer that keeps running: it is the member owning all three partitions,
  // and once it has caught up (auto-commit) the lag is 0.
  ChildProcess consumer({"kcat", "-b", broker.bootstrap(), "-G", "kgroup", "events", "-q", "-X",
                         "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=300", "-X",
                         "auto.commit.interval.ms=200", "-X", "auto.offset.reset=earliest"});
  r = describe_until(broker, "kgroup", 60s, [](const std::string& out) {
    const auto members = table_after(out, "MEMBER-ID ");
    return state_is(out, "Stable") && members.size() == 1 && members[0][3] == "events:0,1,2" &&
           total_lag(partition_lines(out)) == 0;
  });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "\tMembers: 1\n")) << r.out;
  const auto members = table_after(r.out, "MEMBER-ID ");
  ASSERT_EQ(members.size(), 1u) << r.out;
  EXPECT_EQ(members[0][3], "events:0,1,2") << r.out;
  lines = partition_lines(r.out);
  EXPECT_EQ(total_lag(lines), 0) << r.out;
  EXPECT_EQ(sum_committed(lines), 500) << r.out;
  for (const PartitionLine& l : lines) EXPECT_EQ(l.member, members[0][0]) << r.out;

  // More records: it keeps up and the lag comes back to 0.
  input = keyed_events(500, 100);
  ASSERT_EQ(kcat(broker, {"-P", "-t", "events", "-K", ":"}, input).exit_code, 0);
  r = describe_until(broker, "kgroup", 60s, [](const std::string& out) {
    const std::vector<PartitionLine> l = partition_lines(out);
    return sum_log_end(l) == 600 && total_lag(l) == 0;
  });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(sum_committed(partition_lines(r.out)), 600) << r.out;
}

// partition -> (current, new) from a reset-offsets plan.
std::map<int32_t, std::pair<int64_t, int64_t>> plan_of(const std::string& out) {
  std::map<int32_t, std::pair<int64_t, int64_t>> plan;
  for (const auto& f : table_after(out, "TOPIC ")) {
    plan[std::stoi(f[1])] = {number_or_minus_one(f[2]), std::stoll(f[3])};
  }
  return plan;
}

// partition -> committed offset, from describe.
std::map<int32_t, int64_t> committed_of(const BrokerProcess& broker, const std::string& group) {
  CommandResult r = group_cmd(broker, {"describe", group});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<int32_t, int64_t> out;
  for (const PartitionLine& l : partition_lines(r.out)) out[l.partition] = l.committed;
  return out;
}

TEST(GroupCliTest, ResetOffsetsMovesAnEmptyGroupAndIsRefusedWhileMembersAreActive) {
  BrokerProcess broker(group_broker(2));
  broker.start();
  ASSERT_EQ(kcat(broker, {"-L", "-t", "ledger"}).exit_code, 0);
  produce_ids(broker, "ledger", 0, 200);

  {
    GroupConsumer active(broker.bootstrap(), "auditors", "ledger");
    ASSERT_TRUE(poll_all({&active}, 60s, [&] { return active.consumed().size() >= 200; }));
    ASSERT_EQ(active.commit(), RD_KAFKA_RESP_ERR_NO_ERROR);
    // A member is active: refused, also as a dry run; nothing changes.
    for (const char* mode : {"--to-earliest", "--dry-run"}) {
      std::vector<std::string> args = {"reset-offsets", "auditors", "--topic", "ledger",
                                       "--to-earliest"};
      if (std::string(mode) == "--dry-run") args.push_back(mode);
      CommandResult r = group_cmd(broker, args);
      EXPECT_EQ(r.exit_code, 1) << mode;
      EXPECT_TRUE(contains(r.err,
                           "cannot reset offsets of group 'auditors': it has 1 active "
                           "member(s)"))
          << r.err;
      EXPECT_TRUE(contains(r.err, "stop its consumers first")) << r.err;
    }
    active.close();
  }
  std::map<int32_t, int64_t> before = committed_of(broker, "auditors");
  ASSERT_EQ(before.size(), 2u);
  ASSERT_EQ(before[0] + before[1], 200);
  ASSERT_GE(before[0], 20);
  ASSERT_GE(before[1], 20);
  CommandResult r = describe_until(broker, "auditors", 30s,
                                   [](const std::string& out) { return state_is(out, "Empty"); });
  ASSERT_TRUE(state_is(r.out, "Empty")) << r.out;

  // --dry-run prints the plan and changes nothing.
  r = group_cmd(broker,
                {"reset-offsets", "auditors", "--topic", "ledger", "--to-earliest", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Dry run: nothing was committed.")) << r.out;
  auto plan = plan_of(r.out);
  ASSERT_EQ(plan.size(), 2u) << r.out;
  EXPECT_EQ(plan[0], std::make_pair(before[0], int64_t{0}));
  EXPECT_EQ(plan[1], std::make_pair(before[1], int64_t{0}));
  EXPECT_EQ(committed_of(broker, "auditors"), before);

  // --to-offset on one partition; the other keeps its offset.
  r = group_cmd(broker, {"reset-offsets", "auditors", "--topic", "ledger", "--partition", "0",
                         "--to-offset", "10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Reset the offsets of group auditors for 1 partition(s) of ledger."))
      << r.out;
  EXPECT_EQ(plan_of(r.out).size(), 1u) << r.out;
  std::map<int32_t, int64_t> now = committed_of(broker, "auditors");
  EXPECT_EQ(now[0], 10);
  EXPECT_EQ(now[1], before[1]);

  // --shift-by, back and (clamped) forward.
  r = group_cmd(broker, {"reset-offsets", "auditors", "--topic", "ledger", "--shift-by", "-5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  now = committed_of(broker, "auditors");
  EXPECT_EQ(now[0], 5);
  EXPECT_EQ(now[1], before[1] - 5);
  r = group_cmd(broker, {"reset-offsets", "auditors", "--topic", "ledger", "--shift-by=1000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(committed_of(broker, "auditors"), before);  // the log ends

  // Timestamps: 0 is before every record; a date far ahead is after the last one.
  r = group_cmd(broker, {"reset-offsets", "auditors", "--topic", "ledger", "--to-timestamp", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  now = committed_of(broker, "auditors");
  EXPECT_EQ(now[0], 0);
  EXPECT_EQ(now[1], 0);
  r = group_cmd(broker, {"reset-offsets", "auditors", "--topic", "ledger", "--to-datetime",
                         "2999-01-01T00:00:00"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(committed_of(broker, "auditors"), before);
  r = group_cmd(broker, {"reset-offsets", "auditors", "--topic", "ledger", "--to-latest"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(committed_of(broker, "auditors"), before);

  // --to-earliest, then a new consumer of the group reads everything again.
  r = group_cmd(broker, {"reset-offsets", "auditors", "--topic", "ledger", "--to-earliest"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  now = committed_of(broker, "auditors");
  EXPECT_EQ(now[0], 0);
  EXPECT_EQ(now[1], 0);
  {
    GroupConsumer again(broker.bootstrap(), "auditors", "ledger");
    ASSERT_TRUE(poll_all({&again}, 60s, [&] { return again.consumed().size() >= 200; }));
    poll_all({&again}, 300ms, [] { return false; });
    std::set<std::string> values;
    for (const Consumed& m : again.consumed()) values.insert(m.value);
    EXPECT_EQ(again.consumed().size(), 200u);
    EXPECT_EQ(values.size(), 200u);
    again.close();
  }

  // Bad arguments: exit 2. Unknown topic: exit 1.
  r = group_cmd(broker, {"reset-offsets", "auditors", "--topic", "ledger"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "exactly one of --to-earliest")) << r.err;
  r = group_cmd(broker,
                {"reset-offsets", "auditors", "--topic", "ledger", "--to-earliest", "--to-latest"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = group_cmd(broker, {"reset-offsets", "auditors", "--to-earliest"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = group_cmd(broker,
                {"reset-offsets", "auditors", "--topic", "ledger", "--to-datetime", "yesterday"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "--to-datetime 'yesterday'")) << r.err;
  r = group_cmd(broker, {"reset-offsets", "auditors", "--topic", "ledger", "--partition", "7",
                         "--to-earliest"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "there is no partition 7")) << r.err;
  r = group_cmd(broker, {"reset-offsets", "auditors", "--topic", "nosuch", "--to-earliest"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(contains(r.err, "topic 'nosuch' does not exist")) << r.err;
}

TEST(GroupCliTest, DeleteIsRefusedWithMembersAndWorksOnAnEmptyGroup) {
  BrokerProcess broker(group_broker(2));
  broker.start();
  ASSERT_EQ(kcat(broker, {"-L", "-t", "jobs"}).exit_code, 0);
  produce_ids(broker, "jobs", 0, 50);
  consume_commit_and_leave(broker, "finished", "jobs", 50);

  {
    GroupConsumer worker(broker.bootstrap(), "workers", "jobs");
    ASSERT_TRUE(poll_all({&worker}, 60s, [&] { return worker.consumed().size() >= 50; }));
    ASSERT_EQ(worker.commit(), RD_KAFKA_RESP_ERR_NO_ERROR);
    CommandResult r = group_cmd(broker, {"delete", "workers"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "cannot delete group 'workers': it has active members")) << r.err;
    EXPECT_TRUE(contains(r.err, "NON_EMPTY_GROUP")) << r.err;
    worker.close();
  }
  CommandResult r = describe_until(broker, "workers", 30s,
                                   [](const std::string& out) { return state_is(out, "Empty"); });
  ASSERT_TRUE(state_is(r.out, "Empty")) << r.out;

  r = group_cmd(broker, {"delete", "workers", "finished"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Deleted group workers.\nDeleted group finished.\n");
  r = group_cmd(broker, {"list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(contains(r.out, "workers")) << r.out;
  EXPECT_FALSE(contains(r.out, "finished")) << r.out;

  // Unknown groups: exit 1, a clear message.
  r = group_cmd(broker, {"describe", "workers"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "group 'workers' does not exist")) << r.err;
  r = group_cmd(broker, {"delete", "nosuch"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "group 'nosuch' does not exist")) << r.err;
  EXPECT_TRUE(contains(r.err, "GROUP_ID_NOT_FOUND")) << r.err;

  // Bad arguments: exit 2.
  EXPECT_EQ(group_cmd(broker, {"delete"}).exit_code, 2);
  EXPECT_EQ(group_cmd(broker, {"describe"}).exit_code, 2);
  EXPECT_EQ(group_cmd(broker, {"frobnicate"}).exit_code, 2);

  // The broker is down.
  ASSERT_EQ(broker.stop(), 0);
  r = group_cmd(broker, {"list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "cannot reach a broker at " + broker.bootstrap())) << r.err;
}

}  // namespace
}  // namespace ringlog::testing::accept
