#pragma once
// TimeIndex: a segment's sparse map from max timestamp to relative offset. An entry (t, r) says
// that no batch before the batch at relative offset r has a max timestamp above t, and that
// batch is the first to reach t; timestamps strictly increase from entry to entry. Kept in
// memory; encoded to and checked from the `.timeindex` file (segment_format.h).

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/base/types.h"

namespace ringlog::storage {

class TimeIndex {
 public:
  struct Entry {
    TimestampMs timestamp;
    RelativeOffset relative_offset;
    friend bool operator==(const Entry&, const Entry&) = default;
  };

  // Appends if `timestamp` is above the last entry's (else does nothing). Precondition: the
  // relative offset is not below the last entry's.
  void maybe_append(TimestampMs timestamp, RelativeOffset relative_offset);

  // The entry with the largest timestamp strictly below `target`: every batch up to its batch
  // has a max timestamp below `target`, so a search for `target` may start at that batch.
  // nullopt means "start at the beginning of the segment".
  std::optional<Entry> floor_below(TimestampMs target) const;

  // Drops the entries for relative offsets at or past `relative_offset`.
  void truncate_from(RelativeOffset relative_offset);

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const Entry& back() const { return entries_.back(); }
  const std::vector<Entry>& entries() const { return entries_; }

  std::vector<std::byte> encode() const;
  // Parses a `.timeindex` file's bytes: nullopt unless the size is a multiple of the entry,
  // timestamps strictly increase and relative offsets do not decrease.
  static std::optional<TimeIndex> decode(std::span<const std::byte> bytes);

  friend bool operator==(const TimeIndex&, const TimeIndex&) = default;

 private:
  std::vector<Entry> entries_;
};

}  // namespace ringlog::storage
