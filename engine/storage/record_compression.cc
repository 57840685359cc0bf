#include "engine/storage/record_compression.h"

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <memory>

#include "engine/base/assert.h"
#include "engine/storage/crc32c.h"
#include "engine/storage/record_batch_format.h"

namespace ringlog::storage {

namespace {

using batch_format::load_be;
using batch_format::store_be;

// Output grows by this much at a time (capped by the caller's limit).
constexpr size_t kGrowBytes = 64 * 1024;

// Makes room for at least one more chunk after out.size(); kTooLarge when out is already full.
bool grow(std::vector<std::byte>& out, size_t used, size_t max_bytes) {
  if (used >= max_bytes) return false;
  const size_t target = std::min(max_bytes, std::max(used + kGrowBytes, used * 2));
  out.resize(target);
  return true;
}

Result<void, DecompressError> gunzip(std::span<const std::byte> in, size_t max_bytes,
                                     std::vector<std::byte>& out) {
  z_stream z{};
  // 15 + 32: a gzip or zlib header, whichever it is.
  if (inflateInit2(&z, 15 + 32) != Z_OK) return DecompressError::kCorrupt;
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, inflateEnd);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  size_t used = 0;
  for (;;) {
    if (used == out.size() && !grow(out, used, max_bytes)) return DecompressError::kTooLarge;
    z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    z.avail_out = static_cast<uInt>(out.size() - used);
    const int rc = inflate(&z, Z_NO_FLUSH);
    used = out.size() - z.avail_out;
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      // Another gzip member follows.
      if (inflateReset(&z) != Z_OK) return DecompressError::kCorrupt;
      continue;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0) return DecompressError::kCorrupt;  // cut short
    if (rc != Z_OK && rc != Z_BUF_ERROR) return DecompressError::kCorrupt;
  }
  out.resize(used);
  return {};
}

// Appends one raw snappy block.
Result<void, DecompressError> unsnappy_raw(std::span<const std::byte> in, size_t max_bytes,
                                           std::vector<std::byte>& out) {
  const auto* data = reinterpret_cast<const char*>(in.data());
  size_t length = 0;
  if (snappy_uncompressed_length(data, in.size(), &length) != SNAPPY_OK) {
    return DecompressError::kCorrupt;
  }
  const size_t used = out.size();
  if (length > max_bytes - used) return DecompressError::kTooLarge;
  out.resize(used + length);
  size_t produced = length;
  if (snappy_uncompress(data, in.size(), reinterpret_cast<char*>(out.data() + used), &produced) !=
          SNAPPY_OK ||
      produced != length) {
    return DecompressError::kCorrupt;
  }
  return {};
}

constexpr unsigned char kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeaderBytes = 16;  // magic, version, compatible version

Result<void, DecompressError> unsnappy(std::span<const std::byte> in, size_t max_bytes,
                                       std::vector<std::byte>& out) {
  if (in.size() < kXerialHeaderBytes || std::memcmp(in.data(), kXerialMagic, 8) != 0) {
    return unsnappy_raw(in, max_bytes, out);
  }
  size_t at = kXerialHeaderBytes;
  while (at < in.size()) {
    if (in.size() - at < 4) return DecompressError::kCorrupt;
    const uint32_t block = load_be<uint32_t>(in.data() + at);
    at += 4;
    if (block > in.size() - at) return DecompressError::kCorrupt;
    auto appended = unsnappy_raw(in.subspan(at, block), max_bytes, out);
    if (!appended) return appended;
    at += block;
  }
  return {};
}

Result<void, DecompressError> unlz4(std::span<const std::byte> in, size_t max_bytes,
                                    std::vector<std::byte>& out) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
    return DecompressError::kCorrupt;
  }
  std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> context(
      raw, LZ4F_freeDecompressionContext);
  size_t at = 0;
  size_t used = 0;
  size_t hint = 1;  // LZ4F_decompress's: 0 once a frame is complete
  while (at < in.size()) {
    if (used == out.size() && !grow(out, used, max_bytes)) return DecompressError::kTooLarge;
    size_t produced = out.size() - used;
    size_t consumed = in.size() - at;
    hint = LZ4F_decompress(context.get(), out.data() + used, &produced, in.data() + at, &consumed,
                           nullptr);
    if (LZ4F_isError(hint)) return DecompressError::kCorrupt;
    at += consumed;
    used += produced;
    if (consumed == 0 && produced == 0) return DecompressError::kCorrupt;  // no progress
  }
  // Output the decoder still holds comes with more calls and no input.
  while (hint != 0) {
    if (used == out.size() && !grow(out, used, max_bytes)) return DecompressError::kTooLarge;
    size_t produced = out.size() - used;
    size_t consumed = 0;
    hint =
        LZ4F_decompress(context.get(), out.data() + used, &produced, nullptr, &consumed, nullptr);
    if (LZ4F_isError(hint)) return DecompressError::kCorrupt;
    if (produced == 0) return DecompressError::kCorrupt;  // the frame was cut short
    used += produced;
  }
  out.resize(used);
  return {};
}

