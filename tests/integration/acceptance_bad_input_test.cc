// Proves the broker answers bad input from a raw socket with the protocol's error or a clean
// close, and survives it: truncated frames, negative and 2 GiB size prefixes, unknown api keys,
// unsupported versions, corrupt CRCs, magic 0/1 message sets, oversized batches, missing
// partitions and clients closing mid-request. Afterwards the broker process is alive, an idle
// connection opened before still works, and the records stored before are intact.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/acceptance_util.h"

namespace ringlog::testing::accept {
namespace {

using namespace std::chrono_literals;

constexpr int16_t kProduce = 0;
constexpr int16_t kFetch = 1;
constexpr int16_t kMetadata = 3;
constexpr int16_t kApiVersions = 18;

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    // Stored data to check at the end: 10 records in topic "intact" partition 0.
    ASSERT_EQ(kcat(broker_, {"-P", "-t", "intact", "-p", "0"}, "a0\na1\na2\na3\na4\n").exit_code, 0);
    std::vector<std::string> values;
    for (int i = 5; i < 10; ++i) values.push_back("a" + std::to_string(i));
    ProducePartitionResult r = produce(record_batch(values), "intact", 0);
    ASSERT_TRUE(r.parsed);
    ASSERT_EQ(r.error_code, 0);
    ASSERT_EQ(r.base_offset, 5);
    bystander_ = std::make_unique<RawConnection>(broker_.port());
    ASSERT_TRUE(bystander_->connected());
  }

