// Proves idempotent producers work end to end: a librdkafka producer with enable.idempotence=true
// delivers every record to 3 partitions with contiguous offsets and sequenced batches; on a raw
// socket, InitProducerId hands out ids that stay unique across a restart, the same idempotent
// batch sent twice is stored once and both answers carry the same base offset, a gap in the
// sequence gets OUT_OF_ORDER_SEQUENCE_NUMBER, a stale epoch INVALID_PRODUCER_EPOCH, a
// transactional id TRANSACTIONAL_ID_AUTHORIZATION_FAILED, and after a SIGTERM restart a retry of
// the last batch is still recognised as a duplicate (state rebuilt from the log).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/acceptance_rdkafka.h"
#include "tests/integration/acceptance_util.h"

namespace ringlog::testing::accept {
namespace {

using namespace std::chrono_literals;

constexpr int16_t kProduce = 0;
constexpr int16_t kInitProducerId = 22;

TEST(IdempotenceTest, LibrdkafkaIdempotentProducerDeliversEverythingToThreePartitions) {
  BrokerProcess broker({.args = {"--num.partitions", "3"}});
  broker.start();
  constexpr int kRecords = 30'000;
  {
    Producer producer(
        broker.bootstrap(),
        {{"enable.idempotence", "true"}, {"linger.ms", "5"}, {"batch.num.messages", "500"}});
    for (int i = 0; i < kRecords; ++i) {
      ASSERT_EQ(producer.produce("idem", -1, "k" + std::to_string(i), "v" + std::to_string(i)),
                RD_KAFKA_RESP_ERR_NO_ERROR);
      producer.poll();
    }
    ASSERT_TRUE(producer.flush(60s));
    EXPECT_EQ(producer.failed(), 0)
        << (producer.failure_reasons().empty() ? std::string()
                                               : producer.failure_reasons().begin()->first);
    EXPECT_EQ(static_cast<int64_t>(producer.acked().size()), kRecords);
  }
  std::set<std::string> seen;
  for (int32_t p = 0; p < 3; ++p) {
    PartitionConsumer consumer(broker.bootstrap(), "idem", p);
    ASSERT_TRUE(consumer.start(RD_KAFKA_OFFSET_BEGINNING));
    std::vector<Consumed> got = consumer.drain(60s);
    EXPECT_GT(got.size(), 0u) << "partition " << p;
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].offset, static_cast<int64_t>(i)) << "partition " << p;
      EXPECT_TRUE(seen.insert(got[i].value).second) << "twice: " << got[i].value;
    }
    // Every stored batch carries the producer id and continues its partition's sequence.
    std::vector<StoredBatch> batches = scan_partition_logs(
        std::filesystem::path(broker.data_dir()) / ("idem-" + std::to_string(p)));
    ASSERT_FALSE(batches.empty());
    int32_t next_sequence = 0;
    for (const StoredBatch& b : batches) {
      EXPECT_GE(b.producer_id, 0);
      EXPECT_EQ(b.producer_id, batches.front().producer_id);
      EXPECT_EQ(b.base_sequence, next_sequence);
      next_sequence += b.records;
    }
    EXPECT_EQ(next_sequence, static_cast<int32_t>(got.size()));
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kRecords));
}

struct InitProducerIdResult {
  int16_t error_code = -1;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
};

