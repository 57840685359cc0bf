#pragma once
// Compressing and decompressing the records of a v2 batch (attributes codec 1-4). Decompression
// takes the formats Kafka's producers write:
//   gzip    RFC 1952 (zlib streams are taken too), members may follow one another;
//   snappy  raw snappy (librdkafka), or the Java client's xerial framing: an 8-byte magic, two
//           32-bit versions, then blocks of [32-bit big-endian length][raw snappy];
//   lz4     LZ4 frames (Kafka's KafkaLZ4BlockOutputStream writes the standard frame since v1);
//   zstd    zstd frames, one or more.
// What comes out is the batch's records laid end to end, to be read with
// RecordReader(records, records_count). compress_batch writes gzip, raw snappy (as librdkafka),
// an LZ4 frame and a zstd frame, at each library's default level. The broker stores compressed
// batches as they came and calls neither on the produce path; clients (and later the log
// cleaner) do.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "engine/base/result.h"
#include "engine/storage/record_batch.h"

namespace ringlog::storage {

// The codec of a producer's compression.type name: "none", "gzip", "snappy", "lz4" or "zstd";
// nullopt for anything else.
std::optional<Compression> compression_from_name(std::string_view name);

enum class DecompressError : uint8_t {
  kNotCompressed,  // codec 0: nothing to do (a caller's bug)
  kCorrupt,        // the codec rejected the bytes, or they ended early
  kTooLarge,       // more than the caller's limit came out
};

std::string_view to_string(DecompressError error);

// Decompresses `compressed` (a batch's records() section) into `out`, which is cleared first.
// Stops with kTooLarge once more than `max_bytes` would come out (a hostile or broken batch can
// expand ~1000x).
Result<void, DecompressError> decompress_records(Compression codec,
                                                 std::span<const std::byte> compressed,
                                                 size_t max_bytes, std::vector<std::byte>& out);

// The same batch with its records compressed by `codec`: the attributes' codec bits, the batch
// length and the CRC rewritten, everything else as it was. nullopt when the compressed batch
// would not be smaller (librdkafka then sends it uncompressed too). Preconditions: `batch` is
// a valid uncompressed batch; codec is not kNone.
std::optional<std::vector<std::byte>> compress_batch(const RecordBatchView& batch,
                                                     Compression codec);

}  // namespace ringlog::storage
