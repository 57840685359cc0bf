#pragma once
// The clean-shutdown marker (layout in segment_format.h, spec in FORMAT.md): written last by a
// clean close, removed first by open. When present and matching the active segment, open skips
// the recovery scan.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/base/types.h"

namespace ringlog::storage {

struct CleanShutdownMarker {
  Offset next_offset;
  Offset active_base_offset;
  uint64_t active_size_bytes = 0;
  friend bool operator==(const CleanShutdownMarker&, const CleanShutdownMarker&) = default;
};

std::vector<std::byte> encode_marker(const CleanShutdownMarker& marker);
// nullopt unless size, magic, version and CRC are right.
std::optional<CleanShutdownMarker> decode_marker(std::span<const std::byte> bytes);

}  // namespace ringlog::storage
