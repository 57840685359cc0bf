// Proves records keep everything the producer set: kcat produces 100,000 keyed records with
// headers to 3 partitions and reads them back with per-partition order, keys, values, headers and
// timestamps intact and equal keys in one partition; a librdkafka producer sets explicit
// per-record timestamps and headers that come back exactly; and gzip, snappy, lz4 and zstd
// batches from kcat are stored as they came (the segment files hold batches with that codec's
// attribute bits) and read back intact.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/acceptance_rdkafka.h"
#include "tests/integration/acceptance_util.h"

namespace ringlog::testing::accept {
namespace {

using namespace std::chrono_literals;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(RecordsTest, KcatKeyedRecordsWithHeadersAndTimestampsComeBackIntact) {
  BrokerProcess broker({.args = {"--num.partitions", "3"}});
  broker.start();
  constexpr int kRecords = 100'000;
  std::string input;
  input.reserve(kRecords * 24);
  for (int i = 0; i < kRecords; ++i) {
    input += "key" + std::to_string(i % 211) + ":value" + std::to_string(i) + "\n";
  }
  const int64_t before = now_ms();
  CommandResult produce = kcat(broker, {"-P", "-t", "keyed", "-K:", "-H", "app=ringlog", "-H",
                                        "trace=t-42"},
                               input);
  ASSERT_EQ(produce.exit_code, 0) << produce.err;
  const int64_t after = now_ms();

  CommandResult r = kcat(broker, {"-C", "-t", "keyed", "-o", "beginning", "-e", "-q", "-f",
                                  "%p %o %T %k %s %h\n"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> got = split_lines(r.out);
  ASSERT_EQ(got.size(), static_cast<size_t>(kRecords));
  std::map<int, int64_t> last_offset, last_timestamp;
  std::map<std::string, int> partition_of_key;
  std::map<std::string, int> last_value_of_key;
  std::vector<bool> seen(kRecords, false);
  int bad = 0;
  for (const std::string& line : got) {
    std::istringstream in(line);
    int partition;
    int64_t offset, timestamp;
    std::string key, value, headers;
    in >> partition >> offset >> timestamp >> key >> value >> headers;
    if (bad > 10) break;
    if (value.rfind("value", 0) != 0) {
      ADD_FAILURE() << line;
      ++bad;
      continue;
    }
    const int v = std::stoi(value.substr(5));
    ASSERT_LT(v, kRecords);
    EXPECT_FALSE(seen[static_cast<size_t>(v)]) << "duplicate " << line;
    seen[static_cast<size_t>(v)] = true;
    EXPECT_EQ(key, "key" + std::to_string(v % 211)) << line;
    EXPECT_EQ(headers, "app=ringlog,trace=t-42") << line;
    // CreateTime set by the client while producing; per partition in produce order.
    EXPECT_GE(timestamp, before - 1000) << line;
    EXPECT_LE(timestamp, after + 1000) << line;
    if (last_timestamp.count(partition)) {
      EXPECT_GE(timestamp, last_timestamp[partition]) << line;
    }
    last_timestamp[partition] = timestamp;
    EXPECT_EQ(offset, last_offset.count(partition) ? last_offset[partition] + 1 : 0) << line;
    last_offset[partition] = offset;
    auto [it, inserted] = partition_of_key.emplace(key, partition);
    EXPECT_EQ(it->second, partition) << "key " << key << " in two partitions";
    if (last_value_of_key.count(key)) {
      EXPECT_GT(v, last_value_of_key[key]) << line;
    }
    last_value_of_key[key] = v;
  }
  EXPECT_EQ(last_offset.size(), 3u) << "records should spread over the 3 partitions";
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true), kRecords);
}

TEST(RecordsTest, ExplicitTimestampsAndPerRecordHeadersComeBackExactly) {
  BrokerProcess broker({.args = {"--num.partitions", "3"}});
  broker.start();
  constexpr int kRecords = 20'000;
  constexpr int64_t kT0 = 1'600'000'000'000LL;
  auto headers_of = [](int i) {
    std::vector<Header> h{{"id", std::to_string(i)}, {"kind", i % 2 ? "odd" : "even"}};
    if (i % 5 == 0) h.push_back({"empty", ""});
    return h;
  };
  {
    Producer producer(broker.bootstrap(), {{"linger.ms", "5"}});
    for (int i = 0; i < kRecords; ++i) {
      // Timestamps not monotonic within a partition: stored per record, not derived.
      const int64_t ts = kT0 + (i % 3 == 0 ? -1000 * (i % 7) : 1000 * i);
      ASSERT_EQ(producer.produce("stamped", i % 3, "k" + std::to_string(i), "v" + std::to_string(i),
                                 headers_of(i), ts),
                RD_KAFKA_RESP_ERR_NO_ERROR);
      producer.poll(0);
    }
    ASSERT_TRUE(producer.flush(60s));
    ASSERT_EQ(producer.acked().size(), static_cast<size_t>(kRecords));
  }
  int total = 0;
  for (int p = 0; p < 3; ++p) {
    PartitionConsumer c(broker.bootstrap(), "stamped", p);
    ASSERT_TRUE(c.start(RD_KAFKA_OFFSET_BEGINNING));
    std::vector<Consumed> got = c.drain(60s);
    int prev = -1;
    for (const Consumed& m : got) {
      const int i = std::stoi(m.value.substr(1));
      EXPECT_EQ(i % 3, p);
      EXPECT_GT(i, prev) << "order within the partition";
      prev = i;
      ASSERT_TRUE(m.key.has_value());
      EXPECT_EQ(*m.key, "k" + std::to_string(i));
      EXPECT_EQ(m.timestamp, kT0 + (i % 3 == 0 ? -1000 * (i % 7) : 1000 * i));
      EXPECT_EQ(m.timestamp_type, RD_KAFKA_TIMESTAMP_CREATE_TIME);
      std::vector<Header> want = headers_of(i);
      ASSERT_EQ(m.headers.size(), want.size()) << i;
      for (size_t h = 0; h < want.size(); ++h) {
        EXPECT_EQ(m.headers[h].name, want[h].name);
        EXPECT_EQ(m.headers[h].value, want[h].value);
      }
    }
    total += static_cast<int>(got.size());
  }
  EXPECT_EQ(total, kRecords);
}

// Pages of `path` in the page cache, or -1 where the kernel has no cachestat(2) (Linux 6.5).
int64_t cached_pages(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct {
    uint64_t off = 0, len = 0;  // the whole file
  } range;
  uint64_t stat[5] = {};  // nr_cache first
  const long rc = ::syscall(451, fd, &range, stat, 0);
  ::close(fd);
  return rc == 0 ? static_cast<int64_t>(stat[0]) : -1;
}

// With log.direct.writes the broker writes large appends with O_DIRECT, so their bytes are not
// in the page cache, and a fetch reads them with O_DIRECT too: every record comes back exactly,
// across blocks that each write shared with the one before.
TEST(RecordsTest, RecordsWrittenDirectAndReadDirectComeBackExactly) {
  BrokerProcess broker({.args = {"--log.direct.writes", "true"}});
  broker.start();
  constexpr int kRecords = 20'000;
  auto value_of = [](int i) {
    std::string v = "value-" + std::to_string(i) + "-";
    // 1-4 KiB, varying, so batches end anywhere in a block.
    const size_t size = 1024 + static_cast<size_t>(i * 37 % 3072);
    while (v.size() < size) v += static_cast<char>('a' + (i + v.size()) % 26);
    return v;
  };
  {
    Producer producer(broker.bootstrap(), {{"linger.ms", "5"}});
    for (int i = 0; i < kRecords; ++i) {
      ASSERT_EQ(producer.produce("direct", 0, "k" + std::to_string(i), value_of(i), {}, 0),
                RD_KAFKA_RESP_ERR_NO_ERROR);
      producer.poll(0);
    }
    ASSERT_TRUE(producer.flush(60s));
    ASSERT_EQ(producer.acked().size(), static_cast<size_t>(kRecords));
  }
  const std::string segment = broker.data_dir() + "/direct-0/00000000000000000000.log";
  const int64_t cached = cached_pages(segment);
  const auto file_pages = static_cast<int64_t>(std::filesystem::file_size(segment) / 4096);
  if (cached >= 0) {
    // Written direct: at most the blocks of the small writes (and of reads) are cached.
    EXPECT_LT(cached, file_pages / 2) << "of " << file_pages << " pages";
  }
  for (int pass = 0; pass < 2; ++pass) {
    PartitionConsumer c(broker.bootstrap(), "direct", 0);
    ASSERT_TRUE(c.start(RD_KAFKA_OFFSET_BEGINNING));
    std::vector<Consumed> got = c.drain(60s);
    ASSERT_EQ(got.size(), static_cast<size_t>(kRecords)) << "pass " << pass;
    int bad = 0;
    for (int i = 0; i < kRecords && bad < 10; ++i) {
      const Consumed& m = got[static_cast<size_t>(i)];
      if (m.value != value_of(i) || !m.key || *m.key != "k" + std::to_string(i)) {
        ADD_FAILURE() << "record " << i << " differs (pass " << pass << ")";
        ++bad;
      }
    }
  }
  if (cached >= 0) {
    // The fetches read it direct too: still not in the page cache.
    EXPECT_LT(cached_pages(segment), file_pages / 2);
  }
}

class CompressionTest : public ::testing::TestWithParam<std::pair<std::string, int>> {};

TEST_P(CompressionTest, BatchesAreStoredAsTheyCameAndReadBackIntact) {
  const auto& [codec, id] = GetParam();
  BrokerProcess broker;
  broker.start();
  constexpr int kRecords = 5000;
  std::string input;
  for (int i = 0; i < kRecords; ++i) {
    input += "compressible payload " + std::to_string(i) + " " + std::string(40, 'a' + i % 26) + "\n";
  }
  const std::string topic = "z-" + codec;
  CommandResult p =
      kcat(broker, {"-P", "-t", topic, "-p", "0", "-z", codec, "-d", "msg"}, input);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  // Consumers get the records back intact, from the start and from inside a batch.
  CommandResult c = kcat(broker, {"-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, input);
  c = kcat(broker, {"-C", "-t", topic, "-p", "0", "-o", "2501", "-e", "-q", "-f", "%o %s\n"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  std::vector<std::string> tail = split_lines(c.out);
  ASSERT_EQ(tail.size(), static_cast<size_t>(kRecords - 2501));
  EXPECT_EQ(tail.front().substr(0, 31), "2501 compressible payload 2501 ");

  // The segment holds the producer's batches with the codec's attribute bits. (librdkafka sends
  // a batch uncompressed when compressing does not shrink it, e.g. a lone first record.)
  std::vector<StoredBatch> batches =
      scan_partition_logs(std::filesystem::path(broker.data_dir()) / (topic + "-0"));
  ASSERT_FALSE(batches.empty());
  int64_t records = 0, next = 0, compressed_records = 0;
  for (const StoredBatch& b : batches) {
    EXPECT_TRUE((b.attributes & 7) == id || (b.attributes & 7) == 0) << b.attributes;
    if ((b.attributes & 7) == id) compressed_records += b.records;
    EXPECT_EQ(b.base_offset, next);
    next += b.records;
    records += b.records;
  }
  EXPECT_EQ(records, kRecords);
  EXPECT_GE(compressed_records, kRecords - 10);
}

INSTANTIATE_TEST_SUITE_P(Codecs, CompressionTest,
                         ::testing::Values(std::pair<std::string, int>{"gzip", 1},
                                           std::pair<std::string, int>{"snappy", 2},
                                           std::pair<std::string, int>{"lz4", 3},
                                           std::pair<std::string, int>{"zstd", 4}),
                         [](const auto& info) { return info.param.first; });

}  // namespace
}  // namespace ringlog::testing::accept
