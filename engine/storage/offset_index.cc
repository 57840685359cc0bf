#include "engine/storage/offset_index.h"

#include <algorithm>

#include "engine/base/assert.h"
#include "engine/storage/record_batch_format.h"
#include "engine/storage/segment_format.h"

namespace ringlog::storage {

namespace sf = segment_format;
using batch_format::load_be;
using batch_format::store_be;

void OffsetIndex::append(RelativeOffset relative_offset, uint32_t position) {
  if (!entries_.empty()) {
    RL_ASSERT(relative_offset > entries_.back().relative_offset);
    RL_ASSERT(position > entries_.back().position);
  }
  RL_ASSERT(position > 0, "position 0 is implied, never indexed");
  entries_.push_back(Entry{relative_offset, position});
}

std::optional<OffsetIndex::Entry> OffsetIndex::floor(RelativeOffset target) const {
  const std::optional<size_t> i = floor_index(target);
  if (!i) return std::nullopt;
  return entries_[*i];
}

std::optional<size_t> OffsetIndex::floor_index(RelativeOffset target) const {
  auto it =
      std::upper_bound(entries_.begin(), entries_.end(), target,
                       [](RelativeOffset t, const Entry& e) { return t < e.relative_offset; });
  if (it == entries_.begin()) return std::nullopt;
  return static_cast<size_t>(std::prev(it) - entries_.begin());
}

void OffsetIndex::truncate_to_position(uint32_t position) {
  while (!entries_.empty() && entries_.back().position >= position) entries_.pop_back();
}

std::vector<std::byte> OffsetIndex::encode() const {
  std::vector<std::byte> out(entries_.size() * sf::kOffsetEntryBytes);
  std::byte* p = out.data();
  for (const Entry& e : entries_) {
    store_be<uint32_t>(p + sf::kOffsetEntryRelativeOffsetAt, e.relative_offset.value());
    store_be<uint32_t>(p + sf::kOffsetEntryPositionAt, e.position);
    p += sf::kOffsetEntryBytes;
  }
  return out;
}

std::optional<OffsetIndex> OffsetIndex::decode(std::span<const std::byte> bytes,
                                               uint64_t log_bytes) {
  if (bytes.size() % sf::kOffsetEntryBytes != 0) return std::nullopt;
  OffsetIndex index;
  index.entries_.reserve(bytes.size() / sf::kOffsetEntryBytes);
  for (size_t at = 0; at < bytes.size(); at += sf::kOffsetEntryBytes) {
    const Entry e{RelativeOffset(load_be<uint32_t>(&bytes[at + sf::kOffsetEntryRelativeOffsetAt])),
                  load_be<uint32_t>(&bytes[at + sf::kOffsetEntryPositionAt])};
    if (e.position == 0 || e.position >= log_bytes) return std::nullopt;
    if (e.relative_offset.value() > static_cast<uint32_t>(sf::kRelativeOffsetMax)) {
      return std::nullopt;
    }
    if (!index.entries_.empty()) {
      const Entry& last = index.entries_.back();
      if (e.relative_offset <= last.relative_offset || e.position <= last.position) {
        return std::nullopt;
      }
    }
    index.entries_.push_back(e);
  }
  return index;
}

}  // namespace ringlog::storage
