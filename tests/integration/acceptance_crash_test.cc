// Proves that with a flush on every append (--log.flush.interval.messages 1) a SIGKILL in the
// middle of a produce load loses no acknowledged record: a librdkafka producer (acks=all) counts
// its successful delivery reports, the broker is killed and restarted, and a consumer reads
// every acknowledged id back. Also proves a torn tail (half a batch at the end of the active
// segment, as a crash mid-write leaves it) is cut on restart and appends continue after it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/acceptance_rdkafka.h"
#include "tests/integration/acceptance_util.h"

namespace ringlog::testing::accept {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kPartitions = 2;

BrokerOptions durable_broker() {
  return {.args = {"--num.partitions", std::to_string(kPartitions), "--log.flush.interval.messages",
                   "1"}};
}

std::string id_value(int64_t id) {
  std::string v = "id-" + std::to_string(id) + "-";
  v.resize(200, 'p');
  return v;
}

// "id-<n>-ppp..." -> n, or -1.
int64_t parse_id(const std::string& value, const std::string& prefix = "id-") {
  if (value.rfind(prefix, 0) != 0) return -1;
  size_t end = value.find('-', prefix.size());
  return std::stoll(value.substr(prefix.size(), end - prefix.size()));
}

std::vector<Consumed> consume_everything(const BrokerProcess& broker, const std::string& topic) {
  std::vector<Consumed> all;
  for (int p = 0; p < kPartitions; ++p) {
    PartitionConsumer c(broker.bootstrap(), topic, p);
    EXPECT_TRUE(c.start(RD_KAFKA_OFFSET_BEGINNING));
    std::vector<Consumed> part = c.drain(60s);
    EXPECT_TRUE(c.errors().empty()) << rd_kafka_err2name(c.errors().front());
    // Offsets in a partition are dense from 0.
    for (size_t i = 0; i < part.size(); ++i) {
      EXPECT_EQ(part[i].offset, static_cast<int64_t>(i)) << "partition " << p;
      if (part[i].offset != static_cast<int64_t>(i)) break;
    }
    all.insert(all.end(), part.begin(), part.end());
  }
  return all;
}

TEST(CrashTest, KillNineDuringProduceLoadKeepsEveryAcknowledgedRecord) {
  BrokerProcess broker(durable_broker());
  broker.start();
  const std::string topic = "crash";
  std::set<int64_t> acked_ids;
  int64_t produced = 0;
  {
    Producer producer(broker.bootstrap(), {{"acks", "all"},
                                           {"linger.ms", "2"},
                                           {"message.timeout.ms", "15000"},
                                           {"request.timeout.ms", "5000"},
                                           {"reconnect.backoff.ms", "50"},
                                           {"reconnect.backoff.max.ms", "500"}});
    // Load until enough is acknowledged (bounded by time), keeping records in flight.
    const auto load_deadline = Clock::now() + 20s;
    while (Clock::now() < load_deadline && producer.acked().size() < 10'000) {
      ASSERT_EQ(producer.produce(topic, -1, "k" + std::to_string(produced % 64), id_value(produced)),
                RD_KAFKA_RESP_ERR_NO_ERROR);
      ++produced;
      producer.poll(0);
    }
    ASSERT_GT(producer.acked().size(), 1000u) << "the load never got going\n" << broker.log();
    // A burst queued at once, so that the kill lands with many records in flight.
    for (int i = 0; i < 20'000; ++i) {
      ASSERT_EQ(producer.produce(topic, -1, "k" + std::to_string(produced % 64), id_value(produced)),
                RD_KAFKA_RESP_ERR_NO_ERROR);
      ++produced;
    }
    producer.poll(20);
    const size_t acked_at_kill = producer.acked().size();
    broker.kill9();
    const int64_t in_flight = producer.queued() - static_cast<int64_t>(acked_at_kill) -
                              producer.failed();
    std::cout << "killed with " << acked_at_kill << " acked, " << in_flight << " in flight\n";

    // Restart; the producer reconnects and finishes (or times out) what was in flight.
    broker.start();
    producer.flush(40s);
    EXPECT_EQ(producer.queued(),
              static_cast<int64_t>(producer.acked().size()) + producer.failed())
        << "delivery reports missing after the flush";
    for (const std::string& v : producer.acked()) acked_ids.insert(parse_id(v));
    std::cout << "acked " << producer.acked().size() << ", failed " << producer.failed() << "\n";
  }

  // Appends continue after the restart.
  {
    Producer after(broker.bootstrap(), {{"acks", "all"}});
    for (int i = 0; i < 100; ++i) {
      ASSERT_EQ(after.produce(topic, i % kPartitions, std::nullopt, "after-" + std::to_string(i)),
                RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    ASSERT_TRUE(after.flush(30s));
    ASSERT_EQ(after.acked().size(), 100u);
  }

  std::vector<Consumed> got = consume_everything(broker, topic);
  std::set<int64_t> seen;
  int after_count = 0;
  for (const Consumed& c : got) {
    if (c.value.rfind("after-", 0) == 0) {
      ++after_count;
      continue;
    }
    const int64_t id = parse_id(c.value);
    ASSERT_GE(id, 0) << "garbage record: " << c.value.substr(0, 40);
    ASSERT_LT(id, produced);
    EXPECT_EQ(c.value, id_value(id));
    seen.insert(id);
  }
  EXPECT_EQ(after_count, 100);
  std::vector<int64_t> missing;
  for (int64_t id : acked_ids) {
    if (!seen.count(id)) missing.push_back(id);
  }
  EXPECT_TRUE(missing.empty()) << missing.size() << " acknowledged records lost, first id "
                               << missing.front();
  EXPECT_GE(seen.size(), acked_ids.size());
  std::cout << "consumed " << got.size() << " records, " << seen.size() << " distinct ids\n";
}

TEST(CrashTest, TornTailIsCutOnRestartAndAppendsContinue) {
  BrokerProcess broker(durable_broker());
  broker.start();
  const std::string topic = "torn";
  std::string input;
  for (int i = 0; i < 1000; ++i) input += "r" + std::to_string(i) + "\n";
  ASSERT_EQ(kcat(broker, {"-P", "-t", topic, "-p", "0"}, input).exit_code, 0);
  broker.kill9();

  // Half of a copy of the last batch right after the valid data of the active segment.
  const std::filesystem::path dir = std::filesystem::path(broker.data_dir()) / (topic + "-0");
  std::vector<std::filesystem::path> logs;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".log") logs.push_back(e.path());
  }
  ASSERT_FALSE(logs.empty());
  std::sort(logs.begin(), logs.end());
  std::string data;
  {
    std::ifstream in(logs.back(), std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  size_t end = 0, last_start = 0;
  while (end + 12 <= data.size()) {
    Cursor c(std::string_view(data).substr(end));
    c.i64();
    const int32_t len = c.i32();
    if (len <= 0 || end + 12 + static_cast<size_t>(len) > data.size()) break;
    last_start = end;
    end += 12 + static_cast<size_t>(len);
  }
  ASSERT_GT(end, 0u);
  std::string torn = data.substr(last_start, (end - last_start) / 2);
  {
    std::fstream out(logs.back(), std::ios::binary | std::ios::in | std::ios::out);
    out.seekp(static_cast<std::streamoff>(end));
    out.write(torn.data(), static_cast<std::streamsize>(torn.size()));
  }

  broker.start();
  CommandResult r = kcat(broker, {"-Q", "-t", topic + ":0:-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("offset 1000\n"), std::string::npos) << r.out << broker.log();
  ASSERT_EQ(kcat(broker, {"-P", "-t", topic, "-p", "0"}, "after1\nafter2\n").exit_code, 0);
  r = kcat(broker, {"-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q", "-f", "%o %s\n"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> got = split_lines(r.out);
  ASSERT_EQ(got.size(), 1002u);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(got[static_cast<size_t>(i)], std::to_string(i) + " r" + std::to_string(i));
  }
  EXPECT_EQ(got[1000], "1000 after1");
  EXPECT_EQ(got[1001], "1001 after2");
  // And it survives another kill -9 after the repair.
  broker.kill9();
  broker.start();
  r = kcat(broker, {"-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-f", "%o %s\n"});
  ASSERT_EQ(r.exit_code, 0) << r.err << broker.log();
  EXPECT_EQ(split_lines(r.out).size(), 1002u);
}

}  // namespace
}  // namespace ringlog::testing::accept
