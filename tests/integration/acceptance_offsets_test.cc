// Proves ListOffsets earliest / latest / by timestamp against the real broker (kcat -Q and
// librdkafka's offsets_for_times), that a consumer can start and seek in the middle of a log,
// and that a fetch out of range gets OFFSET_OUT_OF_RANGE and the client's auto.offset.reset
// then works (kcat, and a librdkafka consumer with earliest, latest and error).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/acceptance_rdkafka.h"
#include "tests/integration/acceptance_util.h"

namespace ringlog::testing::accept {
namespace {

using namespace std::chrono_literals;

constexpr int kRecords = 1000;
constexpr int64_t kT0 = 1'700'000'000'000LL;  // record i has timestamp kT0 + 10 * i
const char* kTopic = "times";

class OffsetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    Producer producer(broker_.bootstrap(), {{"linger.ms", "5"}, {"batch.num.messages", "64"}});
    for (int i = 0; i < kRecords; ++i) {
      ASSERT_EQ(producer.produce(kTopic, 0, std::nullopt, "v" + std::to_string(i), {},
                                 kT0 + 10 * i),
                RD_KAFKA_RESP_ERR_NO_ERROR);
      // Several batches, so lookups cross batch boundaries.
      if (i % 100 == 99) {
        ASSERT_TRUE(producer.flush(30s));
      }
    }
    ASSERT_TRUE(producer.flush(30s));
    ASSERT_EQ(producer.acked().size(), static_cast<size_t>(kRecords));
  }

  // Offset for `timestamp` on partition 0 through librdkafka, or the error.
  std::pair<rd_kafka_resp_err_t, int64_t> offset_for_time(int64_t timestamp) {
    PartitionConsumer c(broker_.bootstrap(), kTopic, 0);
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, kTopic, 0)->offset = timestamp;
    rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(c.handle(), list, 10'000);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) e = list->elems[0].err;
    const int64_t offset = list->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(list);
    return {e, offset};
  }

  BrokerProcess broker_;
};

