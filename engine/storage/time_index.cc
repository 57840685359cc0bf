#include "engine/storage/time_index.h"

#include <algorithm>

#include "engine/base/assert.h"
#include "engine/storage/record_batch_format.h"
#include "engine/storage/segment_format.h"

namespace ringlog::storage {

namespace sf = segment_format;
using batch_format::load_be;
using batch_format::store_be;

void TimeIndex::maybe_append(TimestampMs timestamp, RelativeOffset relative_offset) {
  if (!entries_.empty()) {
    if (timestamp <= entries_.back().timestamp) return;
    RL_ASSERT(relative_offset >= entries_.back().relative_offset);
  }
  entries_.push_back(Entry{timestamp, relative_offset});
}

std::optional<TimeIndex::Entry> TimeIndex::floor_below(TimestampMs target) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), target,
                             [](const Entry& e, TimestampMs t) { return e.timestamp < t; });
  if (it == entries_.begin()) return std::nullopt;
  return *std::prev(it);
}

void TimeIndex::truncate_from(RelativeOffset relative_offset) {
  while (!entries_.empty() && entries_.back().relative_offset >= relative_offset) {
    entries_.pop_back();
  }
}

std::vector<std::byte> TimeIndex::encode() const {
  std::vector<std::byte> out(entries_.size() * sf::kTimeEntryBytes);
  std::byte* p = out.data();
  for (const Entry& e : entries_) {
    store_be<int64_t>(p + sf::kTimeEntryTimestampAt, e.timestamp.value());
    store_be<uint32_t>(p + sf::kTimeEntryRelativeOffsetAt, e.relative_offset.value());
    p += sf::kTimeEntryBytes;
  }
  return out;
}

std::optional<TimeIndex> TimeIndex::decode(std::span<const std::byte> bytes) {
  if (bytes.size() % sf::kTimeEntryBytes != 0) return std::nullopt;
  TimeIndex index;
  index.entries_.reserve(bytes.size() / sf::kTimeEntryBytes);
  for (size_t at = 0; at < bytes.size(); at += sf::kTimeEntryBytes) {
    const Entry e{TimestampMs(load_be<int64_t>(&bytes[at + sf::kTimeEntryTimestampAt])),
                  RelativeOffset(load_be<uint32_t>(&bytes[at + sf::kTimeEntryRelativeOffsetAt]))};
    if (e.relative_offset.value() > static_cast<uint32_t>(sf::kRelativeOffsetMax)) {
      return std::nullopt;
    }
    if (!index.entries_.empty()) {
      const Entry& last = index.entries_.back();
      if (e.timestamp <= last.timestamp || e.relative_offset < last.relative_offset) {
        return std::nullopt;
      }
    }
    index.entries_.push_back(e);
  }
  return index;
}

}  // namespace ringlog::storage
