#include "client/records.h"

#include <algorithm>

#include "engine/base/assert.h"
#include "engine/storage/record_compression.h"

namespace ringlog::client {

namespace {

// A compressed batch may expand to at most this much (a batch is at most ~1 MiB as sent, and
// Kafka's producers rarely get better than 20:1 on real data).
constexpr size_t kDecompressedBytesMax = 256ull << 20;

std::string to_string(std::span<const std::byte> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::optional<std::string> to_optional_string(
    const std::optional<std::span<const std::byte>>& bytes) {
  if (!bytes) return std::nullopt;
  return to_string(*bytes);
}

}  // namespace

std::vector<std::byte> encode_batch(std::span<const ProducerRecord> records, TimestampMs now,
                                    storage::Compression compression) {
  RL_ASSERT(!records.empty(), "a batch holds at least one record");
  storage::RecordBatchBuilder builder;
  for (const ProducerRecord& record : records) {
    storage::RecordFields fields;
    fields.timestamp = record.timestamp.value_or(now);
    if (record.key) fields.key = *record.key;
    if (record.value) fields.value = *record.value;
    for (const Header& header : record.headers) {
      storage::RecordHeaderFields h{.key = header.key};
      if (header.value) h.value = *header.value;
      fields.headers.push_back(h);
    }
    builder.add(fields);
  }
  std::vector<std::byte> batch = builder.build();
  if (compression == storage::Compression::kNone) return batch;
  std::optional<std::vector<std::byte>> compressed =
      storage::compress_batch(storage::RecordBatchView(batch), compression);
  if (compressed) return std::move(*compressed);
  return batch;
}

ClientResult<DecodedBatches> decode_batches(std::span<const std::byte> bytes, int32_t partition,
                                            Offset from, std::vector<Record>& out) {
  DecodedBatches result{.next_offset = from};
  std::vector<std::byte> decompressed;
  storage::BatchSplitter split(bytes);
  for (storage::RecordBatchView batch : split) {
    Result<storage::BatchInfo, storage::BatchError> info =
        batch.validate(storage::BatchSource::kLog);
    if (!info) return ClientError{.errc = ClientErrc::kBadRecords, .context = "fetched batch"};
    const Offset next = batch.last_offset() + 1;
    if (info->is_control || next <= from) {
      result.next_offset = std::max(result.next_offset, next);
      result.consumed_bytes = split.consumed_bytes();
      continue;
    }
    std::optional<storage::RecordReader> reader;
    if (info->compression == storage::Compression::kNone) {
      reader.emplace(batch);
    } else {
      auto inflated = storage::decompress_records(info->compression, batch.records(),
                                                  kDecompressedBytesMax, decompressed);
      if (!inflated) {
        const bool too_large = inflated.error() == storage::DecompressError::kTooLarge;
        return ClientError{.errc = ClientErrc::kBadRecords,
                           .context = too_large ? "compressed batch: decompresses past the limit"
                                                : "compressed batch: corrupt or cut short"};
      }
      reader.emplace(decompressed, batch.records_count());
    }
    storage::RecordView view;
    while (true) {
      Result<bool, storage::RecordError> more = reader->next(view);
      if (!more) return ClientError{.errc = ClientErrc::kBadRecords, .context = "fetched record"};
      if (!*more) break;
      const Offset offset = batch.base_offset() + view.offset_delta;
      if (offset < from) continue;
      Record record{.partition = partition,
                    .offset = offset,
                    .timestamp_type = info->timestamp_type,
                    .key = to_optional_string(view.key),
                    .value = to_optional_string(view.value)};
      record.timestamp = info->timestamp_type == storage::TimestampType::kLogAppendTime
                             ? batch.max_timestamp()
                             : batch.base_timestamp() + view.timestamp_delta;
      storage::HeaderReader headers(view);
      while (std::optional<storage::RecordHeaderView> h = headers.next()) {
        record.headers.push_back({to_string(h->key), to_optional_string(h->value)});
      }
      out.push_back(std::move(record));
    }
    result.next_offset = std::max(result.next_offset, next);
    result.consumed_bytes = split.consumed_bytes();
  }
  result.partial_tail = split.stop() != storage::SplitStop::kEnd;
  return result;
}

}  // namespace ringlog::client