TEST_F(OffsetsTest, EarliestAndLatestAreTheLogBounds) {
  CommandResult r = kcat(broker_, {"-Q", "-t", std::string(kTopic) + ":0:-2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("offset 0\n"), std::string::npos) << r.out;
  r = kcat(broker_, {"-Q", "-t", std::string(kTopic) + ":0:-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("offset 1000\n"), std::string::npos) << r.out;

  PartitionConsumer c(broker_.bootstrap(), kTopic, 0);
  int64_t low = -1, high = -1;
  ASSERT_EQ(rd_kafka_query_watermark_offsets(c.handle(), kTopic, 0, &low, &high, 10'000),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(low, 0);
  EXPECT_EQ(high, kRecords);
}

TEST_F(OffsetsTest, ByTimestampFindsTheFirstRecordAtOrAfterIt) {
  // Exact hits, between two records, before the first and inside later batches.
  for (auto [ts, want] : std::vector<std::pair<int64_t, int64_t>>{
           {kT0, 0}, {kT0 - 5000, 0}, {kT0 + 5000, 500}, {kT0 + 5001, 501}, {kT0 + 5009, 501},
           {kT0 + 9990, 999}, {kT0 + 10 * 123 + 1, 124}}) {
    auto [err, offset] = offset_for_time(ts);
    EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << ts;
    EXPECT_EQ(offset, want) << "timestamp " << ts;
  }
  // After the last record: no such offset (Kafka answers -1, librdkafka reports it as is or as
  // the end offset).
  auto [err, offset] = offset_for_time(kT0 + 10 * kRecords + 1);
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_TRUE(offset == -1 || offset == kRecords) << offset;

  // kcat -Q with a timestamp.
  CommandResult r =
      kcat(broker_, {"-Q", "-t", std::string(kTopic) + ":0:" + std::to_string(kT0 + 2500)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("offset 250\n"), std::string::npos) << r.out;
  // kcat -o s@<ts>: consume from a timestamp.
  r = kcat(broker_, {"-C", "-t", kTopic, "-p", "0", "-o", "s@" + std::to_string(kT0 + 9000),
                     "-e", "-q", "-f", "%o %s %T\n"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> got = split_lines(r.out);
  ASSERT_EQ(got.size(), 100u) << r.out;
  EXPECT_EQ(got.front(), "900 v900 " + std::to_string(kT0 + 9000));
}

TEST_F(OffsetsTest, ConsumerStartsAndSeeksInTheMiddle) {
  PartitionConsumer c(broker_.bootstrap(), kTopic, 0);
  ASSERT_TRUE(c.start(500));
  for (int i = 500; i < 510; ++i) {
    auto m = c.next(10s);
    ASSERT_TRUE(m.has_value()) << i;
    EXPECT_EQ(m->offset, i);
    EXPECT_EQ(m->value, "v" + std::to_string(i));
    EXPECT_EQ(m->timestamp, kT0 + 10 * i);
    EXPECT_EQ(m->timestamp_type, RD_KAFKA_TIMESTAMP_CREATE_TIME);
  }
  // Seek back into the middle of an earlier batch, then forward.
  ASSERT_EQ(c.seek(250), RD_KAFKA_RESP_ERR_NO_ERROR);
  auto m = c.next(10s);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->offset, 250);
  EXPECT_EQ(m->value, "v250");
  ASSERT_EQ(c.seek(777), RD_KAFKA_RESP_ERR_NO_ERROR);
  std::vector<Consumed> rest = c.drain(20s);
  ASSERT_EQ(rest.size(), static_cast<size_t>(kRecords - 777));
  for (size_t i = 0; i < rest.size(); ++i) EXPECT_EQ(rest[i].offset, 777 + static_cast<int64_t>(i));
  EXPECT_TRUE(c.errors().empty());
}

TEST_F(OffsetsTest, OutOfRangeFetchGetsOffsetOutOfRange) {
  // Fetch v4 by hand: one partition at offset 999999.
  RawConnection conn(broker_.port());
  ASSERT_TRUE(conn.connected());
  Bytes body;
  body.i32(-1).i32(100).i32(1).i32(1 << 20).i8(0);  // replica, max wait, min bytes, max bytes, isolation
  body.i32(1).str(kTopic).i32(1).i32(0).i64(999'999).i32(1 << 20);
  ASSERT_TRUE(conn.send(request_frame(1, 4, 55, body.str())));
  auto frame = conn.read_frame();
  ASSERT_TRUE(frame.has_value());
  Cursor cur(*frame);
  EXPECT_EQ(cur.i32(), 55);
  cur.i32();  // throttle
  ASSERT_EQ(cur.i32(), 1);
  EXPECT_EQ(cur.str(), kTopic);
  ASSERT_EQ(cur.i32(), 1);
  EXPECT_EQ(cur.i32(), 0);
  EXPECT_EQ(cur.i16(), 1);  // OFFSET_OUT_OF_RANGE
  EXPECT_EQ(cur.i64(), kRecords);  // high watermark
  ASSERT_TRUE(cur.ok());
}

TEST_F(OffsetsTest, KcatAutoOffsetResetEarliestRestartsFromTheBeginning) {
  CommandResult r = kcat(broker_, {"-C", "-t", kTopic, "-p", "0", "-o", "999999", "-X",
                                   "auto.offset.reset=earliest", "-e", "-q", "-f", "%o\n"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> got = split_lines(r.out);
  ASSERT_EQ(got.size(), static_cast<size_t>(kRecords)) << r.err;
  EXPECT_EQ(got.front(), "0");
  EXPECT_EQ(got.back(), "999");
}

TEST_F(OffsetsTest, LibrdkafkaAutoOffsetResetWorks) {
  {
    PartitionConsumer c(broker_.bootstrap(), kTopic, 0, {}, {{"auto.offset.reset", "earliest"}});
    ASSERT_TRUE(c.start(999'999));
    auto m = c.next(15s);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->offset, 0);
    EXPECT_EQ(m->value, "v0");
  }
  {
    PartitionConsumer c(broker_.bootstrap(), kTopic, 0, {}, {{"auto.offset.reset", "latest"}});
    ASSERT_TRUE(c.start(999'999));
    bool eof = false;
    EXPECT_FALSE(c.next(15s, &eof).has_value());
    EXPECT_TRUE(eof) << "a reset to latest reaches the end with nothing to read";
    // A record produced now is the next one read.
    Producer p(broker_.bootstrap());
    ASSERT_EQ(p.produce(kTopic, 0, std::nullopt, "late"), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_TRUE(p.flush(15s));
    auto m = c.next(15s);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->offset, kRecords);
    EXPECT_EQ(m->value, "late");
  }
  {
    PartitionConsumer c(broker_.bootstrap(), kTopic, 0, {}, {{"auto.offset.reset", "error"}});
    ASSERT_TRUE(c.start(999'999));
    EXPECT_FALSE(c.next(5s).has_value());
    ASSERT_FALSE(c.errors().empty());
    EXPECT_EQ(c.errors().front(), RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET)
        << rd_kafka_err2name(c.errors().front());
  }
}

}  // namespace
}  // namespace ringlog::testing::accept
