#pragma once
// Kafka v2 RecordBatch, in place: a read-only view with accessors and validation, a mutable view
// that stamps the broker's fields (base offset, leader epoch) without touching the CRC, a
// splitter for batches laid end to end, a reader for the records of an uncompressed batch, and
// a builder of uncompressed batches for tests and benchmarks.
//
// Nothing here copies or allocates except the builder. Input bytes are never trusted: every
// length read from them is checked against the span before use, and errors are returned as
// values (BatchError, RecordError), never asserted.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "engine/base/assert.h"
#include "engine/base/result.h"
#include "engine/base/types.h"
#include "engine/storage/record_batch_format.h"

namespace ringlog::storage {

using batch_format::Compression;
using batch_format::TimestampType;

enum class BatchError : uint8_t {
  kTooShortForHeader,        // fewer than 61 bytes
  kBatchLengthTooSmall,      // batchLength < 49: cannot hold a v2 header
  kBatchLengthOverBuffer,    // batchLength + 12 > the bytes given: the batch is truncated
  kBatchLengthMismatch,      // batchLength + 12 < the bytes given: trailing bytes after it
  kBadMagic,                 // magic != 2
  kCrcMismatch,              // stored CRC-32C != CRC-32C of [attributes, end)
  kInvalidCompression,       // codec bits 5, 6 or 7
  kUnusedAttributesSet,      // attribute bits 7-15 set
  kNegativeRecordsCount,     // recordsCount < 0
  kZeroRecords,              // recordsCount == 0 in a producer's batch
  kLastOffsetDeltaMismatch,  // producer: lastOffsetDelta + 1 != recordsCount;
                             // log: lastOffsetDelta < 0 or lastOffsetDelta + 1 < recordsCount
  kRecordsCountOverBytes,    // uncompressed, and recordsCount smallest records do not fit
};

std::string_view to_string(BatchError error);

// Where a batch comes from decides how strict validation is.
enum class BatchSource : uint8_t {
  // A client's Produce: at least one record, and lastOffsetDelta + 1 == recordsCount.
  kProducer,
  // Our own log, or a leader's (replication): compaction may have left empty batches and
  // batches whose lastOffsetDelta covers offsets no longer present.
  kLog,
};

// What validation learned, for the appender (offsets, time index, producer state).
struct BatchInfo {
  size_t size_bytes = 0;  // whole batch, batchLength + 12
  int32_t records_count = 0;
  int32_t last_offset_delta = 0;
  Compression compression = Compression::kNone;
  TimestampType timestamp_type = TimestampType::kCreateTime;
  bool is_transactional = false;
  // Control batches (transaction markers) are valid batches; whether to accept one is the
  // caller's decision (Kafka rejects them from clients).
  bool is_control = false;
  bool has_delete_horizon = false;
  TimestampMs max_timestamp{-1};
  ProducerId producer_id{-1};
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
};

// A read-only view of the bytes of one batch. Any span can be viewed; the field accessors need
// has_header(), and records() / bytes beyond the header are meaningful only after validate().
class RecordBatchView {
 public:
  RecordBatchView() = default;
  explicit RecordBatchView(std::span<const std::byte> bytes) : bytes_(bytes) {}

  std::span<const std::byte> bytes() const { return bytes_; }
  bool has_header() const { return bytes_.size() >= batch_format::kHeaderBytes; }

  // Checks, in this order: header present, batchLength against the span (the span must hold
  // exactly one batch), magic, CRC, attributes, record count and lastOffsetDelta. Reads only
  // inside the span whatever the bytes say.
  Result<BatchInfo, BatchError> validate(BatchSource source = BatchSource::kProducer) const;

  // Header fields, as stored. Precondition: has_header().
  Offset base_offset() const { return Offset(load<int64_t>(batch_format::kBaseOffsetAt)); }
  int32_t batch_length() const { return load<int32_t>(batch_format::kBatchLengthAt); }
  LeaderEpoch partition_leader_epoch() const {
    return LeaderEpoch(load<int32_t>(batch_format::kPartitionLeaderEpochAt));
  }
  int8_t magic() const { return load<int8_t>(batch_format::kMagicAt); }
  uint32_t crc() const { return load<uint32_t>(batch_format::kCrcAt); }
  uint16_t attributes() const { return load<uint16_t>(batch_format::kAttributesAt); }
  int32_t last_offset_delta() const { return load<int32_t>(batch_format::kLastOffsetDeltaAt); }
  TimestampMs base_timestamp() const {
    return TimestampMs(load<int64_t>(batch_format::kBaseTimestampAt));
  }
  TimestampMs max_timestamp() const {
    return TimestampMs(load<int64_t>(batch_format::kMaxTimestampAt));
  }
  ProducerId producer_id() const { return ProducerId(load<int64_t>(batch_format::kProducerIdAt)); }
  int16_t producer_epoch() const { return load<int16_t>(batch_format::kProducerEpochAt); }
  int32_t base_sequence() const { return load<int32_t>(batch_format::kBaseSequenceAt); }
  int32_t records_count() const { return load<int32_t>(batch_format::kRecordsCountAt); }

