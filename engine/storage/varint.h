#pragma once
// Kafka's VARINT / VARLONG: zigzag-mapped signed integers ((n << 1) ^ (n >> 31|63)) written as
// little-endian base-128 groups, high bit = "more bytes follow" (the Protocol Buffers scheme).
// A varint takes at most 5 bytes, a varlong at most 10.
//
// Decoding is bounds-checked and never reads past the span. It fails with
//   kTruncated  the span ends before the last byte of the number;
//   kTooLong    the number would need more than 5 (10) bytes: a continuation bit on byte 5 (10);
//   kOverflow   the last allowed byte carries bits beyond 32 (64), so the value does not fit.
// Kafka silently drops those extra bits; a correct encoder never sets them, so we reject them.
// Non-minimal encodings within the byte limit (0x80 0x00 for 0) are accepted, as Kafka does.

#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/base/assert.h"
#include "engine/base/result.h"

namespace ringlog::storage {

inline constexpr size_t kVarintBytesMax = 5;
inline constexpr size_t kVarlongBytesMax = 10;

enum class VarintError : uint8_t {
  kTruncated,
  kTooLong,
  kOverflow,
};

template <typename T>
struct VarintDecoded {
  T value;
  size_t bytes;  // how many bytes of the input the number took
};

namespace varint_detail {

template <typename U, size_t kBytesMax>
inline Result<VarintDecoded<U>, VarintError> decode_unsigned(std::span<const std::byte> in) {
  constexpr unsigned kBits = sizeof(U) * 8;
  // Bits the last allowed byte may carry: 32 - 28 = 4 for a varint, 64 - 63 = 1 for a varlong.
  constexpr unsigned kLastByteBits = kBits - 7 * (kBytesMax - 1);
  static_assert(kLastByteBits > 0 && kLastByteBits < 7);
  U value = 0;
  size_t limit = in.size() < kBytesMax ? in.size() : kBytesMax;
  for (size_t i = 0; i < limit; ++i) {
    auto b = static_cast<uint8_t>(in[i]);
    if (i == kBytesMax - 1) {
      if ((b & 0x80U) != 0) return VarintError::kTooLong;
      if ((b >> kLastByteBits) != 0) return VarintError::kOverflow;
    }
    value |= static_cast<U>(b & 0x7FU) << (7 * i);
    if ((b & 0x80U) == 0) return VarintDecoded<U>{value, i + 1};
  }
  return VarintError::kTruncated;
}

template <typename U>
constexpr size_t unsigned_size(U value) {
  size_t bytes = 1;
  while (value >= 0x80U) {
    value >>= 7;
    ++bytes;
  }
  return bytes;
}

template <typename U>
inline size_t encode_unsigned(U value, std::span<std::byte> out) {
  size_t needed = unsigned_size(value);
  RL_ASSERT(out.size() >= needed, "output too small for the varint");
  size_t i = 0;
  while (value >= 0x80U) {
    out[i++] = static_cast<std::byte>((value & 0x7FU) | 0x80U);
    value >>= 7;
  }
  out[i++] = static_cast<std::byte>(value);
  RL_DASSERT(i == needed);
  return i;
}

constexpr uint32_t zigzag(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
constexpr uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
constexpr int32_t unzigzag(uint32_t u) { return static_cast<int32_t>((u >> 1) ^ (0U - (u & 1U))); }
constexpr int64_t unzigzag(uint64_t u) {
  return static_cast<int64_t>((u >> 1) ^ (uint64_t{0} - (u & 1U)));
}

static_assert(zigzag(int32_t{0}) == 0 && zigzag(int32_t{-1}) == 1 && zigzag(int32_t{1}) == 2);
static_assert(zigzag(INT32_MIN) == UINT32_MAX && unzigzag(UINT32_MAX) == INT32_MIN);
static_assert(zigzag(INT64_MAX) == UINT64_MAX - 1 && unzigzag(UINT64_MAX - 1) == INT64_MAX);

}  // namespace varint_detail

// Decodes a VARINT from the front of `in`.
inline Result<VarintDecoded<int32_t>, VarintError> decode_varint(std::span<const std::byte> in) {
  auto raw = varint_detail::decode_unsigned<uint32_t, kVarintBytesMax>(in);
  if (!raw) return raw.error();
  return VarintDecoded<int32_t>{varint_detail::unzigzag(raw->value), raw->bytes};
}

// Decodes a VARLONG from the front of `in`.
inline Result<VarintDecoded<int64_t>, VarintError> decode_varlong(std::span<const std::byte> in) {
  auto raw = varint_detail::decode_unsigned<uint64_t, kVarlongBytesMax>(in);
  if (!raw) return raw.error();
  return VarintDecoded<int64_t>{varint_detail::unzigzag(raw->value), raw->bytes};
}

// Bytes the encoding of `value` takes (1..5 / 1..10).
constexpr size_t varint_size(int32_t value) {
  return varint_detail::unsigned_size(varint_detail::zigzag(value));
}
constexpr size_t varlong_size(int64_t value) {
  return varint_detail::unsigned_size(varint_detail::zigzag(value));
}

// Writes `value` at the front of `out` (which must hold varint_size(value) bytes) and returns
// the number of bytes written.
inline size_t encode_varint(int32_t value, std::span<std::byte> out) {
  return varint_detail::encode_unsigned(varint_detail::zigzag(value), out);
}
inline size_t encode_varlong(int64_t value, std::span<std::byte> out) {
  return varint_detail::encode_unsigned(varint_detail::zigzag(value), out);
}

static_assert(varint_size(0) == 1 && varint_size(-64) == 1 && varint_size(64) == 2);
static_assert(varint_size(INT32_MAX) == kVarintBytesMax && varint_size(INT32_MIN) == 5);
static_assert(varlong_size(INT64_MIN) == kVarlongBytesMax);

}  // namespace ringlog::storage
