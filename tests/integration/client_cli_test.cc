// Proves the client commands work against the real broker process, checked with an independent
// client (kcat / librdkafka): `ringlog topic` creates, lists, describes, alters and deletes
// topics and fails clearly (non-zero exit) on unknown topics, a broker that is down and bad
// arguments; `ringlog produce` writes lines (keys split at a separator, headers) that kcat reads
// back, each key in the partition kcat's murmur2 partitioner (and the Java formula) picks;
// `ringlog consume` reads what kcat wrote from earliest, an offset, latest and a timestamp,
// with --count, --format and --timeout-ms.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client/murmur2.h"
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

// key -> partition from kcat lines "KEY PARTITION".
std::map<std::string, int> partitions_by_key(const std::string& kcat_out) {
  std::map<std::string, int> out;
  for (const std::string& line : lines_of(kcat_out)) {
    std::istringstream in(line);
    std::string key;
    int partition = -1;
    in >> key >> partition;
    auto [it, inserted] = out.emplace(key, partition);
    EXPECT_EQ(it->second, partition) << "key " << key << " in two partitions";
  }
  return out;
}

TEST(ClientCliTest, ProducedKeysLandWhereKcatsMurmur2PartitionerPutsThem) {
  BrokerProcess broker;
  broker.start();
  const std::string b = broker.bootstrap();
  constexpr int kPartitions = 6;
  constexpr int kRecords = 3000;
  for (const char* topic : {"ours", "theirs"}) {
    ASSERT_EQ(ringlog(b, {"topic", "create", topic, "--partitions", std::to_string(kPartitions)})
                  .exit_code,
              0);
  }
  std::string input;
  for (int i = 0; i < kRecords; ++i) {
    input += "user-" + std::to_string(i % 211) + "::value " + std::to_string(i) + "\n";
  }
  CommandResult r =
      ringlog(b, {"produce", "ours", "--key-separator", "::", "--header", "app=cli"}, input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = kcat(broker, {"-P", "-t", "theirs", "-K", "::", "-X", "partitioner=murmur2_random"}, input);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // Everything comes back intact, in order per key, with the header.
  r = kcat(broker, {"-C", "-t", "ours", "-o", "beginning", "-e", "-q", "-f", "%k|%s|%h|%p\n"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> got = lines_of(r.out);
  ASSERT_EQ(got.size(), static_cast<size_t>(kRecords));
  std::set<int> values;
  std::map<std::string, int> last_value_of_key;
  for (const std::string& line : got) {
    std::vector<std::string> f;
    std::istringstream in(line);
    for (std::string part; std::getline(in, part, '|');) f.push_back(part);
    ASSERT_EQ(f.size(), 4u) << line;
    ASSERT_EQ(f[1].rfind("value ", 0), 0u) << line;
    const int v = std::stoi(f[1].substr(6));
    EXPECT_EQ(f[0], "user-" + std::to_string(v % 211)) << line;
    EXPECT_EQ(f[2], "app=cli") << line;
    if (last_value_of_key.count(f[0])) {
      EXPECT_GT(v, last_value_of_key[f[0]]) << line;
    }
    last_value_of_key[f[0]] = v;
    values.insert(v);
  }
  EXPECT_EQ(values.size(), static_cast<size_t>(kRecords));

  // Same key, same partition as librdkafka's murmur2 and the Java formula.
  const std::vector<std::string> key_partition = {"-C", "-o", "beginning", "-e",
                                                  "-q", "-f", "%k %p\n",   "-t"};
  std::vector<std::string> args = key_partition;
  args.push_back("ours");
  r = kcat(broker, args);
  const std::map<std::string, int> ours = partitions_by_key(r.out);
  args.back() = "theirs";
  r = kcat(broker, args);
  const std::map<std::string, int> theirs = partitions_by_key(r.out);
  ASSERT_EQ(ours.size(), 211u);
  EXPECT_EQ(ours, theirs);
  std::set<int> used;
  for (const auto& [key, partition] : ours) {
    EXPECT_EQ(partition, client::partition_for_key(key, kPartitions)) << key;
    used.insert(partition);
  }
  EXPECT_EQ(used.size(), static_cast<size_t>(kPartitions));
}

TEST(ClientCliTest, ProduceWithoutKeysToAPartitionAndWithEveryAcksSetting) {
  BrokerProcess broker;
  broker.start();
  const std::string b = broker.bootstrap();
  ASSERT_EQ(ringlog(b, {"topic", "create", "plain", "--partitions", "3"}).exit_code, 0);
  for (const char* acks : {"all", "1", "0"}) {
    CommandResult r = ringlog(b, {"produce", "plain", "--partition", "1", "--acks", acks},
                              std::string("acks ") + acks + "\nno newline at the end " + acks);
    ASSERT_EQ(r.exit_code, 0) << acks << ": " << r.err;
  }
  // Keyless records without a partition spread over partitions (one per batch, round-robin).
  CommandResult r = ringlog(b, {"produce", "plain"}, "spread\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;

  r = kcat(broker,
           {"-C", "-t", "plain", "-p", "1", "-o", "beginning", "-e", "-q", "-f", "%k|%s|%o\n"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> got = lines_of(r.out);
  std::vector<std::string> want = {"|acks all|0", "|no newline at the end all|1",
                                   "|acks 1|2",   "|no newline at the end 1|3",
                                   "|acks 0|4",   "|no newline at the end 0|5"};
  // (acks=0 gets no answer: kcat may need a moment to see those records.)
  for (int attempt = 0; attempt < 50 && got.size() < want.size(); ++attempt) {
    r = kcat(broker,
             {"-C", "-t", "plain", "-p", "1", "-o", "beginning", "-e", "-q", "-f", "%k|%s|%o\n"});
    got = lines_of(r.out);
  }
  EXPECT_EQ(got, want);
  r = kcat(broker, {"-C", "-t", "plain", "-o", "beginning", "-e", "-q", "-c", "100"});
  EXPECT_EQ(lines_of(r.out).size(), 7u) << r.out;
}

TEST(ClientCliTest, ProduceFailsClearlyForAnUnknownTopicOrPartition) {
  BrokerProcess broker;
  broker.start();
  const std::string b = broker.bootstrap();
  // (No stdin: these fail before reading it, and writing to a pipe nobody reads would raise
  // SIGPIPE in the test process.)
  CommandResult r = ringlog(b, {"produce", "ghost"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "topic 'ghost' does not exist")) << r.err;
  // Not auto-created by asking.
  EXPECT_FALSE(contains(ringlog(b, {"topic", "list"}).out, "ghost"));

  ASSERT_EQ(ringlog(b, {"topic", "create", "small", "--partitions", "2"}).exit_code, 0);
  r = ringlog(b, {"produce", "small", "--partition", "2"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(contains(r.err, "has 2 partition(s)")) << r.err;
  r = ringlog(b, {"produce", "small", "--acks", "2"});
  EXPECT_EQ(r.exit_code, 2);
  r = kcat(broker, {"-C", "-t", "small", "-o", "beginning", "-e", "-q"});
  EXPECT_TRUE(lines_of(r.out).empty()) << r.out;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string numbered(int first, int last) {
  std::string out;
  for (int i = first; i <= last; ++i)
    out += "k" + std::to_string(i) + ":v" + std::to_string(i) + "\n";
  return out;
}

// "offset key value" lines for offsets [first, last].
std::vector<std::string> expected_lines(int first, int last) {
  std::vector<std::string> out;
  for (int i = first; i <= last; ++i) {
    out.push_back(std::to_string(i) + " k" + std::to_string(i) + " v" + std::to_string(i));
  }
  return out;
}

TEST(ClientCliTest, ConsumeFromEarliestAnOffsetLatestAndATimestamp) {
  BrokerProcess broker;
  broker.start();
  const std::string b = broker.bootstrap();
  ASSERT_EQ(ringlog(b, {"topic", "create", "events", "--partitions", "1"}).exit_code, 0);
  CommandResult r = kcat(broker, {"-P", "-t", "events", "-K", ":"}, numbered(0, 9));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Records produced after `middle` carry timestamps at or after it; those before, before it.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const int64_t middle = now_ms();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  r = kcat(broker, {"-P", "-t", "events", "-K", ":"}, numbered(10, 19));
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const std::vector<std::string> format = {"--format", "%o %k %s", "--timeout-ms", "1000"};
  auto consume = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"consume", "events"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), format.begin(), format.end());
    CommandResult c = ringlog(b, argv);
    EXPECT_EQ(c.exit_code, 0) << c.err;
    return lines_of(c.out);
  };
  EXPECT_EQ(consume({"--from", "earliest", "--count", "20"}), expected_lines(0, 19));
  EXPECT_EQ(consume({"--from", "earliest", "--count", "3"}), expected_lines(0, 2));
  EXPECT_EQ(consume({"--from", "15"}), expected_lines(15, 19));
  EXPECT_EQ(consume({"--from", "7", "--count", "4"}), expected_lines(7, 10));
  EXPECT_EQ(consume({"--from", "@" + std::to_string(middle)}), expected_lines(10, 19));
  EXPECT_EQ(consume({"--from", "@0", "--count", "1"}), expected_lines(0, 0));
  EXPECT_TRUE(consume({"--from", "@" + std::to_string(now_ms() + 60'000)}).empty());
  EXPECT_TRUE(consume({"--from", "latest"}).empty());
  // Past the end is clamped to the end.
  EXPECT_TRUE(consume({"--from", "1000"}).empty());

  // Every placeholder, against kcat's view of the same record.
  r = kcat(broker, {"-P", "-t", "events", "-K", ":", "-H", "trace=abc", "-H", "n=1"}, "hk:hv\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  CommandResult ours = ringlog(b, {"consume", "events", "--from", "20", "--count", "1", "--format",
                                   "%t|%p|%o|%k|%s|%v|%K|%S|%h|%T|100%%\\n"});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  CommandResult theirs = kcat(broker, {"-C", "-t", "events", "-o", "20", "-c", "1", "-e", "-q",
                                       "-f", "%t|%p|%o|%k|%s|%s|%K|%S|%h|%T|100%%\\n"});
  ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
  EXPECT_EQ(ours.out, theirs.out);
  EXPECT_TRUE(contains(ours.out, "events|0|20|hk|hv|hv|2|2|trace=abc,n=1|")) << ours.out;
}

TEST(ClientCliTest, ConsumeEveryPartitionToTheEndMatchesKcat) {
  BrokerProcess broker;
  broker.start();
  const std::string b = broker.bootstrap();
  ASSERT_EQ(ringlog(b, {"topic", "create", "wide", "--partitions", "3"}).exit_code, 0);
  std::string input;
  for (int i = 0; i < 900; ++i)
    input += "key" + std::to_string(i % 31) + ":" + std::to_string(i) + "\n";
  ASSERT_EQ(kcat(broker, {"-P", "-t", "wide", "-K", ":"}, input).exit_code, 0);

  CommandResult ours = ringlog(b, {"consume", "wide", "--end", "--format", "%p %o %k %s"});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  CommandResult theirs =
      kcat(broker, {"-C", "-t", "wide", "-o", "beginning", "-e", "-q", "-f", "%p %o %k %s\n"});
  ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
  std::vector<std::string> a = lines_of(ours.out);
  std::vector<std::string> k = lines_of(theirs.out);
  ASSERT_EQ(a.size(), 900u);
  std::sort(a.begin(), a.end());
  std::sort(k.begin(), k.end());
  EXPECT_EQ(a, k);

  // One partition only.
  ours = ringlog(b, {"consume", "wide", "--partition", "2", "--end", "--format", "%p"});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  std::vector<std::string> two = lines_of(ours.out);
  EXPECT_FALSE(two.empty());
  EXPECT_EQ(std::count(two.begin(), two.end(), "2"), static_cast<long>(two.size()));
}

// `count` lines "k<i % keys>:<text> <i> <pad letters>", the pad one letter from a to z by i: keyed
// input that compresses well.
std::string keyed_lines(int count, int keys, const std::string& text, size_t pad) {
  std::string lines;
  for (int i = 0; i < count; ++i) {
    lines += "k" + std::to_string(i % keys) + ":" + text + " " + std::to_string(i) + " " +
             std::string(pad, static_cast<char>('a' + i % 26)) + "\n";
  }
  return lines;
}

// Topics written compressed by kcat (librdkafka: gzip, raw snappy, LZ4 frames, zstd) read back
// through `ringlog consume` exactly as kcat reads them, from the start and from inside a batch.
TEST(ClientCliTest, ConsumeReadsCompressedBatchesOfEveryCodec) {
  BrokerProcess broker;
  broker.start();
  const std::string b = broker.bootstrap();
  const std::string input = keyed_lines(3000, 7, "compressible value", 30);
  for (const std::string codec : {"gzip", "snappy", "lz4", "zstd"}) {
    SCOPED_TRACE(codec);
    const std::string topic = "z-" + codec;
    CommandResult p = kcat(broker, {"-P", "-t", topic, "-p", "0", "-z", codec, "-K", ":"}, input);
    ASSERT_EQ(p.exit_code, 0) << p.err;
    CommandResult ours = ringlog(b, {"consume", topic, "--end", "--format", "%o %k %s"});
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    CommandResult theirs =
        kcat(broker, {"-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%o %k %s\n"});
    ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
    EXPECT_EQ(lines_of(ours.out).size(), 3000u);
    EXPECT_EQ(ours.out, theirs.out);
    ours = ringlog(b, {"consume", topic, "--from", "1234", "--count", "2", "--format", "%o %s"});
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    EXPECT_EQ(lines_of(ours.out),
              (std::vector<std::string>{"1234 compressible value 1234 " + std::string(30, 'm'),
                                        "1235 compressible value 1235 " + std::string(30, 'n')}));
  }
}

// `ringlog produce --compression`: kcat reads back exactly what went in, for every codec.
TEST(ClientCliTest, ProduceCompressedWithEveryCodecReadsBackInKcat) {
  BrokerProcess broker;
  broker.start();
  const std::string b = broker.bootstrap();
  const std::string input = keyed_lines(2000, 5, "value", 40);
  for (const std::string codec : {"gzip", "snappy", "lz4", "zstd"}) {
    SCOPED_TRACE(codec);
    const std::string topic = "zp-" + codec;
    ASSERT_EQ(ringlog(b, {"topic", "create", topic}).exit_code, 0);
    CommandResult p =
        ringlog(b, {"produce", topic, "--compression", codec, "--key-separator", ":"}, input);
    ASSERT_EQ(p.exit_code, 0) << p.err;
    CommandResult theirs =
        kcat(broker, {"-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k:%s\n"});
    ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
    EXPECT_EQ(theirs.out, input);
    // The segment is much smaller than the values (40 repeated letters each).
    uint64_t stored = 0;
    for (const auto& entry : std::filesystem::directory_iterator(
             std::filesystem::path(broker.data_dir()) / (topic + "-0"))) {
      if (entry.path().extension() == ".log") stored += entry.file_size();
    }
    EXPECT_LT(stored, input.size() / 2);
  }
}

TEST(ClientCliTest, ConsumeFromLatestSeesOnlyRecordsProducedAfterItStarted) {
  BrokerProcess broker;
  broker.start();
  const std::string b = broker.bootstrap();
  ASSERT_EQ(ringlog(b, {"topic", "create", "live", "--partitions", "1"}).exit_code, 0);
  ASSERT_EQ(kcat(broker, {"-P", "-t", "live"}, "old-0\nold-1\nold-2\n").exit_code, 0);

  CommandResult consumed;
  std::atomic<bool> done{false};
  std::thread consumer([&] {
    consumed = ringlog(b, {"consume", "live", "--from", "latest", "--count", "2", "--timeout-ms",
                           "20000", "--format", "%o %s"});
    done = true;
  });
  // Keep producing until the consumer has its two records (bounded: 100 x 100 ms).
  for (int i = 0; i < 100 && !done; ++i) {
    kcat(broker, {"-P", "-t", "live"}, "new-" + std::to_string(i) + "\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  consumer.join();
  ASSERT_EQ(consumed.exit_code, 0) << consumed.err;
  std::vector<std::string> got = lines_of(consumed.out);
  ASSERT_EQ(got.size(), 2u) << consumed.out;
  for (const std::string& line : got) {
    std::istringstream in(line);
    int64_t offset = -1;
    std::string value;
    in >> offset >> value;
    EXPECT_GE(offset, 3) << line;
    EXPECT_EQ(value.rfind("new-", 0), 0u) << line;
  }
}

TEST(ClientCliTest, ConsumeFailsClearly) {
  BrokerProcess broker;
  broker.start();
  const std::string b = broker.bootstrap();
  CommandResult r = ringlog(b, {"consume", "ghost", "--end"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "topic 'ghost' does not exist")) << r.err;
  ASSERT_EQ(ringlog(b, {"topic", "create", "one", "--partitions", "1"}).exit_code, 0);
  r = ringlog(b, {"consume", "one", "--partition", "1", "--end"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(contains(r.err, "there is no partition 1")) << r.err;
  r = ringlog(b, {"consume", "one", "--from", "yesterday"});
  EXPECT_EQ(r.exit_code, 2);
  // A count that is not reached ends at the timeout, saying so.
  r = ringlog(b, {"consume", "one", "--count", "5", "--timeout-ms", "300"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(contains(r.err, "0 of 5 record(s)")) << r.err;
  ASSERT_EQ(broker.stop(), 0);
  r = ringlog(b, {"consume", "one", "--end"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "cannot reach a broker")) << r.err;
}

}  // namespace
}  // namespace ringlog::testing