  // Attribute helpers. Precondition: has_header().
  uint8_t compression_codec() const {
    return static_cast<uint8_t>(attributes() & batch_format::kCompressionMask);
  }
  // Precondition: compression_codec() is a valid codec (validate() checked it).
  Compression compression() const {
    RL_ASSERT(compression_codec() <= batch_format::kCompressionCodecMax);
    return static_cast<Compression>(compression_codec());
  }
  TimestampType timestamp_type() const {
    return (attributes() & batch_format::kTimestampTypeBit) != 0 ? TimestampType::kLogAppendTime
                                                                 : TimestampType::kCreateTime;
  }
  bool is_transactional() const { return (attributes() & batch_format::kTransactionalBit) != 0; }
  bool is_control() const { return (attributes() & batch_format::kControlBit) != 0; }
  bool has_delete_horizon() const { return (attributes() & batch_format::kDeleteHorizonBit) != 0; }

  // base_offset() + last_offset_delta(). Precondition: has_header().
  Offset last_offset() const { return base_offset() + last_offset_delta(); }
  // The records section (compressed blob if compressed). Precondition: has_header().
  std::span<const std::byte> records() const {
    RL_ASSERT(has_header());
    return bytes_.subspan(batch_format::kRecordsAt);
  }
  // CRC-32C of [attributes, end of span). Precondition: has_header().
  uint32_t compute_crc() const;

 private:
  template <typename T>
  T load(size_t at) const {
    RL_ASSERT(has_header(), "header field read from a span shorter than a header");
    return batch_format::load_be<T>(bytes_.data() + at);
  }

  std::span<const std::byte> bytes_;
};

// A writable view of one batch, for the fields the broker stamps. Precondition of construction:
// the span holds exactly one batch that validate() accepted.
class MutableRecordBatchView {
 public:
  explicit MutableRecordBatchView(std::span<std::byte> bytes);

  RecordBatchView view() const { return RecordBatchView(bytes_); }
  std::span<std::byte> bytes() const { return bytes_; }

  // Neither field is covered by the CRC, so the CRC stays valid.
  void patch_base_offset(Offset base_offset);
  void patch_partition_leader_epoch(LeaderEpoch epoch);

  // For LogAppendTime topics: sets maxTimestamp and the timestamp-type bit, then recomputes
  // the CRC (both fields are covered by it).
  void stamp_log_append_time(TimestampMs append_time);

  // Recomputes and stores the CRC over the current bytes.
  void update_crc();

 private:
  std::span<std::byte> bytes_;
};

// Splitting a buffer of batches laid end to end (a Produce or Fetch `records` field, a segment
// read) using only each batch's log overhead (baseOffset, batchLength). Batches are not
// validated; validate() each one. Iteration stops at the first incomplete or unframeable batch.
enum class SplitStop : uint8_t {
  kEnd,            // every byte belonged to a complete batch
  kPartialHeader,  // fewer than 12 bytes left: the tail of a cut-off batch
  kPartialBatch,   // batchLength + 12 is more than what is left: a cut-off batch
  kBadLength,      // batchLength < 49: not a v2 batch, nothing after it can be framed
};

class BatchSplitter {
 public:
  explicit BatchSplitter(std::span<const std::byte> bytes) : bytes_(bytes) {}

  // The next complete batch, or nullopt at the end or at a partial/bad tail (see stop()).
  std::optional<RecordBatchView> next();

  // Why iteration ended. Meaningful once next() has returned nullopt.
  SplitStop stop() const { return stop_; }
  // Bytes of the complete batches returned so far: where the tail starts once next() has
  // returned nullopt (the position to truncate a log to, or to resume a fetch from).
  size_t consumed_bytes() const { return position_; }
  std::span<const std::byte> tail() const { return bytes_.subspan(position_); }

  struct Sentinel {};
  class Iterator {
   public:
    using value_type = RecordBatchView;
    using difference_type = std::ptrdiff_t;

    Iterator() = default;
    explicit Iterator(BatchSplitter* splitter) : splitter_(splitter), current_(splitter->next()) {}
    const RecordBatchView& operator*() const { return *current_; }
    const RecordBatchView* operator->() const { return &*current_; }
    Iterator& operator++() {
      current_ = splitter_->next();
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(Sentinel) const { return !current_.has_value(); }

   private:
    BatchSplitter* splitter_ = nullptr;
    std::optional<RecordBatchView> current_;
  };

