#pragma once
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value ~0, final xor ~0): the
// checksum Kafka's v2 RecordBatch carries over its bytes from `attributes` to the end.
//
// crc32c() picks the fastest implementation this CPU supports once, at first use. The
// individual implementations are exposed so tests can check they agree and benchmarks can
// compare them; production code calls crc32c() / crc32c_extend() only.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ringlog::storage {

// CRC-32C of `bytes`. crc32c("123456789") == 0xE3069283.
uint32_t crc32c(std::span<const std::byte> bytes);

// Continues a CRC over more bytes: crc32c_extend(crc32c(a), b) == crc32c(a ++ b).
// crc32c_extend(0, bytes) == crc32c(bytes).
uint32_t crc32c_extend(uint32_t crc, std::span<const std::byte> bytes);

inline uint32_t crc32c(std::string_view text) {
  return crc32c(std::as_bytes(std::span(text.data(), text.size())));
}

// The implementations behind crc32c_extend(). Each takes and returns a finished CRC (the ~0
// pre- and post-conditioning happen inside), so each is a drop-in for crc32c_extend().
namespace crc32c_impl {

// Byte-at-a-time table lookup. The reference the others are tested against; slow.
uint32_t portable(uint32_t crc, std::span<const std::byte> bytes);
// One stream of the SSE4.2 crc32 instruction, 8 bytes at a time (latency bound).
uint32_t sse42(uint32_t crc, std::span<const std::byte> bytes);
// Three interleaved SSE4.2 crc32 streams combined with PCLMULQDQ (throughput bound).
// Requires has_pclmul().
uint32_t sse42_3way(uint32_t crc, std::span<const std::byte> bytes);
// isa-l's crc32_iscsi (its own assembly). Requires has_isal().
uint32_t isal(uint32_t crc, std::span<const std::byte> bytes);

bool has_pclmul();
bool has_isal();

// The name of the implementation crc32c() dispatches to ("sse42_3way", "isal", ...).
std::string_view selected_name();

}  // namespace crc32c_impl

}  // namespace ringlog::storage
