// decompress_records: each codec's output, as the codec libraries write it, comes back exactly;
// several gzip members or zstd frames in a row; snappy raw and in the Java client's xerial
// framing; cut-short, garbled and over-limit input give errors, never a crash. Then
// compress_batch: whole compressed batches read back with RecordReader.

#include "engine/storage/record_compression.h"

#include <gtest/gtest.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace ringlog::storage {
namespace {

using Bytes = std::vector<std::byte>;

Bytes bytes_of(const std::string& s) {
  Bytes b(s.size());
  std::memcpy(b.data(), s.data(), s.size());
  return b;
}

// ~180 KiB that compresses well but not trivially.
Bytes sample() {
  std::string s;
  for (int i = 0; i < 6000; ++i) s += "record " + std::to_string(i * 7919 % 10007) + " payload;";
  return bytes_of(s);
}

Bytes gzip(const Bytes& in) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(deflateBound(&z, in.size()) + 64);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Bytes snappy_raw(const Bytes& in) {
  size_t length = snappy_max_compressed_length(in.size());
  Bytes out(length);
  EXPECT_EQ(snappy_compress(reinterpret_cast<const char*>(in.data()), in.size(),
                            reinterpret_cast<char*>(out.data()), &length),
            SNAPPY_OK);
  out.resize(length);
  return out;
}

void put_be32(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::byte(v >> shift));
}

// The Java client's framing: magic, version 1, compatible version 1, blocks of 32 KiB.
Bytes snappy_xerial(const Bytes& in) {
  const unsigned char magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
  Bytes out(reinterpret_cast<const std::byte*>(magic),
            reinterpret_cast<const std::byte*>(magic) + 8);
  put_be32(out, 1);
  put_be32(out, 1);
  for (size_t at = 0; at < in.size(); at += 32 * 1024) {
    Bytes block(in.begin() + static_cast<ptrdiff_t>(at),
                in.begin() + static_cast<ptrdiff_t>(std::min(in.size(), at + 32 * 1024)));
    Bytes packed = snappy_raw(block);
    put_be32(out, static_cast<uint32_t>(packed.size()));
    out.insert(out.end(), packed.begin(), packed.end());
  }
  return out;
}

Bytes lz4_frame(const Bytes& in) {
  Bytes out(LZ4F_compressFrameBound(in.size(), nullptr));
  const size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), nullptr);
  EXPECT_FALSE(LZ4F_isError(n));
  out.resize(n);
  return out;
}

Bytes zstd_frame(const Bytes& in) {
  Bytes out(ZSTD_compressBound(in.size()));
  const size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Result<Bytes, DecompressError> decompress(Compression codec, const Bytes& in,
                                          size_t max_bytes = 64 << 20) {
  Bytes out;
  auto r = decompress_records(codec, in, max_bytes, out);
  if (!r) return r.error();
  return out;
}

struct Case {
  const char* name;
  Compression codec;
  Bytes (*compress)(const Bytes&);
};

class RecordDecompressionTest : public ::testing::TestWithParam<Case> {};

TEST_P(RecordDecompressionTest, WhatTheCodecWroteComesBackExactly) {
  const Bytes plain = sample();
  const Bytes packed = GetParam().compress(plain);
  ASSERT_LT(packed.size(), plain.size());
  auto out = decompress(GetParam().codec, packed);
  ASSERT_TRUE(out.has_value()) << to_string(out.error());
  EXPECT_EQ(*out, plain);
}

TEST_P(RecordDecompressionTest, CutShortAtAnyPointIsAnErrorNotACrash) {
  const Bytes packed = GetParam().compress(sample());
  for (size_t keep = 0; keep < packed.size(); keep += std::max<size_t>(1, packed.size() / 97)) {
    const Bytes cut(packed.begin(), packed.begin() + static_cast<ptrdiff_t>(keep));
    auto out = decompress(GetParam().codec, cut);
    EXPECT_FALSE(out.has_value()) << "kept " << keep << " of " << packed.size();
  }
}

TEST_P(RecordDecompressionTest, GarbledBytesGiveAnErrorOrOtherBytesNeverACrash) {
  const Bytes plain = sample();
  const Bytes packed = GetParam().compress(plain);
  for (size_t at = 0; at < packed.size(); at += std::max<size_t>(1, packed.size() / 61)) {
    Bytes garbled = packed;
    garbled[at] ^= std::byte{0x5a};
    auto out = decompress(GetParam().codec, garbled);
    if (out) {
      EXPECT_LE(out->size(), 64u << 20);
    }
  }
}

TEST_P(RecordDecompressionTest, OutputPastTheLimitIsRefused) {
  const Bytes plain = sample();
  auto out = decompress(GetParam().codec, GetParam().compress(plain), plain.size() - 1);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error(), DecompressError::kTooLarge);
  EXPECT_TRUE(decompress(GetParam().codec, GetParam().compress(plain), plain.size()).has_value());
}

