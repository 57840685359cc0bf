// Proves every CRC-32C implementation gives the Castagnoli checksum of the published vectors
// and that all of them agree at many lengths, alignments and when extended piecewise.

#include "engine/storage/crc32c.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ringlog::storage {
namespace {

using ExtendFn = uint32_t (*)(uint32_t, std::span<const std::byte>);

struct Implementation {
  const char* name;
  ExtendFn fn;
};

std::vector<Implementation> implementations() {
  std::vector<Implementation> all = {{"portable", crc32c_impl::portable},
                                     {"sse42", crc32c_impl::sse42},
                                     {"dispatched", crc32c_extend}};
  if (crc32c_impl::has_pclmul()) all.push_back({"sse42_3way", crc32c_impl::sse42_3way});
  if (crc32c_impl::has_isal()) all.push_back({"isal", crc32c_impl::isal});
  return all;
}

std::span<const std::byte> as_bytes(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

std::vector<std::byte> pseudo_random_bytes(size_t size, uint32_t seed) {
  std::vector<std::byte> out(size);
  uint32_t x = seed;
  for (std::byte& b : out) {
    x = x * 1664525U + 1013904223U;
    b = static_cast<std::byte>(x >> 24);
  }
  return out;
}

TEST(Crc32cTest, KnownVectorsMatchForEveryImplementation) {
  // Check value from the CRC catalogue and RFC 3720 (iSCSI) appendix B.4 vectors.
  const std::string digits = "123456789";
  const std::string zeros(32, '\0');
  const std::string ones(32, '\xFF');
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
  std::string descending(32, '\0');
  for (int i = 0; i < 32; ++i) descending[i] = static_cast<char>(31 - i);
  for (const Implementation& impl : implementations()) {
    SCOPED_TRACE(impl.name);
    EXPECT_EQ(impl.fn(0, {}), 0U);
    EXPECT_EQ(impl.fn(0, as_bytes(digits)), 0xE3069283U);
    EXPECT_EQ(impl.fn(0, as_bytes(zeros)), 0x8A9136AAU);
    EXPECT_EQ(impl.fn(0, as_bytes(ones)), 0x62A8AB43U);
    EXPECT_EQ(impl.fn(0, as_bytes(ascending)), 0x46DD794EU);
    EXPECT_EQ(impl.fn(0, as_bytes(descending)), 0x113FDB5CU);
  }
  EXPECT_EQ(crc32c("123456789"), 0xE3069283U);
}

TEST(Crc32cTest, AllImplementationsAgreeAtEveryLengthAndAlignment) {
  const std::vector<std::byte> data = pseudo_random_bytes(70000, 7);
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 1100; ++n) lengths.push_back(n);
  for (size_t n : {1535, 1536, 1537, 3071, 3072, 3073, 4095, 12287, 12288, 12289, 16384, 36863,
                   36864, 49151, 65536, 65600, 69990}) {
    lengths.push_back(n);
  }
  const auto impls = implementations();
  for (size_t align = 0; align < 8; ++align) {
    for (size_t n : lengths) {
      auto bytes = std::span(data).subspan(align, n);
      const uint32_t expected = crc32c_impl::portable(0, bytes);
      for (const Implementation& impl : impls) {
        ASSERT_EQ(impl.fn(0, bytes), expected)
            << impl.name << " length " << n << " align " << align;
      }
    }
  }
}

TEST(Crc32cTest, ExtendingPiecewiseEqualsOneShot) {
  const std::vector<std::byte> data = pseudo_random_bytes(40000, 11);
  const uint32_t whole = crc32c(data);
  for (const Implementation& impl : implementations()) {
    for (size_t split : {size_t{0}, size_t{1}, size_t{7}, size_t{61}, size_t{1000}, size_t{12288},
                         size_t{39999}, size_t{40000}}) {
      auto data_span = std::span(data);
      uint32_t crc = impl.fn(0, data_span.first(split));
      crc = impl.fn(crc, data_span.subspan(split));
      EXPECT_EQ(crc, whole) << impl.name << " split " << split;
    }
  }
}

TEST(Crc32cTest, SelectedImplementationIsNamed) {
  EXPECT_FALSE(crc32c_impl::selected_name().empty());
}

}  // namespace
}  // namespace ringlog::storage
