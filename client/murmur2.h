#pragma once
// The Java client's key partitioner, bit for bit: murmur2 with seed 0x9747b28c over the key's
// bytes (org.apache.kafka.common.utils.Utils.murmur2), made positive by clearing the sign bit
// (Utils.toPositive), modulo the partition count. Keys land in the same partition whichever
// client wrote them (librdkafka's "murmur2_random" partitioner does the same for non-null keys).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ringlog::client {

int32_t murmur2(std::span<const std::byte> data);
inline int32_t murmur2(std::string_view data) {
  return murmur2(std::as_bytes(std::span(data.data(), data.size())));
}

// Utils.toPositive: clears the sign bit (not abs(), which overflows for INT32_MIN).
constexpr int32_t to_positive(int32_t n) { return n & 0x7fffffff; }

// toPositive(murmur2(key)) % partition_count. Precondition: partition_count > 0.
int32_t partition_for_key(std::string_view key, int32_t partition_count);

}  // namespace ringlog::client
