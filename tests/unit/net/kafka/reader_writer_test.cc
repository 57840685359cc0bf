// Proves the primitive codec: every type round-trips and encodes as the reference says, edge
// values survive, and every read fails cleanly (no over-read, no allocation) on truncated or
// hostile input: negative and huge lengths, over-long varints, arrays above the limit.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "net/kafka/reader.h"
#include "net/kafka/writer.h"
#include "test_bytes.h"

namespace ringlog::kafka {
namespace {

using test::bytes;
using test::Bytes;
using test::cat;
using test::text;

constexpr LengthEncoding kClassic = LengthEncoding::kClassic;
constexpr LengthEncoding kCompact = LengthEncoding::kCompact;

Bytes written(const Writer& writer) { return {writer.bytes().begin(), writer.bytes().end()}; }

TEST(WriterTest, FixedWidthIntegersAreBigEndian) {
  Writer writer;
  writer.write_int8(-2);
  writer.write_int16(0x0102);
  writer.write_int32(-1);
  writer.write_int64(0x0102030405060708);
  writer.write_uint16(0xFFFE);
  writer.write_uint32(0x80000001U);
  writer.write_bool(true);
  EXPECT_EQ(written(writer),
            bytes({0xFE, 0x01, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02, 0x03, 0x04,
                   0x05, 0x06, 0x07, 0x08, 0xFF, 0xFE, 0x80, 0x00, 0x00, 0x01, 0x01}));
}

TEST(ReaderTest, FixedWidthValuesRoundTripAtTheirLimits) {
  Writer writer;
  writer.write_int8(INT8_MIN);
  writer.write_int16(INT16_MIN);
  writer.write_int32(INT32_MIN);
  writer.write_int64(INT64_MIN);
  writer.write_uint16(UINT16_MAX);
  writer.write_uint32(UINT32_MAX);
  writer.write_float64(-0.125);
  writer.write_float64(std::numeric_limits<double>::infinity());
  Uuid uuid;
  for (size_t i = 0; i < 16; ++i) uuid.bytes[i] = static_cast<std::byte>(i + 1);
  writer.write_uuid(uuid);

  Reader reader(writer.bytes());
  EXPECT_EQ(*reader.read_int8(), INT8_MIN);
  EXPECT_EQ(*reader.read_int16(), INT16_MIN);
  EXPECT_EQ(*reader.read_int32(), INT32_MIN);
  EXPECT_EQ(*reader.read_int64(), INT64_MIN);
  EXPECT_EQ(*reader.read_uint16(), UINT16_MAX);
  EXPECT_EQ(*reader.read_uint32(), UINT32_MAX);
  EXPECT_EQ(*reader.read_float64(), -0.125);
  EXPECT_TRUE(std::isinf(*reader.read_float64()));
  EXPECT_TRUE(*reader.read_uuid() == uuid);
  EXPECT_EQ(reader.remaining(), 0U);
}

TEST(ReaderTest, AnyNonZeroByteIsTrue) {
  Bytes in = bytes({0x00, 0x01, 0x7F, 0xFF});
  Reader reader(in);
  EXPECT_FALSE(*reader.read_bool());
  EXPECT_TRUE(*reader.read_bool());
  EXPECT_TRUE(*reader.read_bool());
  EXPECT_TRUE(*reader.read_bool());
}

TEST(ReaderTest, ZeroUuidMeansNone) {
  EXPECT_TRUE(Uuid{}.is_zero());
  Uuid one;
  one.bytes[15] = std::byte{1};
  EXPECT_FALSE(one.is_zero());
}

TEST(ReaderTest, EveryFixedWidthReadFailsOnTruncation) {
  Bytes seven(7, std::byte{0});
  for (size_t length = 0; length <= seven.size(); ++length) {
    EXPECT_EQ(Reader(std::span(seven).first(length)).read_int64().error(), DecodeError::kTruncated);
  }
  Bytes one(1, std::byte{0});
  EXPECT_EQ(Reader(one).read_int16().error(), DecodeError::kTruncated);
  EXPECT_EQ(Reader(Bytes{}).read_int8().error(), DecodeError::kTruncated);
  EXPECT_EQ(Reader(Bytes{}).read_bool().error(), DecodeError::kTruncated);
  Bytes fifteen(15, std::byte{0});
  EXPECT_EQ(Reader(fifteen).read_uuid().error(), DecodeError::kTruncated);
}

TEST(ReaderTest, UnsignedVarintsRoundTripAtEveryByteBoundary) {
  for (uint32_t value : {0U, 1U, 127U, 128U, 16383U, 16384U, (1U << 21) - 1, 1U << 21,
                         (1U << 28) - 1, 1U << 28, UINT32_MAX}) {
    Writer writer;
    writer.write_unsigned_varint(value);
    Reader reader(writer.bytes());
    auto decoded = reader.read_unsigned_varint();
    ASSERT_TRUE(decoded) << value;
    EXPECT_EQ(*decoded, value);
    EXPECT_EQ(reader.remaining(), 0U);
  }
  Writer writer;
  writer.write_unsigned_varint(300);
  EXPECT_EQ(written(writer), bytes({0xAC, 0x02}));
}

TEST(ReaderTest, UnsignedVarintLongerThanFiveBytesOrAbove32BitsIsRejected) {
  Bytes six = bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
  EXPECT_EQ(Reader(six).read_unsigned_varint().error(), DecodeError::kBadVarint);
  Bytes overflow = bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x1F});
  EXPECT_EQ(Reader(overflow).read_unsigned_varint().error(), DecodeError::kBadVarint);
  Bytes truncated = bytes({0x80, 0x80});
  EXPECT_EQ(Reader(truncated).read_unsigned_varint().error(), DecodeError::kTruncated);
}

