#pragma once
// Layout of Kafka's magic-2 RecordBatch, byte for byte as it travels on the wire and sits in a
// segment file. Prose spec: engine/storage/FORMAT.md, "Record batch". All header integers are
// big-endian; record fields inside the batch are zigzag varints (engine/storage/varint.h).

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ringlog::storage::batch_format {

// Byte offsets of the header fields from the first byte of the batch.
inline constexpr size_t kBaseOffsetAt = 0;             // int64
inline constexpr size_t kBatchLengthAt = 8;            // int32: bytes after this field
inline constexpr size_t kPartitionLeaderEpochAt = 12;  // int32: not covered by the CRC
inline constexpr size_t kMagicAt = 16;                 // int8
inline constexpr size_t kCrcAt = 17;                   // uint32: CRC-32C of [kCrcStart, end)
inline constexpr size_t kAttributesAt = 21;            // int16
inline constexpr size_t kLastOffsetDeltaAt = 23;       // int32
inline constexpr size_t kBaseTimestampAt = 27;         // int64
inline constexpr size_t kMaxTimestampAt = 35;          // int64
inline constexpr size_t kProducerIdAt = 43;            // int64
inline constexpr size_t kProducerEpochAt = 51;         // int16
inline constexpr size_t kBaseSequenceAt = 53;          // int32
inline constexpr size_t kRecordsCountAt = 57;          // int32
inline constexpr size_t kRecordsAt = 61;               // the records (or one compressed blob)

inline constexpr size_t kHeaderBytes = 61;
// baseOffset + batchLength: the prefix every magic shares; enough to skip a batch.
inline constexpr size_t kLogOverheadBytes = 12;
// The CRC covers everything from the attributes to the end of the batch.
inline constexpr size_t kCrcStart = kAttributesAt;
// Smallest legal batchLength: a header with no records.
inline constexpr int32_t kBatchLengthMin = static_cast<int32_t>(kHeaderBytes - kLogOverheadBytes);

inline constexpr int8_t kMagicV2 = 2;

// Each field starts where the previous one ends.
static_assert(kBatchLengthAt == kBaseOffsetAt + sizeof(int64_t));
static_assert(kPartitionLeaderEpochAt == kBatchLengthAt + sizeof(int32_t));
static_assert(kMagicAt == kPartitionLeaderEpochAt + sizeof(int32_t));
static_assert(kCrcAt == kMagicAt + sizeof(int8_t));
static_assert(kAttributesAt == kCrcAt + sizeof(uint32_t));
static_assert(kLastOffsetDeltaAt == kAttributesAt + sizeof(int16_t));
static_assert(kBaseTimestampAt == kLastOffsetDeltaAt + sizeof(int32_t));
static_assert(kMaxTimestampAt == kBaseTimestampAt + sizeof(int64_t));
static_assert(kProducerIdAt == kMaxTimestampAt + sizeof(int64_t));
static_assert(kProducerEpochAt == kProducerIdAt + sizeof(int64_t));
static_assert(kBaseSequenceAt == kProducerEpochAt + sizeof(int16_t));
static_assert(kRecordsCountAt == kBaseSequenceAt + sizeof(int32_t));
static_assert(kRecordsAt == kRecordsCountAt + sizeof(int32_t));
static_assert(kHeaderBytes == kRecordsAt);
static_assert(kHeaderBytes == 61);
static_assert(kLogOverheadBytes == kPartitionLeaderEpochAt);
static_assert(kBatchLengthMin == 49);

// Attribute bits (int16 at kAttributesAt).
inline constexpr uint16_t kCompressionMask = 0x0007;       // bits 0-2: codec, see Compression
inline constexpr uint16_t kTimestampTypeBit = 0x0008;      // bit 3: 1 = LogAppendTime
inline constexpr uint16_t kTransactionalBit = 0x0010;      // bit 4
inline constexpr uint16_t kControlBit = 0x0020;            // bit 5: holds a transaction marker
inline constexpr uint16_t kDeleteHorizonBit = 0x0040;      // bit 6: baseTimestamp = delete horizon
inline constexpr uint16_t kUnusedAttributesMask = 0xFF80;  // bits 7-15: must be zero

static_assert((kCompressionMask | kTimestampTypeBit | kTransactionalBit | kControlBit |
               kDeleteHorizonBit | kUnusedAttributesMask) == 0xFFFF);
static_assert((kCompressionMask & kTimestampTypeBit) == 0);
static_assert(((kTimestampTypeBit | kTransactionalBit | kControlBit | kDeleteHorizonBit) &
               kUnusedAttributesMask) == 0);

// Values of the three codec bits. 5, 6 and 7 are invalid.
enum class Compression : uint8_t {
  kNone = 0,
  kGzip = 1,
  kSnappy = 2,
  kLz4 = 3,
  kZstd = 4,
};
inline constexpr uint8_t kCompressionCodecMax = 4;

enum class TimestampType : uint8_t {
  kCreateTime = 0,
  kLogAppendTime = 1,
};

// Record layout inside an uncompressed records section (all varints zigzag-encoded):
//   length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
//   keyLength varint (-1 = null), key, valueLength varint (-1 = null), value,
//   headersCount varint, then per header: keyLength varint (not null), key,
//   valueLength varint (-1 = null), value.
// The smallest record: length(1) attributes(1) timestampDelta(1) offsetDelta(1) keyLength(1)
// valueLength(1) headersCount(1).
inline constexpr size_t kRecordBytesMin = 7;
// The smallest header: keyLength(1) valueLength(1).
inline constexpr size_t kRecordHeaderBytesMin = 2;

// Control record key and value (transaction markers), for callers that write or read them.
inline constexpr size_t kControlKeyBytes = 4;    // version int16, type int16
inline constexpr size_t kControlValueBytes = 6;  // version int16, coordinatorEpoch int32
inline constexpr int16_t kControlTypeAbort = 0;
inline constexpr int16_t kControlTypeCommit = 1;

// Big-endian loads and stores of header fields. `p` need not be aligned.
template <typename T>
inline T load_be(const std::byte* p) {
  static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
  if constexpr (sizeof(T) == 1) {
    return static_cast<T>(*p);
  } else if constexpr (sizeof(T) == 2) {
    uint16_t raw;
    std::memcpy(&raw, p, sizeof(raw));
    return static_cast<T>(__builtin_bswap16(raw));
  } else if constexpr (sizeof(T) == 4) {
    uint32_t raw;
    std::memcpy(&raw, p, sizeof(raw));
    return static_cast<T>(__builtin_bswap32(raw));
  } else {
    uint64_t raw;
    std::memcpy(&raw, p, sizeof(raw));
    return static_cast<T>(__builtin_bswap64(raw));
  }
}

template <typename T>
inline void store_be(std::byte* p, T value) {
  static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
  if constexpr (sizeof(T) == 1) {
    *p = static_cast<std::byte>(value);
  } else if constexpr (sizeof(T) == 2) {
    uint16_t raw = __builtin_bswap16(static_cast<uint16_t>(value));
    std::memcpy(p, &raw, sizeof(raw));
  } else if constexpr (sizeof(T) == 4) {
    uint32_t raw = __builtin_bswap32(static_cast<uint32_t>(value));
    std::memcpy(p, &raw, sizeof(raw));
  } else {
    uint64_t raw = __builtin_bswap64(static_cast<uint64_t>(value));
    std::memcpy(p, &raw, sizeof(raw));
  }
}

}  // namespace ringlog::storage::batch_format