TEST(RecordDecompressionTest, GzipMembersAndZstdFramesInARowAreRead) {
  const Bytes a = bytes_of("first part;");
  const Bytes b = bytes_of("second part");
  auto g = decompress(Compression::kGzip, concat(gzip(a), gzip(b)));
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(*g, concat(a, b));
  auto z = decompress(Compression::kZstd, concat(zstd_frame(a), zstd_frame(b)));
  ASSERT_TRUE(z.has_value());
  EXPECT_EQ(*z, concat(a, b));
}

TEST(RecordDecompressionTest, AnUncompressedBatchIsACallersMistake) {
  auto out = decompress(Compression::kNone, sample());
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error(), DecompressError::kNotCompressed);
}

// compress_batch, for every codec: the batch validates with the codec's bits, keeps every
// header field but length, attributes and CRC, and its records decompress to the uncompressed
// batch's records, which read back the same.
TEST_P(RecordDecompressionTest, ACompressedBatchReadsBackTheRecordsOfTheUncompressedOne) {
  const Compression codec = GetParam().codec;
  RecordBatchBuilder builder;
  for (int i = 0; i < 50; ++i) {
    builder.add({.timestamp = TimestampMs(1000 + i),
                 .key = "k" + std::to_string(i % 3),
                 .value = "value " + std::to_string(i) + std::string(100, 'x')});
  }
  const Bytes plain = builder.build();
  const RecordBatchView plain_view(plain);
  ASSERT_TRUE(plain_view.validate(BatchSource::kLog).has_value());

  std::optional<Bytes> batch = compress_batch(plain_view, codec);
  ASSERT_TRUE(batch.has_value());
  EXPECT_LT(batch->size(), plain.size());
  const RecordBatchView view(*batch);
  auto info = view.validate(BatchSource::kProducer);
  ASSERT_TRUE(info.has_value()) << to_string(info.error());
  EXPECT_EQ(info->compression, codec);
  EXPECT_EQ(view.records_count(), plain_view.records_count());
  EXPECT_EQ(view.base_timestamp(), plain_view.base_timestamp());
  EXPECT_EQ(view.max_timestamp(), plain_view.max_timestamp());
  EXPECT_EQ(view.last_offset(), plain_view.last_offset());

  Bytes inflated;
  ASSERT_TRUE(decompress_records(info->compression, view.records(), 1 << 20, inflated));
  EXPECT_TRUE(std::equal(inflated.begin(), inflated.end(), plain_view.records().begin(),
                         plain_view.records().end()));
  RecordReader compressed_reader(inflated, view.records_count());
  RecordReader plain_reader(plain_view);
  RecordView a, b;
  int read = 0;
  for (;; ++read) {
    auto more_a = compressed_reader.next(a);
    auto more_b = plain_reader.next(b);
    ASSERT_TRUE(more_a.has_value() && more_b.has_value());
    ASSERT_EQ(*more_a, *more_b);
    if (!*more_a) break;
    EXPECT_EQ(a.offset_delta, b.offset_delta);
    EXPECT_EQ(a.timestamp_delta, b.timestamp_delta);
    ASSERT_TRUE(a.key && b.key && a.value && b.value);
    EXPECT_TRUE(std::equal(a.key->begin(), a.key->end(), b.key->begin(), b.key->end()));
    EXPECT_TRUE(std::equal(a.value->begin(), a.value->end(), b.value->begin(), b.value->end()));
  }
  EXPECT_EQ(read, 50);
}

TEST(RecordCompressionTest, ABatchThatDoesNotShrinkStaysUncompressed) {
  RecordBatchBuilder builder;
  builder.add({.timestamp = TimestampMs(1), .key = "k", .value = "v"});
  const Bytes plain = builder.build();
  for (Compression codec :
       {Compression::kGzip, Compression::kSnappy, Compression::kLz4, Compression::kZstd}) {
    EXPECT_FALSE(compress_batch(RecordBatchView(plain), codec).has_value())
        << static_cast<int>(codec);
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, RecordDecompressionTest,
                         ::testing::Values(Case{"gzip", Compression::kGzip, gzip},
                                           Case{"snappy", Compression::kSnappy, snappy_raw},
                                           Case{"snappy_xerial", Compression::kSnappy,
                                                snappy_xerial},
                                           Case{"lz4", Compression::kLz4, lz4_frame},
                                           Case{"zstd", Compression::kZstd, zstd_frame}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(RecordCompressionTest, CodecNamesAreTheProducersCompressionTypes) {
  EXPECT_EQ(compression_from_name("none"), Compression::kNone);
  EXPECT_EQ(compression_from_name("gzip"), Compression::kGzip);
  EXPECT_EQ(compression_from_name("snappy"), Compression::kSnappy);
  EXPECT_EQ(compression_from_name("lz4"), Compression::kLz4);
  EXPECT_EQ(compression_from_name("zstd"), Compression::kZstd);
  for (const char* other : {"", "uncompressed", "producer", "Gzip", "lz4 ", "brotli"}) {
    EXPECT_EQ(compression_from_name(other), std::nullopt) << other;
  }
}

}  // namespace
}  // namespace ringlog::storage
