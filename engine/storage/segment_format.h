#pragma once
// On-disk layout of a partition log directory besides the batches themselves: segment file
// names, the sparse offset index, the time index and the clean-shutdown marker. Prose spec:
// engine/storage/FORMAT.md, "Segment files" onwards. Integers are big-endian, as in batches.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/base/types.h"

namespace ringlog::storage::segment_format {

// "<base offset, zero-padded to 20 decimal digits><suffix>", e.g. 00000000000000001234.log.
inline constexpr size_t kBaseOffsetDigits = 20;
inline constexpr std::string_view kLogSuffix = ".log";
inline constexpr std::string_view kOffsetIndexSuffix = ".index";
inline constexpr std::string_view kTimeIndexSuffix = ".timeindex";

std::string file_name(Offset base_offset, std::string_view suffix);
// The base offset if `name` is exactly 20 digits followed by `suffix`.
std::optional<Offset> parse_file_name(std::string_view name, std::string_view suffix);

// A segment is at most this big: index positions are 32-bit (as Kafka's).
inline constexpr uint64_t kSegmentBytesMax = 0x7fff'ffff;
// Offsets inside a segment are stored relative to its base offset in 32 bits; a segment rolls
// before a batch's last offset would be further than this from the base.
inline constexpr int64_t kRelativeOffsetMax = 0x7fff'ffff;

// Offset index entry: the batch whose base offset is base + relative starts at position.
inline constexpr size_t kOffsetEntryRelativeOffsetAt = 0;  // uint32
inline constexpr size_t kOffsetEntryPositionAt = 4;        // uint32
inline constexpr size_t kOffsetEntryBytes = 8;
static_assert(kOffsetEntryPositionAt == kOffsetEntryRelativeOffsetAt + sizeof(uint32_t));
static_assert(kOffsetEntryBytes == kOffsetEntryPositionAt + sizeof(uint32_t));

// Time index entry: no batch before the batch at base + relative has a max timestamp above
// `timestamp`, and that batch is the first to reach it.
inline constexpr size_t kTimeEntryTimestampAt = 0;       // int64, ms since the epoch
inline constexpr size_t kTimeEntryRelativeOffsetAt = 8;  // uint32
inline constexpr size_t kTimeEntryBytes = 12;
static_assert(kTimeEntryRelativeOffsetAt == kTimeEntryTimestampAt + sizeof(int64_t));
static_assert(kTimeEntryBytes == kTimeEntryRelativeOffsetAt + sizeof(uint32_t));

// Default distance in log bytes between two index entries (Kafka's index.interval.bytes).
inline constexpr uint32_t kIndexIntervalBytesDefault = 4096;

// Clean-shutdown marker: a file named kCleanShutdownName in the log directory, written last
// on a clean close and removed first on open. Its fields let open check that the active segment
// is the one that was closed cleanly.
inline constexpr std::string_view kCleanShutdownName = "clean_shutdown";

// Log start offset checkpoint: a file named kLogStartName in the log directory, rewritten in
// place when DeleteRecords moves the log start offset into a segment (retention only deletes
// whole segments, so the first segment's base offset covers it). 16 bytes: magic, CRC-32C of the
// offset's 8 bytes, offset. A file that fails its checks is ignored: the log then starts at its
// first segment's base offset, which only makes deleted-but-kept records visible again.
inline constexpr std::string_view kLogStartName = "log_start_offset";
inline constexpr uint32_t kLogStartMagic = 0x524c5353;  // "RLSS"
inline constexpr size_t kLogStartMagicAt = 0;           // uint32
inline constexpr size_t kLogStartCrcAt = 4;             // uint32: CRC-32C of the offset bytes
inline constexpr size_t kLogStartOffsetAt = 8;          // int64
inline constexpr size_t kLogStartBytes = 16;
static_assert(kLogStartBytes == kLogStartOffsetAt + sizeof(int64_t));
inline constexpr uint32_t kMarkerMagic = 0x524c4353;  // "RLCS"
inline constexpr uint32_t kMarkerVersion = 1;
inline constexpr size_t kMarkerMagicAt = 0;         // uint32
inline constexpr size_t kMarkerVersionAt = 4;       // uint32
inline constexpr size_t kMarkerNextOffsetAt = 8;    // int64: log end offset
inline constexpr size_t kMarkerActiveBaseAt = 16;   // int64: active segment's base offset
inline constexpr size_t kMarkerActiveBytesAt = 24;  // uint64: active segment's size
inline constexpr size_t kMarkerCrcAt = 32;          // uint32: CRC-32C of bytes [0, 32)
inline constexpr size_t kMarkerBytes = 36;
static_assert(kMarkerVersionAt == kMarkerMagicAt + sizeof(uint32_t));
static_assert(kMarkerNextOffsetAt == kMarkerVersionAt + sizeof(uint32_t));
static_assert(kMarkerActiveBaseAt == kMarkerNextOffsetAt + sizeof(int64_t));
static_assert(kMarkerActiveBytesAt == kMarkerActiveBaseAt + sizeof(int64_t));
static_assert(kMarkerCrcAt == kMarkerActiveBytesAt + sizeof(uint64_t));
static_assert(kMarkerBytes == kMarkerCrcAt + sizeof(uint32_t));

}  // namespace ringlog::storage::segment_format
