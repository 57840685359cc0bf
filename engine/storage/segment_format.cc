#include "engine/storage/segment_format.h"

#include <fmt/format.h>

#include <cstdint>

namespace ringlog::storage::segment_format {

std::string file_name(Offset base_offset, std::string_view suffix) {
  return fmt::format("{:020d}{}", base_offset.value(), suffix);
}

std::optional<Offset> parse_file_name(std::string_view name, std::string_view suffix) {
  if (name.size() != kBaseOffsetDigits + suffix.size()) return std::nullopt;
  if (name.substr(kBaseOffsetDigits) != suffix) return std::nullopt;
  uint64_t value = 0;
  for (size_t i = 0; i < kBaseOffsetDigits; ++i) {
    const char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<uint64_t>(c - '0');
    // 20 digits can exceed int64; offsets never do.
    if (value > (static_cast<uint64_t>(INT64_MAX) - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return Offset(static_cast<int64_t>(value));
}

}  // namespace ringlog::storage::segment_format
