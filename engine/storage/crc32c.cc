// CRC-32C implementations and the one-time choice between them.
//
// Notation: CRC state is kept "reflected", as the crc32 instruction keeps it: bit i of a 32-bit
// value is the coefficient of x^(31-i). In that notation the instruction computes
//   crc32q(c, w) = (c * x^64 + w * x^32) mod P
// for a 64-bit little-endian word w (bit i of w is the coefficient of x^(63-i)), and a
// carry-less multiply of two 32-bit reflected values a, b yields a 64-bit reflected value
// equal to a * b * x. Hence crc32q(0, clmul(c, k)) = c * k * x^33 mod P, and with
// k = x^(8n - 33) mod P this shifts a state c over n zero bytes: c * x^(8n) mod P. That is how
// three independent streams are merged (the CRC register is linear in state and data):
//   state(A ++ B ++ C, s) = shift(state(A, s), |B|+|C|) ^ shift(state(B, 0), |C|) ^ state(C, 0).

#include "engine/storage/crc32c.h"

#include <nmmintrin.h>
#include <wmmintrin.h>

#include <array>
#include <climits>
#include <cstring>

#include "engine/base/assert.h"

#ifndef RINGLOG_HAVE_ISAL
#define RINGLOG_HAVE_ISAL 0
#endif
#if RINGLOG_HAVE_ISAL
#include <isa-l/crc.h>
#endif

