// Proves the client commands work against the real broker process, checked with an independent
// client (kcat / librdkafka): `ringlog topic` creates, lists, describes, alters and deletes
// topics and fails clearly (non-zero exit) on unknown topics, a broker that is down and bad
// arguments.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/broker_process.h"

namespace ringlog::testing {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// `ringlog <args...> --bootstrap-server <broker>`.
CommandResult ringlog(const std::string& bootstrap, std::vector<std::string> args,
                      const std::string& input = "") {
  std::vector<std::string> argv = {RINGLOG_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--bootstrap-server");
  argv.push_back(bootstrap);
  return run_command(argv, input, std::chrono::seconds(60));
}

CommandResult kcat(const BrokerProcess& broker, std::vector<std::string> args,
                   const std::string& input = "") {
  std::vector<std::string> argv = {"kcat", "-b", broker.bootstrap()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, input, std::chrono::seconds(60));
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(ClientCliTest, TopicCreateListDescribeAlterDelete) {
  BrokerProcess broker;
  broker.start();
  const std::string b = broker.bootstrap();

  CommandResult r = ringlog(b, {"topic", "create", "orders", "--partitions", "3", "--config",
                                "retention.ms=1000", "--config", "cleanup.policy=compact"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Created topic orders.\n");
  ASSERT_EQ(ringlog(b, {"topic", "create", "audit", "--partitions", "1"}).exit_code, 0);

  // An independent client sees the topic and its partitions.
  CommandResult metadata = kcat(broker, {"-L"});
  ASSERT_EQ(metadata.exit_code, 0) << metadata.err;
  EXPECT_TRUE(contains(metadata.out, "topic \"orders\" with 3 partitions")) << metadata.out;
  EXPECT_TRUE(contains(metadata.out, "topic \"audit\" with 1 partitions")) << metadata.out;

  r = ringlog(b, {"topic", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out), (std::vector<std::string>{"audit", "orders"}));

  r = ringlog(b, {"topic", "describe", "orders"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> described = lines_of(r.out);
  ASSERT_EQ(described.size(), 4u) << r.out;
  EXPECT_TRUE(contains(described[0], "Topic: orders\t")) << described[0];
  EXPECT_TRUE(contains(described[0], "PartitionCount: 3\tReplicationFactor: 1")) << described[0];
  EXPECT_TRUE(contains(described[0], "Configs: cleanup.policy=compact,retention.ms=1000"))
      << described[0];
  for (int p = 0; p < 3; ++p) {
    EXPECT_TRUE(contains(described[1 + p], "Partition: " + std::to_string(p) + "\tLeader: 0"))
        << described[1 + p];
  }

  r = ringlog(b, {"topic", "alter-config", "orders", "--set", "retention.ms=5000", "--set",
                  "segment.ms=60000", "--delete", "cleanup.policy"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = ringlog(b, {"topic", "describe", "orders"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Configs: retention.ms=5000,segment.ms=60000\n")) << r.out;

  r = ringlog(b, {"topic", "delete", "orders"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Deleted topic orders.\n");
  metadata = kcat(broker, {"-L"});
  ASSERT_EQ(metadata.exit_code, 0) << metadata.err;
  EXPECT_FALSE(contains(metadata.out, "\"orders\"")) << metadata.out;
  r = ringlog(b, {"topic", "list"});
  EXPECT_EQ(lines_of(r.out), std::vector<std::string>{"audit"});
}

TEST(ClientCliTest, TopicErrorsExitNonZeroWithAClearMessage) {
  BrokerProcess broker;
  broker.start();
  const std::string b = broker.bootstrap();
  ASSERT_EQ(ringlog(b, {"topic", "create", "twice"}).exit_code, 0);

  CommandResult r = ringlog(b, {"topic", "create", "twice"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "topic 'twice' already exists")) << r.err;

  for (const char* verb : {"describe", "delete"}) {
    r = ringlog(b, {"topic", verb, "missing"});
    EXPECT_EQ(r.exit_code, 1) << verb;
    EXPECT_TRUE(contains(r.err, "topic 'missing' does not exist")) << verb << ": " << r.err;
  }
  r = ringlog(b, {"topic", "alter-config", "missing", "--set", "retention.ms=1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "topic 'missing' does not exist")) << r.err;

  r = ringlog(b, {"topic", "alter-config", "twice", "--set", "retention.ms=soon"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "INVALID_CONFIG")) << r.err;

  // Bad arguments: exit 2, nothing sent.
  r = ringlog(b, {"topic", "create", "bad", "--partitions", "0"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = ringlog(b, {"topic", "create", "bad", "--config", "novalue"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = ringlog(b, {"topic", "frobnicate"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(ringlog(b, {"topic", "list"}).out, "twice"));
  EXPECT_FALSE(contains(ringlog(b, {"topic", "list"}).out, "bad"));

  // The broker is down.
  ASSERT_EQ(broker.stop(), 0);
  r = ringlog(b, {"topic", "list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "cannot reach a broker at " + b)) << r.err;
  EXPECT_TRUE(contains(r.err, "Connection refused")) << r.err;
}

}  // namespace
}  // namespace ringlog::testing
