// Proves unmodified kcat (librdkafka 2.0) works against the real broker process: metadata,
// keyed produce to several partitions and consume back intact, offsets, and restart.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>

#include "tests/integration/broker_process.h"

namespace ringlog::testing {
namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

CommandResult kcat(const BrokerProcess& broker, std::vector<std::string> args,
                   const std::string& input = "") {
  std::vector<std::string> argv = {"kcat", "-b", broker.bootstrap()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, input);
}

// Consumes everything in `topic` as "partition offset key value" lines.
std::vector<std::string> consume_all(const BrokerProcess& broker, const std::string& topic) {
  CommandResult r =
      kcat(broker, {"-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p %o %k %s\n"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return lines(r.out);
}

TEST(KcatTest, MetadataListsTheBrokerAndCreatedTopics) {
  BrokerProcess broker({.args = {"--num.partitions", "3"}});
  broker.start();
  CommandResult produce = kcat(broker, {"-P", "-t", "listed"}, "one\ntwo\n");
  ASSERT_EQ(produce.exit_code, 0) << produce.err;
  CommandResult r = kcat(broker, {"-L"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("broker 0 at " + broker.bootstrap()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("topic \"listed\" with 3 partitions"), std::string::npos) << r.out;
}

TEST(KcatTest, KeyedRecordsComeBackInOrderWithEqualKeysInOnePartition) {
  BrokerProcess broker({.args = {"--num.partitions", "3"}});
  broker.start();
  constexpr int kRecords = 20'000;
  std::string input;
  for (int i = 0; i < kRecords; ++i) {
    input += "key" + std::to_string(i % 97) + ":value" + std::to_string(i) + "\n";
  }
  CommandResult produce = kcat(broker, {"-P", "-t", "keyed", "-K:"}, input);
  ASSERT_EQ(produce.exit_code, 0) << produce.err;

  std::vector<std::string> got = consume_all(broker, "keyed");
  ASSERT_EQ(got.size(), static_cast<size_t>(kRecords));
  std::map<int, int64_t> last_offset;
  std::map<std::string, int> partition_of_key;
  std::map<std::string, int> last_value_of_key;
  std::set<int> values;
  for (const std::string& line : got) {
    std::istringstream in(line);
    int partition;
    int64_t offset;
    std::string key, value;
    in >> partition >> offset >> key >> value;
    ASSERT_TRUE(value.rfind("value", 0) == 0) << line;
    const int v = std::stoi(value.substr(5));
    values.insert(v);
    // Offsets grow by one within a partition.
    if (last_offset.count(partition)) {
      EXPECT_EQ(offset, last_offset[partition] + 1) << line;
    } else {
      EXPECT_EQ(offset, 0) << line;
    }
    last_offset[partition] = offset;
    // One key, one partition; and a key's values in the order they were produced.
    auto [it, inserted] = partition_of_key.emplace(key, partition);
    EXPECT_EQ(it->second, partition) << "key " << key << " in two partitions";
    if (last_value_of_key.count(key)) {
      EXPECT_GT(v, last_value_of_key[key]) << line;
    }
    last_value_of_key[key] = v;
    EXPECT_EQ(key, "key" + std::to_string(v % 97));
  }
  EXPECT_EQ(values.size(), static_cast<size_t>(kRecords));
  EXPECT_EQ(last_offset.size(), 3u) << "records should spread over the 3 partitions";
}

TEST(KcatTest, LatestOffsetsMatchWhatWasProduced) {
  BrokerProcess broker;
  broker.start();
  std::string input;
  for (int i = 0; i < 1234; ++i) input += "v" + std::to_string(i) + "\n";
  ASSERT_EQ(kcat(broker, {"-P", "-t", "offsets", "-p", "0"}, input).exit_code, 0);
  CommandResult r = kcat(broker, {"-Q", "-t", "offsets:0:-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("offset 1234"), std::string::npos) << r.out;
  r = kcat(broker, {"-Q", "-t", "offsets:0:-2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("offset 0"), std::string::npos) << r.out;
}

TEST(KcatTest, ConsumerStartingInTheMiddleGetsTheRest) {
  BrokerProcess broker;
  broker.start();
  std::string input;
  for (int i = 0; i < 100; ++i) input += "v" + std::to_string(i) + "\n";
  ASSERT_EQ(kcat(broker, {"-P", "-t", "seek", "-p", "0"}, input).exit_code, 0);
  CommandResult r = kcat(broker, {"-C", "-t", "seek", "-p", "0", "-o", "60", "-e", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> got = lines(r.out);
  ASSERT_EQ(got.size(), 40u);
  EXPECT_EQ(got.front(), "v60");
  EXPECT_EQ(got.back(), "v99");
}

TEST(KcatTest, RecordsSurviveARestartAfterSigterm) {
  BrokerProcess broker({.args = {"--num.partitions", "2"}});
  broker.start();
  std::string input;
  for (int i = 0; i < 5000; ++i) input += "r" + std::to_string(i) + "\n";
  ASSERT_EQ(kcat(broker, {"-P", "-t", "durable"}, input).exit_code, 0);
  ASSERT_EQ(broker.stop(), 0) << broker.log();
  broker.start();
  EXPECT_EQ(consume_all(broker, "durable").size(), 5000u);
  // And the log continues where it was.
  ASSERT_EQ(kcat(broker, {"-P", "-t", "durable", "-p", "0"}, "after\n").exit_code, 0);
  EXPECT_EQ(consume_all(broker, "durable").size(), 5001u);
}

}  // namespace
}  // namespace ringlog::testing