// InitProducerId v0 (transactional id null unless given) on `c`.
InitProducerIdResult init_producer_id(RawConnection& c,
                                      std::optional<std::string> transactional_id = std::nullopt) {
  Bytes body;
  if (transactional_id) {
    body.str(*transactional_id);
  } else {
    body.i16(-1);
  }
  body.i32(60'000);
  EXPECT_TRUE(c.send(request_frame(kInitProducerId, 0, 5, body.str())));
  auto frame = c.read_frame();
  InitProducerIdResult r;
  if (!frame) return r;
  Cursor cur(*frame);
  EXPECT_EQ(cur.i32(), 5);
  cur.i32();  // throttle time
  r.error_code = cur.i16();
  r.producer_id = cur.i64();
  r.producer_epoch = cur.i16();
  EXPECT_TRUE(cur.ok());
  return r;
}

class IdempotentWireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    // Produce does not create topics; a Metadata request for it does.
    CommandResult r = kcat(broker_, {"-L", "-t", "seq"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  ProducePartitionResult produce(RawConnection& c, const std::string& batch) {
    EXPECT_TRUE(c.send(request_frame(kProduce, 3, 77, produce_v3_body("seq", 0, batch))));
    auto frame = c.read_frame();
    if (!frame) return {};
    return parse_produce_v3(*frame);
  }

  // The log end offset of seq-0, from kcat.
  int64_t log_end() {
    CommandResult r = kcat(broker_, {"-Q", "-t", "seq:0:-1"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const size_t at = r.out.find("offset ");
    if (at == std::string::npos) return -1;
    return std::stoll(r.out.substr(at + 7));
  }

  static std::string batch(int64_t producer_id, int16_t epoch, int32_t sequence,
                           std::vector<std::string> values) {
    return record_batch(values, false, 1'700'000'000'000LL, std::nullopt,
                        BatchProducer{.id = producer_id, .epoch = epoch, .sequence = sequence});
  }

  BrokerProcess broker_{{.args = {"--num.partitions", "1"}}};
};

TEST_F(IdempotentWireTest, SameBatchTwiceIsStoredOnceAndGapsAndStaleEpochsAreRefused) {
  RawConnection c(broker_.port());
  ASSERT_TRUE(c.connected());
  InitProducerIdResult id = init_producer_id(c);
  ASSERT_EQ(id.error_code, 0);
  ASSERT_GE(id.producer_id, 0);
  EXPECT_EQ(id.producer_epoch, 0);
  InitProducerIdResult other = init_producer_id(c);
  EXPECT_EQ(other.producer_id, id.producer_id + 1);

  const int64_t pid = id.producer_id;
  ProducePartitionResult first = produce(c, batch(pid, 0, 0, {"a", "b", "c"}));
  ASSERT_TRUE(first.parsed);
  EXPECT_EQ(first.error_code, 0);
  EXPECT_EQ(first.base_offset, 0);
  // The same batch again (a retry): success, the original offset, nothing appended.
  ProducePartitionResult again = produce(c, batch(pid, 0, 0, {"a", "b", "c"}));
  ASSERT_TRUE(again.parsed);
  EXPECT_EQ(again.error_code, 0);
  EXPECT_EQ(again.base_offset, 0);
  EXPECT_EQ(log_end(), 3);

  ProducePartitionResult next = produce(c, batch(pid, 0, 3, {"d"}));
  EXPECT_EQ(next.error_code, 0);
  EXPECT_EQ(next.base_offset, 3);
  // A gap: sequence 5 after 3.
  ProducePartitionResult gap = produce(c, batch(pid, 0, 5, {"f"}));
  ASSERT_TRUE(gap.parsed);
  EXPECT_EQ(gap.error_code, 45);  // OUT_OF_ORDER_SEQUENCE_NUMBER
  // A newer epoch is taken from sequence 0; the old epoch is then stale.
  ProducePartitionResult bumped = produce(c, batch(pid, 1, 0, {"e"}));
  EXPECT_EQ(bumped.error_code, 0);
  EXPECT_EQ(bumped.base_offset, 4);
  ProducePartitionResult stale = produce(c, batch(pid, 0, 4, {"x"}));
  EXPECT_EQ(stale.error_code, 47);  // INVALID_PRODUCER_EPOCH
  EXPECT_EQ(log_end(), 5);

  // Transactions are not served.
  InitProducerIdResult txn = init_producer_id(c, "my-transaction");
  EXPECT_EQ(txn.error_code, 53);  // TRANSACTIONAL_ID_AUTHORIZATION_FAILED
  // Two batches in one partition's records, one with a producer id: INVALID_RECORD.
  ProducePartitionResult two = produce(c, batch(pid, 1, 1, {"y"}) + record_batch({"z"}));
  EXPECT_EQ(two.error_code, 87);
  EXPECT_EQ(log_end(), 5);

  // The records are there once each, in order.
  CommandResult r = kcat(broker_, {"-C", "-t", "seq", "-p", "0", "-o", "beginning", "-e", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "a\nb\nc\nd\ne\n");
}

TEST_F(IdempotentWireTest, RetryOfTheLastBatchAfterARestartIsStillADuplicate) {
  int64_t pid = -1;
  {
    RawConnection c(broker_.port());
    InitProducerIdResult id = init_producer_id(c);
    ASSERT_EQ(id.error_code, 0);
    pid = id.producer_id;
    for (int32_t seq = 0; seq < 6; ++seq) {
      ProducePartitionResult r =
          produce(c, batch(pid, 0, seq * 2,
                           {"r" + std::to_string(seq * 2), "r" + std::to_string(seq * 2 + 1)}));
      ASSERT_EQ(r.error_code, 0);
      ASSERT_EQ(r.base_offset, seq * 2);
    }
  }
  ASSERT_EQ(broker_.stop(), 0) << broker_.log();
  broker_.start();

  RawConnection c(broker_.port());
  ASSERT_TRUE(c.connected());
  // The retry of the last batch, and of the one before: the offsets they were stored at.
  ProducePartitionResult last = produce(c, batch(pid, 0, 10, {"r10", "r11"}));
  ASSERT_TRUE(last.parsed);
  EXPECT_EQ(last.error_code, 0);
  EXPECT_EQ(last.base_offset, 10);
  ProducePartitionResult before = produce(c, batch(pid, 0, 8, {"r8", "r9"}));
  EXPECT_EQ(before.error_code, 0);
  EXPECT_EQ(before.base_offset, 8);
  EXPECT_EQ(log_end(), 12);
  // The sequence continues where it was; a gap is still refused.
  EXPECT_EQ(produce(c, batch(pid, 0, 13, {"x"})).error_code, 45);
  ProducePartitionResult next = produce(c, batch(pid, 0, 12, {"r12"}));
  EXPECT_EQ(next.error_code, 0);
  EXPECT_EQ(next.base_offset, 12);
  // Producer ids stay unique across the restart: the next one comes from a new block.
  InitProducerIdResult id = init_producer_id(c);
  ASSERT_EQ(id.error_code, 0);
  EXPECT_GT(id.producer_id, pid);
  EXPECT_GE(id.producer_id, 1000);
}

}  // namespace
}  // namespace ringlog::testing::accept
