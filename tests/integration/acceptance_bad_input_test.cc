// Proves the broker answers bad input from a raw socket with the protocol's error or a clean
// close, and survives it: truncated frames, negative and 2 GiB size prefixes, unknown api keys,
// unsupported versions, corrupt CRCs, oversized batches, missing partitions and clients closing
// mid-request. Afterwards the broker process is alive, an idle connection opened before still
// works, and the records stored before are intact.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/acceptance_util.h"

namespace ringlog::testing::accept {
namespace {

using namespace std::chrono_literals;

constexpr int16_t kProduce = 0;
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
  expect_close_after(request_frame(kProduce, 0, 5, ""));  // Produce v0-2 are not served
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