Result<void, DecompressError> unzstd(std::span<const std::byte> in, size_t max_bytes,
                                     std::vector<std::byte>& out) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> context(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!context) return DecompressError::kCorrupt;
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t used = 0;
  size_t hint = 1;  // ZSTD_decompressStream's: 0 once a frame is complete
  while (input.pos < input.size || hint != 0) {
    if (used == out.size() && !grow(out, used, max_bytes)) return DecompressError::kTooLarge;
    ZSTD_outBuffer output{out.data() + used, out.size() - used, 0};
    const size_t before = input.pos;
    hint = ZSTD_decompressStream(context.get(), &output, &input);
    if (ZSTD_isError(hint)) return DecompressError::kCorrupt;
    used += output.pos;
    // Input used up mid-frame, with the output not full: the frame was cut short.
    if (hint != 0 && input.pos == input.size && output.pos < output.size) {
      return DecompressError::kCorrupt;
    }
    if (input.pos == before && output.pos == 0) return DecompressError::kCorrupt;
  }
  out.resize(used);
  return {};
}

// Each appends `in` compressed to `out`; false if the library failed.
bool gzip(std::span<const std::byte> in, std::vector<std::byte>& out) {
  z_stream z{};
  // 15 + 16: a gzip header and trailer, as Kafka's producers write.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return false;
  }
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, deflateEnd);
  const size_t at = out.size();
  out.resize(at + deflateBound(&z, in.size()));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data() + at);
  z.avail_out = static_cast<uInt>(out.size() - at);
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) return false;
  out.resize(at + z.total_out);
  return true;
}

bool snappy(std::span<const std::byte> in, std::vector<std::byte>& out) {
  const size_t at = out.size();
  size_t length = snappy_max_compressed_length(in.size());
  out.resize(at + length);
  if (snappy_compress(reinterpret_cast<const char*>(in.data()), in.size(),
                      reinterpret_cast<char*>(out.data() + at), &length) != SNAPPY_OK) {
    return false;
  }
  out.resize(at + length);
  return true;
}

bool lz4(std::span<const std::byte> in, std::vector<std::byte>& out) {
  const size_t at = out.size();
  out.resize(at + LZ4F_compressFrameBound(in.size(), nullptr));
  const size_t n =
      LZ4F_compressFrame(out.data() + at, out.size() - at, in.data(), in.size(), nullptr);
  if (LZ4F_isError(n)) return false;
  out.resize(at + n);
  return true;
}

bool zstd(std::span<const std::byte> in, std::vector<std::byte>& out) {
  const size_t at = out.size();
  out.resize(at + ZSTD_compressBound(in.size()));
  const size_t n =
      ZSTD_compress(out.data() + at, out.size() - at, in.data(), in.size(), ZSTD_CLEVEL_DEFAULT);
  if (ZSTD_isError(n)) return false;
  out.resize(at + n);
  return true;
}

struct Codec {
  std::string_view name;  // Kafka's (the producers' compression.type)
  bool (*compress)(std::span<const std::byte> in, std::vector<std::byte>& out);
  Result<void, DecompressError> (*decompress)(std::span<const std::byte> in, size_t max_bytes,
                                              std::vector<std::byte>& out);
};

// By codec id (Compression's values); codec 0 compresses nothing.
constexpr Codec kCodecs[] = {{"none", nullptr, nullptr},
                             {"gzip", gzip, gunzip},
                             {"snappy", snappy, unsnappy},
                             {"lz4", lz4, unlz4},
                             {"zstd", zstd, unzstd}};
static_assert(std::size(kCodecs) == batch_format::kCompressionCodecMax + 1);

}  // namespace

std::optional<std::vector<std::byte>> compress_batch(const RecordBatchView& batch,
                                                     Compression codec) {
  namespace bf = batch_format;
  RL_ASSERT(batch.compression() == Compression::kNone, "compress an uncompressed batch");
  RL_ASSERT(codec != Compression::kNone, "no codec to compress with");
  // The header as it is, then the compressed records right behind it.
  std::vector<std::byte> out(batch.bytes().begin(), batch.bytes().begin() + bf::kHeaderBytes);
  if (!kCodecs[static_cast<uint8_t>(codec)].compress(batch.records(), out)) return std::nullopt;
  if (out.size() - bf::kHeaderBytes >= batch.records().size()) return std::nullopt;
  store_be<int32_t>(out.data() + bf::kBatchLengthAt,
                    static_cast<int32_t>(out.size() - bf::kLogOverheadBytes));
  const auto attributes = static_cast<uint16_t>(
      (load_be<uint16_t>(out.data() + bf::kAttributesAt) & ~bf::kCompressionMask) |
      static_cast<uint16_t>(codec));
  store_be<uint16_t>(out.data() + bf::kAttributesAt, attributes);
  store_be<uint32_t>(out.data() + bf::kCrcAt, crc32c(std::span(out).subspan(bf::kCrcStart)));
  return out;
}

std::optional<Compression> compression_from_name(std::string_view name) {
  for (size_t id = 0; id < std::size(kCodecs); ++id) {
    if (kCodecs[id].name == name) return static_cast<Compression>(id);
  }
  return std::nullopt;
}

std::string_view to_string(DecompressError error) {
  switch (error) {
    case DecompressError::kNotCompressed:
      return "batch is not compressed";
    case DecompressError::kCorrupt:
      return "compressed records are corrupt or cut short";
    case DecompressError::kTooLarge:
      return "decompressed records exceed the limit";
  }
  return "unknown decompression error";
}

Result<void, DecompressError> decompress_records(Compression codec,
                                                 std::span<const std::byte> compressed,
                                                 size_t max_bytes, std::vector<std::byte>& out) {
  out.clear();
  if (codec == Compression::kNone) return DecompressError::kNotCompressed;
  return kCodecs[static_cast<uint8_t>(codec)].decompress(compressed, max_bytes, out);
}

}  // namespace ringlog::storage
