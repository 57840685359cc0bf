#include "engine/storage/clean_shutdown_marker.h"

#include "engine/storage/crc32c.h"
#include "engine/storage/record_batch_format.h"
#include "engine/storage/segment_format.h"

namespace ringlog::storage {

namespace sf = segment_format;
using batch_format::load_be;
using batch_format::store_be;

std::vector<std::byte> encode_marker(const CleanShutdownMarker& marker) {
  std::vector<std::byte> out(sf::kMarkerBytes);
  std::byte* p = out.data();
  store_be<uint32_t>(p + sf::kMarkerMagicAt, sf::kMarkerMagic);
  store_be<uint32_t>(p + sf::kMarkerVersionAt, sf::kMarkerVersion);
  store_be<int64_t>(p + sf::kMarkerNextOffsetAt, marker.next_offset.value());
  store_be<int64_t>(p + sf::kMarkerActiveBaseAt, marker.active_base_offset.value());
  store_be<uint64_t>(p + sf::kMarkerActiveBytesAt, marker.active_size_bytes);
  store_be<uint32_t>(p + sf::kMarkerCrcAt, crc32c(std::span(out).first(sf::kMarkerCrcAt)));
  return out;
}

std::optional<CleanShutdownMarker> decode_marker(std::span<const std::byte> bytes) {
  if (bytes.size() != sf::kMarkerBytes) return std::nullopt;
  const std::byte* p = bytes.data();
  if (load_be<uint32_t>(p + sf::kMarkerMagicAt) != sf::kMarkerMagic) return std::nullopt;
  if (load_be<uint32_t>(p + sf::kMarkerVersionAt) != sf::kMarkerVersion) return std::nullopt;
  if (load_be<uint32_t>(p + sf::kMarkerCrcAt) != crc32c(bytes.first(sf::kMarkerCrcAt))) {
    return std::nullopt;
  }
  CleanShutdownMarker m{Offset(load_be<int64_t>(p + sf::kMarkerNextOffsetAt)),
                        Offset(load_be<int64_t>(p + sf::kMarkerActiveBaseAt)),
                        load_be<uint64_t>(p + sf::kMarkerActiveBytesAt)};
  if (m.active_base_offset < Offset(0) || m.next_offset < m.active_base_offset) return std::nullopt;
  return m;
}

}  // namespace ringlog::storage
