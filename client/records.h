#pragma once
// Records as the client sees them, and their conversion to and from Kafka v2 record batches:
// encode_batch builds one batch (engine's RecordBatchBuilder, then compress_batch if asked) from
// producer records;
// decode_batches turns the RECORDS bytes of a fetch into owned Records, validating each batch
// (lengths, CRC), decompressing compressed ones (gzip, snappy, lz4, zstd), and stopping cleanly
// at a partial batch at the end (a fetch cuts at max_bytes).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "client/client_error.h"
#include "engine/base/types.h"
#include "engine/storage/record_batch.h"

namespace ringlog::client {

struct Header {
  std::string key;
  std::optional<std::string> value;
  friend bool operator==(const Header&, const Header&) = default;
};

// What a producer sends. A missing timestamp means "now" (CreateTime).
struct ProducerRecord {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
  std::optional<TimestampMs> timestamp;
};

// What a consumer receives.
struct Record {
  int32_t partition = 0;
  Offset offset{0};
  TimestampMs timestamp{-1};
  storage::TimestampType timestamp_type = storage::TimestampType::kCreateTime;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
  friend bool operator==(const Record&, const Record&) = default;
};

// One v2 batch holding `records` in order (base offset 0: the broker assigns offsets). Records
// without a timestamp get `now`. With a codec, the records are compressed unless that would not
// make the batch smaller (then it goes uncompressed, as librdkafka does). Precondition: records
// is not empty.
std::vector<std::byte> encode_batch(std::span<const ProducerRecord> records, TimestampMs now,
                                    storage::Compression compression = storage::Compression::kNone);

struct DecodedBatches {
  // Offset after the last complete batch (its lastOffset + 1), or the `from` offset if none: where
  // the next fetch starts. Skipped and compacted-away offsets are passed over, not re-fetched.
  Offset next_offset{0};
  // Bytes of complete batches; the rest was a partial batch cut off at the end.
  size_t consumed_bytes = 0;
  bool partial_tail = false;
};

// Appends to `out` the records at offsets >= `from` in the batches laid end to end in `bytes`
// (a batch may start before the offset asked for). Control batches (transaction markers) are
// skipped. Errors: kBadRecords for a batch that fails validation or decompression (records
// before it stay in `out`).
ClientResult<DecodedBatches> decode_batches(std::span<const std::byte> bytes, int32_t partition,
                                            Offset from, std::vector<Record>& out);

}  // namespace ringlog::client
