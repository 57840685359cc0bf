// Proves zigzag varint/varlong coding round-trips every edge value and rejects truncated,
// too-long and overflowing encodings without reading past the input.

#include "engine/storage/varint.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <vector>

namespace ringlog::storage {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

TEST(VarintTest, EdgeValuesRoundTripAtTheirExpectedSizes) {
  struct Case {
    int32_t value;
    size_t size;
  };
  for (Case c :
       {Case{0, 1}, Case{-1, 1}, Case{1, 1}, Case{63, 1}, Case{-64, 1}, Case{64, 2}, Case{-65, 2},
        Case{8191, 2}, Case{8192, 3}, Case{std::numeric_limits<int32_t>::max(), 5},
        Case{std::numeric_limits<int32_t>::min(), 5}}) {
    std::byte buffer[kVarintBytesMax];
    ASSERT_EQ(encode_varint(c.value, buffer), c.size) << c.value;
    EXPECT_EQ(varint_size(c.value), c.size);
    auto decoded = decode_varint(std::span(buffer, c.size));
    ASSERT_TRUE(decoded.has_value()) << c.value;
    EXPECT_EQ(decoded->value, c.value);
    EXPECT_EQ(decoded->bytes, c.size);
  }
}

TEST(VarintTest, VarlongEdgeValuesRoundTrip) {
  for (int64_t value : {int64_t{0}, int64_t{-1}, int64_t{1}, int64_t{1} << 40, -(int64_t{1} << 40),
                        std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(),
                        int64_t{std::numeric_limits<int32_t>::min()} - 1}) {
    std::byte buffer[kVarlongBytesMax];
    size_t n = encode_varlong(value, buffer);
    EXPECT_EQ(n, varlong_size(value));
    auto decoded = decode_varlong(std::span(buffer, n));
    ASSERT_TRUE(decoded.has_value()) << value;
    EXPECT_EQ(decoded->value, value);
    EXPECT_EQ(decoded->bytes, n);
  }
  EXPECT_EQ(varlong_size(std::numeric_limits<int64_t>::max()), kVarlongBytesMax);
  EXPECT_EQ(varlong_size(std::numeric_limits<int64_t>::min()), kVarlongBytesMax);
}

TEST(VarintTest, KnownEncodingsMatchKafka) {
  // zigzag(-1) = 1, zigzag(1) = 2, zigzag(150) = 300 = 0xAC 0x02.
  std::byte buffer[kVarintBytesMax];
  ASSERT_EQ(encode_varint(150, buffer), 2U);
  EXPECT_EQ(buffer[0], std::byte{0xAC});
  EXPECT_EQ(buffer[1], std::byte{0x02});
  ASSERT_EQ(encode_varint(-1, buffer), 1U);
  EXPECT_EQ(buffer[0], std::byte{0x01});
  auto max = bytes({0xFE, 0xFF, 0xFF, 0xFF, 0x0F});
  EXPECT_EQ(decode_varint(max)->value, std::numeric_limits<int32_t>::max());
  auto min = bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x0F});
  EXPECT_EQ(decode_varint(min)->value, std::numeric_limits<int32_t>::min());
}

TEST(VarintTest, EveryTruncationIsRejected) {
  std::byte buffer[kVarlongBytesMax];
  size_t n = encode_varint(std::numeric_limits<int32_t>::min(), buffer);
  for (size_t cut = 0; cut < n; ++cut) {
    // A heap copy of exactly `cut` bytes so ASan catches any read past it.
    std::vector<std::byte> truncated(buffer, buffer + cut);
    auto decoded = decode_varint(truncated);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error(), VarintError::kTruncated);
  }
  n = encode_varlong(std::numeric_limits<int64_t>::min(), buffer);
  for (size_t cut = 0; cut < n; ++cut) {
    std::vector<std::byte> truncated(buffer, buffer + cut);
    auto decoded = decode_varlong(truncated);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error(), VarintError::kTruncated);
  }
}

TEST(VarintTest, SixByteVarintIsRejectedAsTooLong) {
  auto six = bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
  auto decoded = decode_varint(six);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error(), VarintError::kTooLong);
  // Too long is known at the fifth byte, even if the input stops there.
  auto five_continuing = bytes({0x80, 0x80, 0x80, 0x80, 0x80});
  EXPECT_EQ(decode_varint(five_continuing).error(), VarintError::kTooLong);
}

TEST(VarintTest, ElevenByteVarlongIsRejectedAsTooLong) {
  auto eleven = bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
  EXPECT_EQ(decode_varlong(eleven).error(), VarintError::kTooLong);
}

TEST(VarintTest, BitsBeyondTheWidthAreRejectedAsOverflow) {
  auto varint = bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x1F});
  EXPECT_EQ(decode_varint(varint).error(), VarintError::kOverflow);
  auto varlong = bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02});
  EXPECT_EQ(decode_varlong(varlong).error(), VarintError::kOverflow);
  auto varlong_max = bytes({0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01});
  EXPECT_EQ(decode_varlong(varlong_max)->value, std::numeric_limits<int64_t>::max());
}

TEST(VarintTest, NonMinimalEncodingWithinTheLimitIsAcceptedAsKafkaDoes) {
  auto zero = bytes({0x80, 0x80, 0x00});
  auto decoded = decode_varint(zero);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->value, 0);
  EXPECT_EQ(decoded->bytes, 3U);
}

TEST(VarintTest, DecodingStopsAtTheFirstNumber) {
  auto two = bytes({0x02, 0x04});
  auto decoded = decode_varint(two);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->value, 1);
  EXPECT_EQ(decoded->bytes, 1U);
}

TEST(VarintTest, EveryValueInASweepRoundTrips) {
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (int i = 0; i < 100000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    auto v64 = static_cast<int64_t>(x >> (i % 64));
    auto v32 = static_cast<int32_t>(v64);
    std::byte buffer[kVarlongBytesMax];
    size_t n = encode_varint(v32, buffer);
    ASSERT_EQ(decode_varint(std::span(buffer, n))->value, v32);
    n = encode_varlong(v64, buffer);
    ASSERT_EQ(decode_varlong(std::span(buffer, n))->value, v64);
  }
}

}  // namespace
}  // namespace ringlog::storage
