#pragma once
// OffsetIndex: a segment's sparse map from relative offset to file position, one entry per
// ~index-interval bytes of log (the first batch of a segment is never indexed: position 0 is
// implied). Kept in memory; encoded to and checked from the `.index` file (segment_format.h).

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/base/types.h"

namespace ringlog::storage {

class OffsetIndex {
 public:
  struct Entry {
    RelativeOffset relative_offset;
    uint32_t position = 0;
    friend bool operator==(const Entry&, const Entry&) = default;
  };

  // Preconditions: both strictly greater than the last entry's.
  void append(RelativeOffset relative_offset, uint32_t position);

  // The entry with the largest relative offset <= `target`; nullopt means "start at 0".
  std::optional<Entry> floor(RelativeOffset target) const;
  // The same entry's index in entries(); nullopt means "start at 0".
  std::optional<size_t> floor_index(RelativeOffset target) const;

  // Drops the entries at or past `position` (the log was truncated there).
  void truncate_to_position(uint32_t position);

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const Entry& back() const { return entries_.back(); }
  const std::vector<Entry>& entries() const { return entries_; }

  std::vector<std::byte> encode() const;
  // Parses an `.index` file's bytes. nullopt if they are not a valid index for a log of
  // `log_bytes` bytes: size not a multiple of the entry, offsets or positions not strictly
  // increasing, a position at or past the end of the log.
  static std::optional<OffsetIndex> decode(std::span<const std::byte> bytes, uint64_t log_bytes);

  friend bool operator==(const OffsetIndex&, const OffsetIndex&) = default;

 private:
  std::vector<Entry> entries_;
};

}  // namespace ringlog::storage