namespace ringlog::storage {
namespace {

constexpr uint32_t kPolyReflected = 0x82F63B78;

// Multiplies a reflected polynomial by x, modulo P.
constexpr uint32_t mul_x(uint32_t r) { return (r >> 1) ^ ((r & 1U) != 0 ? kPolyReflected : 0); }

// a * b mod P, both reflected.
constexpr uint32_t mul_mod_p(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (int degree = 0; degree < 32; ++degree) {
    if (((a >> (31 - degree)) & 1U) != 0) product ^= b;
    b = mul_x(b);
  }
  return product;
}

// x^n mod P, reflected.
constexpr uint32_t x_pow_mod_p(uint64_t n) {
  uint32_t result = 0x80000000U;  // x^0
  uint32_t square = 0x40000000U;  // x^1, then x^2, x^4, ...
  while (n != 0) {
    if ((n & 1U) != 0) result = mul_mod_p(result, square);
    square = mul_mod_p(square, square);
    n >>= 1;
  }
  return result;
}

static_assert(x_pow_mod_p(0) == 0x80000000U);
static_assert(x_pow_mod_p(32) == kPolyReflected, "x^32 mod P is P without its top term");

constexpr std::array<uint32_t, 256> make_byte_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t r = i;
    for (int bit = 0; bit < 8; ++bit) r = mul_x(r);
    table[i] = r;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kByteTable = make_byte_table();
static_assert(kByteTable[1] == 0xF26B8303U, "well-known CRC-32C table entry");

inline uint64_t load_u64(const std::byte* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return word;
}

// Raw register updates (no ~0 conditioning).
inline uint32_t raw_bytes_sse42(uint32_t state, const std::byte* p, size_t n) {
  for (size_t i = 0; i < n; ++i) state = _mm_crc32_u8(state, static_cast<uint8_t>(p[i]));
  return state;
}

inline uint32_t raw_sse42(uint32_t state, const std::byte* p, size_t n) {
  uint64_t wide = state;
  while (n >= 8) {
    wide = _mm_crc32_u64(wide, load_u64(p));
    p += 8;
    n -= 8;
  }
  return raw_bytes_sse42(static_cast<uint32_t>(wide), p, n);
}

// Bytes per stream for each tier of the three-way loop, largest first. Each round costs a merge
// (two carry-less multiplies and one crc32, ~10 cycles on the merge's dependency chain), so long
// tiers carry the bulk and shorter ones keep medium buffers off the single-stream path.
constexpr std::array<size_t, 3> kStreamBytes = {4096, 512, 128};

struct MergeConstants {
  uint32_t shift_two_streams;  // x^(8 * 2L - 33): moves stream 0 over streams 1 and 2
  uint32_t shift_one_stream;   // x^(8 * L - 33): moves stream 1 over stream 2
};

constexpr std::array<MergeConstants, kStreamBytes.size()> make_merge_constants() {
  std::array<MergeConstants, kStreamBytes.size()> constants{};
  for (size_t i = 0; i < kStreamBytes.size(); ++i) {
    constants[i].shift_two_streams = x_pow_mod_p(8 * 2 * kStreamBytes[i] - 33);
    constants[i].shift_one_stream = x_pow_mod_p(8 * kStreamBytes[i] - 33);
  }
  return constants;
}

constexpr std::array<MergeConstants, kStreamBytes.size()> kMergeConstants = make_merge_constants();

__attribute__((target("sse4.2,pclmul"))) inline uint64_t clmul(uint32_t a, uint32_t b) {
  __m128i product = _mm_clmulepi64_si128(_mm_cvtsi32_si128(static_cast<int>(a)),
                                         _mm_cvtsi32_si128(static_cast<int>(b)), 0x00);
  return static_cast<uint64_t>(_mm_cvtsi128_si64(product));
}

template <size_t kTier>
__attribute__((target("sse4.2,pclmul"))) inline uint32_t raw_3way_rounds(uint32_t state,
                                                                         const std::byte*& p,
                                                                         size_t& n) {
  constexpr size_t kStream = kStreamBytes[kTier];
  static_assert(kStream % 8 == 0);
  constexpr MergeConstants kMerge = kMergeConstants[kTier];
  while (n >= 3 * kStream) {
    uint64_t c0 = state;
    uint64_t c1 = 0;
    uint64_t c2 = 0;
    const std::byte* p1 = p + kStream;
    const std::byte* p2 = p + 2 * kStream;
    for (size_t i = 0; i < kStream; i += 8) {
      c0 = _mm_crc32_u64(c0, load_u64(p + i));
      c1 = _mm_crc32_u64(c1, load_u64(p1 + i));
      c2 = _mm_crc32_u64(c2, load_u64(p2 + i));
    }
    uint64_t shifted = clmul(static_cast<uint32_t>(c0), kMerge.shift_two_streams) ^
                       clmul(static_cast<uint32_t>(c1), kMerge.shift_one_stream);
    state = static_cast<uint32_t>(_mm_crc32_u64(0, shifted)) ^ static_cast<uint32_t>(c2);
    p += 3 * kStream;
    n -= 3 * kStream;
  }
  return state;
}

__attribute__((target("sse4.2,pclmul"))) uint32_t raw_3way(uint32_t state, const std::byte* p,
                                                           size_t n) {
  state = raw_3way_rounds<0>(state, p, n);
  state = raw_3way_rounds<1>(state, p, n);
  state = raw_3way_rounds<2>(state, p, n);
  return raw_sse42(state, p, n);
}

using ExtendFn = uint32_t (*)(uint32_t, std::span<const std::byte>);

struct Selected {
  ExtendFn extend;
  std::string_view name;
};

#if RINGLOG_HAVE_ISAL
// Below this size isa-l's setup costs more than one crc32 stream (64 B: 18 ns vs 6 ns).
constexpr size_t kIsalMinBytes = 256;

uint32_t isal_or_sse42(uint32_t crc, std::span<const std::byte> bytes) {
  if (bytes.size() < kIsalMinBytes) return crc32c_impl::sse42(crc, bytes);
  return crc32c_impl::isal(crc, bytes);
}
#endif

Selected select_implementation() {
#if RINGLOG_HAVE_ISAL
  // Measured with bench/micro/crc32c_bench.cc (see FORMAT.md): isa-l's folding assembly is
  // about twice our three-way loop from 1 KiB up (62 vs 30 GB/s at 64 KiB).
  return {isal_or_sse42, "isal_or_sse42"};
#else
  if (crc32c_impl::has_pclmul()) return {crc32c_impl::sse42_3way, "sse42_3way"};
  return {crc32c_impl::sse42, "sse42"};
#endif
}

const Selected& selected() {
  static const Selected kSelected = select_implementation();
  return kSelected;
}

}  // namespace

namespace crc32c_impl {

uint32_t portable(uint32_t crc, std::span<const std::byte> bytes) {
  uint32_t state = ~crc;
  for (std::byte b : bytes) {
    state = kByteTable[(state ^ static_cast<uint8_t>(b)) & 0xFFU] ^ (state >> 8);
  }
  return ~state;
}

uint32_t sse42(uint32_t crc, std::span<const std::byte> bytes) {
  return ~raw_sse42(~crc, bytes.data(), bytes.size());
}

uint32_t sse42_3way(uint32_t crc, std::span<const std::byte> bytes) {
  RL_DASSERT(has_pclmul());
  return ~raw_3way(~crc, bytes.data(), bytes.size());
}

uint32_t isal(uint32_t crc, std::span<const std::byte> bytes) {
#if RINGLOG_HAVE_ISAL
  // crc32_iscsi keeps the raw register: it takes and returns it without the ~0 conditioning,
  // and takes an int length.
  uint32_t state = ~crc;
  const std::byte* p = bytes.data();
  size_t n = bytes.size();
  while (n != 0) {
    size_t chunk = n < static_cast<size_t>(INT_MAX) ? n : static_cast<size_t>(1) << 30;
    // isa-l's signature is not const-correct; it only reads the buffer.
    auto* data = reinterpret_cast<unsigned char*>(const_cast<std::byte*>(p));
    state = crc32_iscsi(data, static_cast<int>(chunk), state);
    p += chunk;
    n -= chunk;
  }
  return ~state;
#else
  (void)crc;
  (void)bytes;
  RL_ASSERT(false, "built without isa-l");
  return 0;
#endif
}

bool has_pclmul() {
  static const bool kHas = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.2");
  return kHas;
}

bool has_isal() { return RINGLOG_HAVE_ISAL != 0; }

std::string_view selected_name() { return selected().name; }

}  // namespace crc32c_impl

uint32_t crc32c_extend(uint32_t crc, std::span<const std::byte> bytes) {
  return selected().extend(crc, bytes);
}

uint32_t crc32c(std::span<const std::byte> bytes) { return crc32c_extend(0, bytes); }

}  // namespace ringlog::storage
