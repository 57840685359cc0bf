#include "client/murmur2.h"

#include "engine/base/assert.h"

namespace ringlog::client {

int32_t murmur2(std::span<const std::byte> data) {
  // Java's int arithmetic wraps; unsigned arithmetic here wraps the same way, and >>> is a
  // logical shift of the unsigned value.
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  const size_t length = data.size();
  uint32_t h = kSeed ^ static_cast<uint32_t>(length);
  const size_t length4 = length / 4;
  auto byte_at = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(data[i])); };
  for (size_t i = 0; i < length4; ++i) {
    const size_t i4 = i * 4;
    uint32_t k =
        byte_at(i4) | (byte_at(i4 + 1) << 8) | (byte_at(i4 + 2) << 16) | (byte_at(i4 + 3) << 24);
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  const size_t tail = length & ~size_t{3};
  switch (length % 4) {
    case 3:
      h ^= byte_at(tail + 2) << 16;
      [[fallthrough]];
    case 2:
      h ^= byte_at(tail + 1) << 8;
      [[fallthrough]];
    case 1:
      h ^= byte_at(tail);
      h *= kM;
      break;
    default:
      break;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

int32_t partition_for_key(std::string_view key, int32_t partition_count) {
  RL_ASSERT(partition_count > 0);
  return to_positive(murmur2(key)) % partition_count;
}

}  // namespace ringlog::client
