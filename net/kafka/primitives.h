#pragma once
// Value types of the Kafka wire format that have no exact standard C++ counterpart: the UUID, and
// the view a RECORDS field decodes to. Wire layouts are in ../../shared/kafka-protocol/README.md
// §2.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace ringlog::kafka {

inline constexpr int16_t kStringBytesMax = INT16_MAX;

// How lengths and counts of strings, bytes, records and arrays are written: INT16/INT32 in
// classic versions, UNSIGNED_VARINT(N + 1) in flexible ones.
enum class LengthEncoding : uint8_t { kClassic, kCompact };

// 16 bytes, most significant first; all zero means "none".
struct Uuid {
  std::array<std::byte, 16> bytes{};

  bool is_zero() const {
    return std::all_of(bytes.begin(), bytes.end(), [](std::byte b) { return b == std::byte{0}; });
  }
  friend bool operator==(const Uuid&, const Uuid&) = default;
};

// The bytes of a RECORDS field: zero or more record batches laid end to end, viewed in place in
// the received frame (no copy). Split with storage::split_batches and validate each batch.
// Valid only while the frame buffer lives.
struct RecordsView {
  std::span<const std::byte> bytes;
  // Encoding only: the records are `deferred_bytes` long and not in memory (file ranges a fetch
  // splices to the socket). The writer writes the length and notes where they belong
  // (Writer::deferred_records()) instead of copying bytes.
  uint32_t deferred_bytes = 0;

  static RecordsView deferred(uint32_t length) { return RecordsView{{}, length}; }
  bool is_deferred() const { return deferred_bytes != 0; }
  size_t size() const { return is_deferred() ? deferred_bytes : bytes.size(); }
  bool empty() const { return size() == 0; }
  // Equal contents, wherever they live (for tests and round trips).
  friend bool operator==(const RecordsView& a, const RecordsView& b) {
    return std::equal(a.bytes.begin(), a.bytes.end(), b.bytes.begin(), b.bytes.end());
  }
};

}  // namespace ringlog::kafka