TEST(ReaderTest, SignedVarintsAndVarlongsUseZigzag) {
  Writer writer;
  writer.write_varint(-1);
  writer.write_varint(INT32_MIN);
  writer.write_varlong(INT64_MAX);
  writer.write_varlong(-64);
  EXPECT_EQ(writer.bytes()[0], std::byte{0x01});
  Reader reader(writer.bytes());
  EXPECT_EQ(*reader.read_varint(), -1);
  EXPECT_EQ(*reader.read_varint(), INT32_MIN);
  EXPECT_EQ(*reader.read_varlong(), INT64_MAX);
  EXPECT_EQ(*reader.read_varlong(), -64);
  EXPECT_EQ(reader.read_varint().error(), DecodeError::kTruncated);
}

TEST(ReaderTest, StringsRoundTripInBothEncodingsWithNull) {
  for (LengthEncoding encoding : {kClassic, kCompact}) {
    Writer writer;
    writer.write_string("", encoding);
    writer.write_string("topic", encoding);
    writer.write_nullable_string(std::nullopt, encoding);
    writer.write_nullable_string(std::string("x"), encoding);
    Reader reader(writer.bytes());
    EXPECT_EQ(*reader.read_string(encoding), "");
    EXPECT_EQ(*reader.read_string(encoding), "topic");
    EXPECT_FALSE(reader.read_nullable_string(encoding)->has_value());
    EXPECT_EQ(**reader.read_nullable_string(encoding), "x");
    EXPECT_EQ(reader.remaining(), 0U);
  }
}

TEST(ReaderTest, StringLengthsFollowTheReference) {
  Writer writer;
  writer.write_string("ab", kClassic);
  writer.write_string("ab", kCompact);
  writer.write_nullable_string(std::nullopt, kClassic);
  writer.write_nullable_string(std::nullopt, kCompact);
  EXPECT_EQ(written(writer), cat({bytes({0x00, 0x02}), text("ab"), bytes({0x03}), text("ab"),
                                  bytes({0xFF, 0xFF}), bytes({0x00})}));
}

TEST(ReaderTest, NullWhereAStringIsRequiredIsAnError) {
  Bytes classic_null = bytes({0xFF, 0xFF});
  EXPECT_EQ(Reader(classic_null).read_string(kClassic).error(), DecodeError::kUnexpectedNull);
  Bytes compact_null = bytes({0x00});
  EXPECT_EQ(Reader(compact_null).read_string(kCompact).error(), DecodeError::kUnexpectedNull);
}

TEST(ReaderTest, HostileStringLengthsAreRejectedBeforeReading) {
  Bytes negative = bytes({0xFF, 0xFE});  // -2
  EXPECT_EQ(Reader(negative).read_nullable_string(kClassic).error(), DecodeError::kNegativeLength);
  Bytes over = cat({bytes({0x7F, 0xFF}), text("abc")});
  EXPECT_EQ(Reader(over).read_string(kClassic).error(), DecodeError::kLengthOverBuffer);
  // Compact length 40000 (over INT16) with the bytes present: Kafka refuses it too.
  Writer writer;
  writer.write_unsigned_varint(40001);
  Bytes big = written(writer);
  big.resize(big.size() + 40000, std::byte{'a'});
  EXPECT_EQ(Reader(big).read_string(kCompact).error(), DecodeError::kStringTooLong);
  Bytes huge_compact = bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x0F});
  EXPECT_EQ(Reader(huge_compact).read_string(kCompact).error(), DecodeError::kLengthOverBuffer);
}