  void TearDown() override {
    // The broker is still up, the connection opened before the bad input still answers, and the
    // stored records are all there in order.
    EXPECT_TRUE(pid_alive(broker_.pid())) << broker_.log();
    if (bystander_) {
      ASSERT_TRUE(bystander_->send(request_frame(kApiVersions, 0, 4242, "")));
      auto frame = bystander_->read_frame();
      ASSERT_TRUE(frame.has_value()) << "the idle connection stopped answering";
      Cursor c(*frame);
      EXPECT_EQ(c.i32(), 4242);
      EXPECT_EQ(c.i16(), 0);
    }
    CommandResult r = kcat(broker_, {"-C", "-t", "intact", "-p", "0", "-o", "beginning", "-e",
                                     "-q", "-f", "%o %s\n"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> got = split_lines(r.out);
    ASSERT_GE(got.size(), 10u) << r.out;
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(got[static_cast<size_t>(i)], std::to_string(i) + " a" + std::to_string(i));
    }
  }

  ProducePartitionResult produce(const std::string& batch, std::string_view topic,
                                 int32_t partition) {
    RawConnection c(broker_.port());
    EXPECT_TRUE(c.connected());
    EXPECT_TRUE(c.send(request_frame(kProduce, 3, 77, produce_v3_body(topic, partition, batch))));
    auto frame = c.read_frame();
    if (!frame) return {};
    ProducePartitionResult r = parse_produce_v3(*frame);
    EXPECT_EQ(r.correlation_id, 77);
    EXPECT_EQ(r.topic, topic);
    EXPECT_EQ(r.partition, partition);
    return r;
  }

  // Sends `bytes` on a fresh connection and expects the broker to close it without answering.
  void expect_close_after(const std::string& bytes) {
    RawConnection c(broker_.port());
    ASSERT_TRUE(c.connected());
    c.send(bytes);  // the broker may close before reading all of it
    EXPECT_TRUE(c.closed_by_peer()) << "broker neither answered nor closed";
  }

  BrokerProcess broker_{{.args = {"--num.partitions", "2", "--message.max.bytes", "20000"}}};
  std::unique_ptr<RawConnection> bystander_;
};

TEST_F(BadInputTest, FrameTooShortForItsHeaderIsClosed) {
  Bytes b;
  b.i32(3).i16(kMetadata).i8(0);
  expect_close_after(b.str());
}

TEST_F(BadInputTest, TruncatedRequestBodyIsClosed) {
  // A whole frame whose content stops in the middle of the produce body.
  std::string body = produce_v3_body("intact", 0, record_batch({"x"}));
  body.resize(body.size() / 2);
  expect_close_after(request_frame(kProduce, 3, 1, body));
}

TEST_F(BadInputTest, NegativeSizePrefixIsClosed) {
  Bytes b;
  b.i32(-1).i32(0);
  expect_close_after(b.str());
  Bytes min;
  min.i32(INT32_MIN);
  expect_close_after(min.str());
}

TEST_F(BadInputTest, TwoGibSizePrefixIsClosedWithoutReadingIt) {
  Bytes b;
  b.i32(INT32_MAX).i16(kMetadata).i16(0).i32(1);
  expect_close_after(b.str());
}

TEST_F(BadInputTest, UnknownApiKeyIsClosed) {
  expect_close_after(request_frame(9999, 0, 5, ""));
  expect_close_after(request_frame(-1, 0, 5, ""));
}

TEST_F(BadInputTest, UnsupportedVersionOfOtherApisIsClosed) {
  expect_close_after(request_frame(kMetadata, 99, 5, ""));
  expect_close_after(request_frame(kFetch, 3, 5, ""));     // Fetch v0-3 are not served
  expect_close_after(request_frame(kProduce, 10, 5, ""));  // nor Produce above v9
}

TEST_F(BadInputTest, UnsupportedApiVersionsVersionGetsV0AnswerWithTheApiList) {
  RawConnection c(broker_.port());
  ASSERT_TRUE(c.send(request_frame(kApiVersions, 99, 31, "garbage body")));
  auto frame = c.read_frame();
  ASSERT_TRUE(frame.has_value());
  Cursor cur(*frame);
  EXPECT_EQ(cur.i32(), 31);
  EXPECT_EQ(cur.i16(), 35);  // UNSUPPORTED_VERSION
  const int32_t n = cur.i32();
  ASSERT_GT(n, 0);
  bool has_produce = false, has_api_versions = false;
  for (int32_t i = 0; i < n; ++i) {
    const int16_t key = cur.i16(), min = cur.i16(), max = cur.i16();
    ASSERT_TRUE(cur.ok());
    EXPECT_LE(min, max);
    if (key == kProduce) has_produce = true;
    if (key == kApiVersions) {
      has_api_versions = true;
      EXPECT_EQ(min, 0);
    }
  }
  EXPECT_TRUE(has_produce);
  EXPECT_TRUE(has_api_versions);
  // v0 has no throttle time: the frame ends here.
  EXPECT_EQ(cur.left(), 0u);
  // And the connection stays usable.
  ASSERT_TRUE(c.send(request_frame(kApiVersions, 0, 32, "")));
  auto again = c.read_frame();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(Cursor(*again).i32(), 32);
}

TEST_F(BadInputTest, CorruptCrcGetsCorruptMessage) {
  ProducePartitionResult r = produce(record_batch({"bad1", "bad2"}, /*corrupt_crc=*/true), "intact", 0);
  ASSERT_TRUE(r.parsed);
  EXPECT_EQ(r.error_code, 2);  // CORRUPT_MESSAGE
}

// CRC-32 (IEEE), as a magic 0/1 message carries it.
uint32_t crc32_ieee(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (char ch : data) {
    crc ^= static_cast<uint8_t>(ch);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// A message set of one magic-0 or magic-1 message (null key), as Produce v0-v2 carry them.
std::string legacy_message_set(int8_t magic, std::string_view value) {
  Bytes message;  // magic .. value: what the CRC covers
  message.i8(magic).i8(0);
  if (magic == 1) message.i64(1'700'000'000'000LL);
  message.i32(-1).bytes32(value);
  Bytes entry;
  entry.i32(static_cast<int32_t>(crc32_ieee(message.str()))).raw(message.str());
  Bytes set;
  set.i64(0).i32(static_cast<int32_t>(entry.size())).raw(entry.str());
  return set.str();
}

// Produce v0-v2 body (no transactional id): one topic, one partition.
std::string produce_v0_body(std::string_view topic, int32_t partition, std::string_view records) {
  Bytes b;
  b.i16(-1).i32(10'000).i32(1).str(topic).i32(1).i32(partition).bytes32(records);
  return b.str();
}

TEST_F(BadInputTest, MagicZeroAndOneMessageSetsAreRefusedAndNothingIsStored) {
  RawConnection c(broker_.port());
  ASSERT_TRUE(c.connected());
  // v2 with magic 1 and v0 with magic 0: UNSUPPORTED_FOR_MESSAGE_FORMAT, the connection stays.
  for (auto [version, magic] :
       {std::pair<int16_t, int8_t>{2, 1}, std::pair<int16_t, int8_t>{0, 0}}) {
    SCOPED_TRACE(::testing::Message() << "Produce v" << version << " magic " << int{magic});
    const int32_t correlation_id = 100 + version;
    ASSERT_TRUE(
        c.send(request_frame(kProduce, version, correlation_id,
                             produce_v0_body("intact", 0, legacy_message_set(magic, "old")))));
    auto frame = c.read_frame();
    ASSERT_TRUE(frame.has_value()) << "no answer";
    Cursor cur(*frame);
    EXPECT_EQ(cur.i32(), correlation_id);
    ASSERT_EQ(cur.i32(), 1);
    EXPECT_EQ(cur.str(), "intact");
    ASSERT_EQ(cur.i32(), 1);
    EXPECT_EQ(cur.i32(), 0);
    EXPECT_EQ(cur.i16(), 43);     // UNSUPPORTED_FOR_MESSAGE_FORMAT
    EXPECT_EQ(cur.i64(), -1);     // base offset
    if (version >= 2) cur.i64();  // log append time
    if (version >= 1) cur.i32();  // throttle time
    EXPECT_TRUE(cur.ok());
    EXPECT_EQ(cur.left(), 0u);
  }
  // A magic-2 batch behind a magic-1 message in the same set: the whole partition is refused.
  ASSERT_TRUE(c.send(request_frame(
      kProduce, 1, 7,
      produce_v0_body("intact", 0, legacy_message_set(1, "old") + record_batch({"new"})))));
  auto mixed = c.read_frame();
  ASSERT_TRUE(mixed.has_value());
  Cursor m(*mixed);
  m.i32();
  m.i32();
  m.str();
  m.i32();
  m.i32();
  EXPECT_EQ(m.i16(), 43);
  // Nothing was appended: the log end is still 10.
  CommandResult r = kcat(broker_, {"-Q", "-t", "intact:0:-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("offset 10"), std::string::npos) << r.out;
  // The same connection then takes a magic-2 batch at Produce v2, at offset 10 (TearDown reads
  // the first ten records back).
  ASSERT_TRUE(
      c.send(request_frame(kProduce, 2, 8, produce_v0_body("intact", 0, record_batch({"a10"})))));
  auto ok = c.read_frame();
  ASSERT_TRUE(ok.has_value());
  ProducePartitionResult p = parse_produce_v3(*ok);  // v2 and v3 responses share their layout
  ASSERT_TRUE(p.parsed);
  EXPECT_EQ(p.correlation_id, 8);
  EXPECT_EQ(p.error_code, 0);
  EXPECT_EQ(p.base_offset, 10);
}

TEST_F(BadInputTest, BatchOverMaxMessageBytesGetsMessageTooLarge) {
  ProducePartitionResult r = produce(record_batch({std::string(30'000, 'x')}), "intact", 0);
  ASSERT_TRUE(r.parsed);
  EXPECT_EQ(r.error_code, 10);  // MESSAGE_TOO_LARGE
}

TEST_F(BadInputTest, ProduceToMissingPartitionGetsUnknownTopicOrPartition) {
  ProducePartitionResult r = produce(record_batch({"x"}), "intact", 7);
  ASSERT_TRUE(r.parsed);
  EXPECT_EQ(r.error_code, 3);
  r = produce(record_batch({"x"}), "intact", -1);
  ASSERT_TRUE(r.parsed);
  EXPECT_EQ(r.error_code, 3);
  r = produce(record_batch({"x"}), "no-such-topic", 0);
  ASSERT_TRUE(r.parsed);
  EXPECT_EQ(r.error_code, 3);
}

TEST_F(BadInputTest, ClientClosingMidRequestLeavesNothingBehind) {
  const std::string frame =
      request_frame(kProduce, 3, 9, produce_v3_body("intact", 0, record_batch({"half"})));
  for (size_t cut : {size_t{2}, size_t{4}, size_t{10}, frame.size() / 2, frame.size() - 1}) {
    RawConnection c(broker_.port());
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send(std::string_view(frame).substr(0, cut)));
    c.close();
  }
  // Half a frame, then a half-close: the broker sees EOF mid-request.
  RawConnection c(broker_.port());
  ASSERT_TRUE(c.send(std::string_view(frame).substr(0, frame.size() / 2)));
  c.shutdown_write();
  EXPECT_TRUE(c.closed_by_peer());
  // Nothing of the cut produce was appended: the log end is still 10.
  CommandResult r = kcat(broker_, {"-Q", "-t", "intact:0:-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("offset 10"), std::string::npos) << r.out;
}

TEST_F(BadInputTest, ManyBadConnectionsInARowLeaveTheBrokerServing) {
  for (int i = 0; i < 50; ++i) {
    Bytes b;
    b.i32(i % 2 == 0 ? -7 : INT32_MAX);
    expect_close_after(b.str());
    expect_close_after(request_frame(static_cast<int16_t>(1000 + i), 0, i, "junk"));
  }
  // A good produce still works and lands at the end.
  ProducePartitionResult r = produce(record_batch({"after"}), "intact", 0);
  ASSERT_TRUE(r.parsed);
  EXPECT_EQ(r.error_code, 0);
  EXPECT_EQ(r.base_offset, 10);
}

}  // namespace
}  // namespace ringlog::testing::accept
