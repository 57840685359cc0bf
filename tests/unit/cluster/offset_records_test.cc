// The __consumer_offsets record layout: round trips, Kafka's older value versions, and that
// truncated or unknown records are errors rather than over-reads.
#include "cluster/groups/offset_records.h"

#include <gtest/gtest.h>

#include "net/kafka/writer.h"

namespace ringlog::cluster::groups {
namespace {

TEST(OffsetRecordsTest, KeyAndValueRoundTrip) {
  const OffsetKey key{.group = "g", .topic = "orders", .partition = 7};
  auto decoded = decode_offset_record_key(encode_offset_key(key));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->kind, DecodedKey::Kind::kOffset);
  EXPECT_EQ(decoded->offset, key);
  const OffsetValue value{
      .offset = 42, .leader_epoch = 3, .metadata = "m", .commit_timestamp_ms = 99};
  auto v = decode_offset_value(encode_offset_value(value));
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, value);
}

TEST(OffsetRecordsTest, ReadsValueVersionOneWithItsExpireTimestamp) {
  kafka::Writer w;
  w.write_int16(1);
  w.write_int64(5);
  w.write_string("meta", kafka::LengthEncoding::kClassic);
  w.write_int64(1000);  // commit
  w.write_int64(2000);  // expire (ignored)
  auto v = decode_offset_value(w.bytes());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->offset, 5);
  EXPECT_EQ(v->leader_epoch, -1);
  EXPECT_EQ(v->metadata, "meta");
  EXPECT_EQ(v->commit_timestamp_ms, 1000);
}

TEST(OffsetRecordsTest, GroupMetadataKeysAreRecognised) {
  kafka::Writer w;
  w.write_int16(2);
  w.write_string("grp", kafka::LengthEncoding::kClassic);
  auto k = decode_offset_record_key(w.bytes());
  ASSERT_TRUE(k);
  EXPECT_EQ(k->kind, DecodedKey::Kind::kGroupMetadata);
  EXPECT_EQ(k->group, "grp");
}

TEST(OffsetRecordsTest, TruncatedAndUnknownRecordsAreErrors) {
  const auto key = encode_offset_key({.group = "g", .topic = "t", .partition = 1});
  for (size_t n = 0; n < key.size(); ++n) {
    EXPECT_FALSE(decode_offset_record_key(std::span(key).first(n))) << n << " bytes";
  }
  const auto value = encode_offset_value({.offset = 1, .metadata = "x", .commit_timestamp_ms = 2});
  for (size_t n = 0; n < value.size(); ++n) {
    EXPECT_FALSE(decode_offset_value(std::span(value).first(n))) << n << " bytes";
  }
  kafka::Writer w;
  w.write_int16(9);
  w.write_string("g", kafka::LengthEncoding::kClassic);
  EXPECT_FALSE(decode_offset_record_key(w.bytes()));
  EXPECT_FALSE(decode_offset_value(w.bytes()));
}

}  // namespace
}  // namespace ringlog::cluster::groups