  Iterator begin() { return Iterator(this); }
  Sentinel end() const { return {}; }

 private:
  std::span<const std::byte> bytes_;
  size_t position_ = 0;
  SplitStop stop_ = SplitStop::kEnd;
};

// `for (RecordBatchView batch : split) ...`, then split.stop() and split.consumed_bytes().
inline BatchSplitter split_batches(std::span<const std::byte> bytes) {
  return BatchSplitter(bytes);
}

// Records of an uncompressed batch, read in place.
enum class RecordError : uint8_t {
  kCompressed,            // a compressed batch's records cannot be read in place
  kBadVarint,             // truncated, too long or overflowing varint
  kBadRecordLength,       // record length < 0 or past the end of the records section
  kFieldOverRecord,       // a field runs past the end of its record
  kBadFieldLength,        // key/value length < -1, header key length < 0, header count < 0
  kRecordLengthMismatch,  // the fields end before the record's length does
  kTooFewRecords,         // the section ends before recordsCount records
  kTrailingBytes,         // bytes left after recordsCount records
  kOffsetDeltaMismatch,   // producer batch: the i-th record's offsetDelta != i
};

std::string_view to_string(RecordError error);

// One record, pointing into the batch's bytes.
struct RecordView {
  int8_t attributes = 0;
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  std::optional<std::span<const std::byte>> key;    // nullopt: null key
  std::optional<std::span<const std::byte>> value;  // nullopt: null value (tombstone)
  int32_t headers_count = 0;
  std::span<const std::byte> headers_bytes;  // encoded headers, already checked; see HeaderReader
};

struct RecordHeaderView {
  std::span<const std::byte> key;
  std::optional<std::span<const std::byte>> value;  // nullopt: null value
};

// Walks the headers of a record that RecordReader returned (and so already checked).
class HeaderReader {
 public:
  explicit HeaderReader(const RecordView& record)
      : bytes_(record.headers_bytes), remaining_(record.headers_count) {}
  std::optional<RecordHeaderView> next();

 private:
  std::span<const std::byte> bytes_;
  int32_t remaining_;
};

class RecordReader {
 public:
  // Precondition: batch.validate() accepted the batch.
  explicit RecordReader(const RecordBatchView& batch);
  // Over a compressed batch's records once decompressed (record_compression.h), given the
  // batch's recordsCount.
  RecordReader(std::span<const std::byte> records, int32_t records_count);

  // Reads the next record into `record`: true if one was read, false after the last one
  // (recordsCount records and no bytes left). After an error the reader stays failed and
  // returns the same error. (An out parameter: returning the record inside a Result cost
  // store-forwarding stalls worth half the record walk.)
  Result<bool, RecordError> next(RecordView& record);

  int32_t records_read() const { return records_read_; }

 private:
  std::span<const std::byte> records_;
  size_t position_ = 0;
  int32_t records_count_ = 0;
  int32_t records_read_ = 0;
  std::optional<RecordError> failed_;
};

// Reads every record of a validated batch; for kProducer also checks offsetDelta == index.
// Compressed batches give kCompressed (decompress first).
Result<void, RecordError> validate_records(const RecordBatchView& batch, BatchSource source);

// Builds valid uncompressed batches, for tests and benchmarks.
struct RecordHeaderFields {
  std::string_view key;
  std::optional<std::string_view> value;
};

struct RecordFields {
  TimestampMs timestamp{0};
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
  std::vector<RecordHeaderFields> headers;
};

struct BatchFields {
  Offset base_offset{0};
  LeaderEpoch partition_leader_epoch{-1};
  TimestampType timestamp_type = TimestampType::kCreateTime;
  bool transactional = false;
  bool control = false;
  ProducerId producer_id{-1};
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
};

class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(BatchFields fields = {}) : fields_(fields) {}

  // Appends a record with the next offsetDelta. The first record's timestamp becomes the
  // batch's baseTimestamp.
  RecordBatchBuilder& add(const RecordFields& record);

  int32_t records_count() const { return records_count_; }
  // Size build() will return.
  size_t size_bytes() const { return batch_format::kHeaderBytes + records_.size(); }

  // The finished batch, CRC included. With no records: recordsCount 0, lastOffsetDelta -1,
  // timestamps -1 (valid for neither source; tests use it to reach kZeroRecords).
  std::vector<std::byte> build() const;

 private:
  BatchFields fields_;
  std::vector<std::byte> records_;
  int32_t records_count_ = 0;
  TimestampMs base_timestamp_{-1};
  TimestampMs max_timestamp_{-1};
};

}  // namespace ringlog::storage