TEST(ReaderTest, BytesRoundTripAndHostileLengthsAreRejected) {
  for (LengthEncoding encoding : {kClassic, kCompact}) {
    Writer writer;
    Bytes payload = bytes({1, 2, 3});
    writer.write_bytes(payload, encoding);
    writer.write_nullable_bytes(std::nullopt, encoding);
    Reader reader(writer.bytes());
    EXPECT_EQ(*reader.read_bytes(encoding), payload);
    EXPECT_FALSE(reader.read_nullable_bytes(encoding)->has_value());
  }
  Bytes negative = bytes({0xFF, 0xFF, 0xFF, 0xFE});
  EXPECT_EQ(Reader(negative).read_bytes(kClassic).error(), DecodeError::kNegativeLength);
  Bytes huge = bytes({0x7F, 0xFF, 0xFF, 0xFF, 0x00});
  EXPECT_EQ(Reader(huge).read_bytes(kClassic).error(), DecodeError::kLengthOverBuffer);
  Bytes null_required = bytes({0xFF, 0xFF, 0xFF, 0xFF});
  EXPECT_EQ(Reader(null_required).read_bytes(kClassic).error(), DecodeError::kUnexpectedNull);
}

TEST(ReaderTest, RecordsDecodeToAViewIntoTheInput) {
  Bytes in = cat({bytes({0x00, 0x00, 0x00, 0x03}), bytes({7, 8, 9}), bytes({0xFF})});
  Reader reader(in);
  auto records = reader.read_records(kClassic);
  ASSERT_TRUE(records && records->has_value());
  EXPECT_EQ((*records)->bytes.data(), in.data() + 4);
  EXPECT_EQ((*records)->size(), 3U);
  Bytes null_records = bytes({0x00});
  EXPECT_FALSE(Reader(null_records).read_records(kCompact)->has_value());
}

TEST(ReaderTest, ArrayLengthsFollowTheReferenceIncludingNull) {
  Writer writer;
  writer.write_array_length(2, kClassic);
  writer.write_array_length(-1, kClassic);
  writer.write_array_length(2, kCompact);
  writer.write_array_length(-1, kCompact);
  EXPECT_EQ(written(writer), bytes({0x00, 0x00, 0x00, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x03, 0x00}));
}

TEST(ReaderTest, HostileArrayCountsAreRejectedBeforeAllocating) {
  Bytes negative = bytes({0xFF, 0xFF, 0xFF, 0xFE});
  EXPECT_EQ(Reader(negative).read_array_length(kClassic).error(), DecodeError::kNegativeLength);
  Bytes huge = bytes({0x7F, 0xFF, 0xFF, 0xFF});
  EXPECT_EQ(Reader(huge).read_array_length(kClassic).error(), DecodeError::kArrayTooLong);
  // Under the element limit but more elements than bytes left.
  Bytes over = bytes({0x00, 0x00, 0x10, 0x00, 0x01, 0x02});
  EXPECT_EQ(Reader(over).read_array_length(kClassic).error(), DecodeError::kLengthOverBuffer);
  Bytes compact_huge = bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x0F});
  EXPECT_EQ(Reader(compact_huge).read_array_length(kCompact).error(), DecodeError::kArrayTooLong);
}

TEST(ReaderTest, ArrayElementLimitIsConfigurable) {
  Bytes in = cat({bytes({0x00, 0x00, 0x00, 0x05}), Bytes(5, std::byte{0})});
  EXPECT_EQ(*Reader(in, ReaderLimits{.array_elements_max = 5}).read_array_length(kClassic), 5);
  EXPECT_EQ(Reader(in, ReaderLimits{.array_elements_max = 4}).read_array_length(kClassic).error(),
            DecodeError::kArrayTooLong);
}

TEST(ReaderTest, TaggedPayloadIsBoundedToItsDeclaredSize) {
  Writer writer;
  writer.write_tagged_field(5, bytes({0xAA, 0xBB}));
  writer.write_int8(0x11);
  Reader reader(writer.bytes());
  EXPECT_EQ(*reader.read_unsigned_varint(), 5U);
  auto payload = reader.read_tagged_payload();
  ASSERT_TRUE(payload);
  EXPECT_EQ(payload->remaining(), 2U);
  EXPECT_EQ(*reader.read_int8(), 0x11);

  Bytes over = bytes({0x01, 0x05, 0x01});  // tag 1, size 5, one byte left
  Reader over_reader(over);
  EXPECT_TRUE(over_reader.read_unsigned_varint());
  EXPECT_EQ(over_reader.read_tagged_payload().error(), DecodeError::kTruncated);
  Bytes too_many = bytes({0x7F, 0x00});  // 127 tagged fields in 1 byte
  EXPECT_EQ(Reader(too_many).read_tagged_fields_count().error(), DecodeError::kLengthOverBuffer);
}

TEST(WriterTest, SizePrefixIsPatchedWithTheBytesAfterIt) {
  Writer writer;
  writer.write_int8(0x55);
  size_t at = writer.reserve_size_prefix();
  writer.write_int32(7);
  writer.write_int16(8);
  writer.patch_size_prefix(at);
  EXPECT_EQ(written(writer),
            bytes({0x55, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x07, 0x00, 0x08}));
}

}  // namespace
}  // namespace ringlog::kafka
