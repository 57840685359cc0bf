#include "engine/storage/record_batch.h"

#include <climits>
#include <limits>

#include "engine/storage/crc32c.h"
#include "engine/storage/varint.h"

namespace ringlog::storage {

namespace bf = batch_format;

std::string_view to_string(BatchError error) {
  switch (error) {
    case BatchError::kTooShortForHeader:
      return "too short for a batch header";
    case BatchError::kBatchLengthTooSmall:
      return "batch length too small";
    case BatchError::kBatchLengthOverBuffer:
      return "batch length past the end of the buffer";
    case BatchError::kBatchLengthMismatch:
      return "bytes after the end of the batch";
    case BatchError::kBadMagic:
      return "magic is not 2";
    case BatchError::kCrcMismatch:
      return "CRC mismatch";
    case BatchError::kInvalidCompression:
      return "invalid compression codec";
    case BatchError::kUnusedAttributesSet:
      return "unused attribute bits set";
    case BatchError::kNegativeRecordsCount:
      return "negative records count";
    case BatchError::kZeroRecords:
      return "no records";
    case BatchError::kLastOffsetDeltaMismatch:
      return "last offset delta does not match count";
    case BatchError::kRecordsCountOverBytes:
      return "records count exceeds the records' bytes";
  }
  return "unknown batch error";
}

std::string_view to_string(RecordError error) {
  switch (error) {
    case RecordError::kCompressed:
      return "compressed records";
    case RecordError::kBadVarint:
      return "malformed varint";
    case RecordError::kBadRecordLength:
      return "bad record length";
    case RecordError::kFieldOverRecord:
      return "field past the end of the record";
    case RecordError::kBadFieldLength:
      return "bad field length";
    case RecordError::kRecordLengthMismatch:
      return "record shorter than its length";
    case RecordError::kTooFewRecords:
      return "fewer records than the records count";
    case RecordError::kTrailingBytes:
      return "bytes after the last record";
    case RecordError::kOffsetDeltaMismatch:
      return "offset delta out of sequence";
  }
  return "unknown record error";
}

// ---------------------------------------------------------------------------------------------
// RecordBatchView

uint32_t RecordBatchView::compute_crc() const {
  RL_ASSERT(has_header());
  return crc32c(bytes_.subspan(bf::kCrcStart));
}

Result<BatchInfo, BatchError> RecordBatchView::validate(BatchSource source) const {
  const size_t size = bytes_.size();
  if (size < bf::kHeaderBytes) return BatchError::kTooShortForHeader;

  const int32_t length = batch_length();
  if (length < bf::kBatchLengthMin) return BatchError::kBatchLengthTooSmall;
  const size_t total = static_cast<size_t>(length) + bf::kLogOverheadBytes;
  if (total > size) return BatchError::kBatchLengthOverBuffer;
  if (total < size) return BatchError::kBatchLengthMismatch;

  // Magic before anything else past offset 16: magic 0/1 lay those bytes out differently.
  if (magic() != bf::kMagicV2) return BatchError::kBadMagic;
  if (crc() != compute_crc()) return BatchError::kCrcMismatch;

  const uint16_t attrs = attributes();
  if ((attrs & bf::kCompressionMask) > bf::kCompressionCodecMax) {
    return BatchError::kInvalidCompression;
  }
  if ((attrs & bf::kUnusedAttributesMask) != 0) return BatchError::kUnusedAttributesSet;

  const int32_t count = records_count();
  const int64_t last_delta = last_offset_delta();
  if (count < 0) return BatchError::kNegativeRecordsCount;
  switch (source) {
    case BatchSource::kProducer:
      if (count == 0) return BatchError::kZeroRecords;
      if (last_delta + 1 != count) return BatchError::kLastOffsetDeltaMismatch;
      break;
    case BatchSource::kLog:
      if (last_delta < 0) return BatchError::kLastOffsetDeltaMismatch;
      if (last_delta + 1 < count) return BatchError::kLastOffsetDeltaMismatch;
      break;
  }
  const size_t records_bytes = size - bf::kHeaderBytes;
  if ((attrs & bf::kCompressionMask) == 0 &&
      static_cast<uint64_t>(count) * bf::kRecordBytesMin > records_bytes) {
    return BatchError::kRecordsCountOverBytes;
  }

  BatchInfo info;
  info.size_bytes = total;
  info.records_count = count;
  info.last_offset_delta = static_cast<int32_t>(last_delta);
  info.compression = compression();
  info.timestamp_type = timestamp_type();
  info.is_transactional = is_transactional();
  info.is_control = is_control();
  info.has_delete_horizon = has_delete_horizon();
  info.max_timestamp = max_timestamp();
  info.producer_id = producer_id();
  info.producer_epoch = producer_epoch();
  info.base_sequence = base_sequence();
  RL_DASSERT(info.size_bytes == size);
  RL_DASSERT(info.last_offset_delta >= 0 || source == BatchSource::kProducer);
  return info;
}

// ---------------------------------------------------------------------------------------------
// MutableRecordBatchView

MutableRecordBatchView::MutableRecordBatchView(std::span<std::byte> bytes) : bytes_(bytes) {
  RL_ASSERT(bytes_.size() >= bf::kHeaderBytes, "a batch to patch has a whole header");
  RL_ASSERT(view().batch_length() >= bf::kBatchLengthMin);
  RL_ASSERT(static_cast<size_t>(view().batch_length()) + bf::kLogOverheadBytes == bytes_.size(),
            "the span holds exactly one batch");
}

void MutableRecordBatchView::patch_base_offset(Offset base_offset) {
  RL_ASSERT(base_offset >= Offset(0));
  RL_DASSERT(view().crc() == view().compute_crc(), "patching a batch whose CRC is wrong");
  bf::store_be<int64_t>(bytes_.data() + bf::kBaseOffsetAt, base_offset.value());
  RL_ASSERT(view().base_offset() == base_offset);
  RL_DASSERT(view().crc() == view().compute_crc());
}

void MutableRecordBatchView::patch_partition_leader_epoch(LeaderEpoch epoch) {
  RL_DASSERT(view().crc() == view().compute_crc(), "patching a batch whose CRC is wrong");
  bf::store_be<int32_t>(bytes_.data() + bf::kPartitionLeaderEpochAt, epoch.value());
  RL_ASSERT(view().partition_leader_epoch() == epoch);
  RL_DASSERT(view().crc() == view().compute_crc());
}

void MutableRecordBatchView::stamp_log_append_time(TimestampMs append_time) {
  RL_DASSERT(view().crc() == view().compute_crc(), "stamping a batch whose CRC is wrong");
  bf::store_be<int64_t>(bytes_.data() + bf::kMaxTimestampAt, append_time.value());
  const auto attrs = static_cast<uint16_t>(view().attributes() | bf::kTimestampTypeBit);
  bf::store_be<uint16_t>(bytes_.data() + bf::kAttributesAt, attrs);
  update_crc();
  RL_ASSERT(view().timestamp_type() == TimestampType::kLogAppendTime);
}

void MutableRecordBatchView::update_crc() {
  bf::store_be<uint32_t>(bytes_.data() + bf::kCrcAt, view().compute_crc());
}

// ---------------------------------------------------------------------------------------------
// BatchSplitter

std::optional<RecordBatchView> BatchSplitter::next() {
  RL_ASSERT(position_ <= bytes_.size());
  const size_t left = bytes_.size() - position_;
  if (left == 0) {
    stop_ = SplitStop::kEnd;
    return std::nullopt;
  }
  if (left < bf::kLogOverheadBytes) {
    stop_ = SplitStop::kPartialHeader;
    return std::nullopt;
  }
  const std::byte* at = bytes_.data() + position_;
  const auto length = bf::load_be<int32_t>(at + bf::kBatchLengthAt);
  if (length < bf::kBatchLengthMin) {
    stop_ = SplitStop::kBadLength;
    return std::nullopt;
  }
  const size_t total = static_cast<size_t>(length) + bf::kLogOverheadBytes;
  if (total > left) {
    stop_ = SplitStop::kPartialBatch;
    return std::nullopt;
  }
  RecordBatchView batch(bytes_.subspan(position_, total));
  position_ += total;
  RL_ASSERT(position_ <= bytes_.size());
  return batch;
}

// ---------------------------------------------------------------------------------------------
// Records

namespace {

// A bounds-checked cursor over one record's bytes. Reads never leave the record: the first
// failure is remembered, later reads return zero/empty without touching the bytes, and the
// caller checks failed() once where a value steers what happens next. (Returning a Result per
// field cost ~4x on the record walk.)
class FieldCursor {
 public:
  explicit FieldCursor(std::span<const std::byte> bytes) : bytes_(bytes) {}

  bool failed() const { return failed_; }
  RecordError error() const {
    RL_ASSERT(failed_);
    return error_;
  }
  void fail(RecordError error) {
    if (failed_) return;
    failed_ = true;
    error_ = error;
  }
  size_t position() const { return position_; }
  size_t left() const { return bytes_.size() - position_; }

  int32_t varint() {
    if (failed_) return 0;
    // One-byte values (|n| < 64) are by far the most common: lengths, deltas, counts.
    if (position_ < bytes_.size()) {
      const auto first = static_cast<uint8_t>(bytes_[position_]);
      if (first < 0x80U) {
        ++position_;
        return static_cast<int32_t>((first >> 1) ^ (0U - (first & 1U)));
      }
    }
    auto decoded = decode_varint(bytes_.subspan(position_));
    if (!decoded) {
      fail(to_record_error(decoded.error()));
      return 0;
    }
    position_ += decoded->bytes;
    return decoded->value;
  }
  int64_t varlong() {
    if (failed_) return 0;
    auto decoded = decode_varlong(bytes_.subspan(position_));
    if (!decoded) {
      fail(to_record_error(decoded.error()));
      return 0;
    }
    position_ += decoded->bytes;
    return decoded->value;
  }
  int8_t int8() {
    if (failed_) return 0;
    if (left() < 1) {
      fail(RecordError::kFieldOverRecord);
      return 0;
    }
    return static_cast<int8_t>(bytes_[position_++]);
  }
  std::span<const std::byte> take(size_t n) {
    if (failed_) return {};
    if (n > left()) {
      fail(RecordError::kFieldOverRecord);
      return {};
    }
    auto out = bytes_.subspan(position_, n);
    position_ += n;
    return out;
  }
  // A length-prefixed, nullable byte string (-1 = null).
  std::optional<std::span<const std::byte>> nullable_bytes() {
    const int32_t length = varint();
    if (failed_ || length == -1) return std::nullopt;
    if (length < -1) {
      fail(RecordError::kBadFieldLength);
      return std::nullopt;
    }
    return take(static_cast<size_t>(length));
  }
  // A length-prefixed byte string that may not be null (a header key).
  std::span<const std::byte> bytes() {
    const int32_t length = varint();
    if (length < 0) {
      fail(RecordError::kBadFieldLength);
      return {};
    }
    return take(static_cast<size_t>(length));
  }

 private:
  static RecordError to_record_error(VarintError error) {
    // A varint cut off by the end of the record is a field running past the record.
    return error == VarintError::kTruncated ? RecordError::kFieldOverRecord
                                            : RecordError::kBadVarint;
  }

  std::span<const std::byte> bytes_;
  size_t position_ = 0;
  bool failed_ = false;
  RecordError error_ = RecordError::kBadVarint;
};

// Parses one record body (the bytes after its length varint) into `record`.
bool parse_record(std::span<const std::byte> body, RecordView& record, RecordError& error) {
  FieldCursor cursor(body);
  record.attributes = cursor.int8();
  record.timestamp_delta = cursor.varlong();
  record.offset_delta = cursor.varint();
  record.key = cursor.nullable_bytes();
  record.value = cursor.nullable_bytes();
  const int32_t headers_count = cursor.varint();
  if (cursor.failed()) {
    error = cursor.error();
    return false;
  }
  if (headers_count < 0) {
    error = RecordError::kBadFieldLength;
    return false;
  }
  // Each header takes at least two bytes: a count the bytes cannot hold is refused up front.
  if (static_cast<size_t>(headers_count) > cursor.left() / bf::kRecordHeaderBytesMin) {
    error = RecordError::kFieldOverRecord;
    return false;
  }
  record.headers_count = headers_count;
  const size_t headers_start = cursor.position();
  for (int32_t i = 0; i < headers_count && !cursor.failed(); ++i) {
    cursor.bytes();           // key, never null
    cursor.nullable_bytes();  // value
  }
  if (cursor.failed()) {
    error = cursor.error();
    return false;
  }
  record.headers_bytes = body.subspan(headers_start, cursor.position() - headers_start);
  if (cursor.left() != 0) {
    error = RecordError::kRecordLengthMismatch;
    return false;
  }
  return true;
}

}  // namespace

std::optional<RecordHeaderView> HeaderReader::next() {
  if (remaining_ == 0) {
    RL_ASSERT(bytes_.empty(), "header bytes left after the last header");
    return std::nullopt;
  }
  // RecordReader checked these bytes, so a failure here is a broken invariant.
  FieldCursor cursor(bytes_);
  RecordHeaderView header{cursor.bytes(), cursor.nullable_bytes()};
  RL_ASSERT(!cursor.failed(), "headers were checked when the record was read");
  bytes_ = bytes_.subspan(cursor.position());
  --remaining_;
  return header;
}

RecordReader::RecordReader(const RecordBatchView& batch) {
  RL_ASSERT(batch.has_header());
  RL_ASSERT(batch.records_count() >= 0, "reader over a batch validate() did not accept");
  records_ = batch.records();
  records_count_ = batch.records_count();
  if (batch.compression_codec() != static_cast<uint8_t>(Compression::kNone)) {
    failed_ = RecordError::kCompressed;
  }
}

RecordReader::RecordReader(std::span<const std::byte> records, int32_t records_count)
    : records_(records), records_count_(records_count) {
  RL_ASSERT(records_count >= 0);
}

Result<bool, RecordError> RecordReader::next(RecordView& record) {
  if (failed_) return *failed_;
  auto fail = [this](RecordError error) {
    failed_ = error;
    return error;
  };
  RL_ASSERT(position_ <= records_.size());
  if (records_read_ == records_count_) {
    if (position_ != records_.size()) return fail(RecordError::kTrailingBytes);
    return false;
  }
  if (position_ == records_.size()) return fail(RecordError::kTooFewRecords);

  auto length = decode_varint(records_.subspan(position_));
  if (!length) {
    return fail(length.error() == VarintError::kTruncated ? RecordError::kBadRecordLength
                                                          : RecordError::kBadVarint);
  }
  const size_t body_start = position_ + length->bytes;
  if (length->value < 0) return fail(RecordError::kBadRecordLength);
  if (static_cast<size_t>(length->value) > records_.size() - body_start) {
    return fail(RecordError::kBadRecordLength);
  }
  RecordError error{};
  if (!parse_record(records_.subspan(body_start, static_cast<size_t>(length->value)), record,
                    error)) {
    return fail(error);
  }
  position_ = body_start + static_cast<size_t>(length->value);
  ++records_read_;
  RL_ASSERT(position_ <= records_.size());
  return true;
}

Result<void, RecordError> validate_records(const RecordBatchView& batch, BatchSource source) {
  RecordReader reader(batch);
  RecordView record;
  for (int32_t index = 0;; ++index) {
    auto more = reader.next(record);
    if (!more) return more.error();
    if (!*more) break;
    if (source == BatchSource::kProducer && record.offset_delta != index) {
      return RecordError::kOffsetDeltaMismatch;
    }
  }
  RL_ASSERT(reader.records_read() == batch.records_count());
  return {};
}

// ---------------------------------------------------------------------------------------------
// RecordBatchBuilder

namespace {

void append_varint(std::vector<std::byte>& out, int32_t value) {
  std::byte buffer[kVarintBytesMax];
  size_t n = encode_varint(value, buffer);
  out.insert(out.end(), buffer, buffer + n);
}

void append_varlong(std::vector<std::byte>& out, int64_t value) {
  std::byte buffer[kVarlongBytesMax];
  size_t n = encode_varlong(value, buffer);
  out.insert(out.end(), buffer, buffer + n);
}

int32_t checked_length(size_t size) {
  RL_ASSERT(size <= static_cast<size_t>(INT32_MAX), "field longer than an int32 length");
  return static_cast<int32_t>(size);
}

void append_bytes(std::vector<std::byte>& out, std::string_view text) {
  append_varint(out, checked_length(text.size()));
  const auto* p = reinterpret_cast<const std::byte*>(text.data());
  out.insert(out.end(), p, p + text.size());
}

void append_nullable_bytes(std::vector<std::byte>& out, std::optional<std::string_view> text) {
  if (!text) {
    append_varint(out, -1);
    return;
  }
  append_bytes(out, *text);
}

}  // namespace

RecordBatchBuilder& RecordBatchBuilder::add(const RecordFields& record) {
  RL_ASSERT(records_count_ < INT32_MAX);
  if (records_count_ == 0) base_timestamp_ = record.timestamp;
  if (record.timestamp > max_timestamp_) max_timestamp_ = record.timestamp;

  std::vector<std::byte> body;
  body.push_back(std::byte{0});  // record attributes: unused
  append_varlong(body, record.timestamp - base_timestamp_);
  append_varint(body, records_count_);  // offsetDelta
  append_nullable_bytes(body, record.key);
  append_nullable_bytes(body, record.value);
  append_varint(body, checked_length(record.headers.size()));
  for (const RecordHeaderFields& header : record.headers) {
    append_bytes(body, header.key);
    append_nullable_bytes(body, header.value);
  }
  append_varint(records_, checked_length(body.size()));
  records_.insert(records_.end(), body.begin(), body.end());
  ++records_count_;
  return *this;
}

std::vector<std::byte> RecordBatchBuilder::build() const {
  std::vector<std::byte> batch(bf::kHeaderBytes + records_.size());
  std::byte* p = batch.data();
  uint16_t attrs = 0;
  if (fields_.timestamp_type == TimestampType::kLogAppendTime) attrs |= bf::kTimestampTypeBit;
  if (fields_.transactional) attrs |= bf::kTransactionalBit;
  if (fields_.control) attrs |= bf::kControlBit;

  bf::store_be<int64_t>(p + bf::kBaseOffsetAt, fields_.base_offset.value());
  bf::store_be<int32_t>(p + bf::kBatchLengthAt,
                        checked_length(batch.size() - bf::kLogOverheadBytes));
  bf::store_be<int32_t>(p + bf::kPartitionLeaderEpochAt, fields_.partition_leader_epoch.value());
  bf::store_be<int8_t>(p + bf::kMagicAt, bf::kMagicV2);
  bf::store_be<uint16_t>(p + bf::kAttributesAt, attrs);
  bf::store_be<int32_t>(p + bf::kLastOffsetDeltaAt, records_count_ - 1);
  bf::store_be<int64_t>(p + bf::kBaseTimestampAt, base_timestamp_.value());
  bf::store_be<int64_t>(p + bf::kMaxTimestampAt, max_timestamp_.value());
  bf::store_be<int64_t>(p + bf::kProducerIdAt, fields_.producer_id.value());
  bf::store_be<int16_t>(p + bf::kProducerEpochAt, fields_.producer_epoch);
  bf::store_be<int32_t>(p + bf::kBaseSequenceAt, fields_.base_sequence);
  bf::store_be<int32_t>(p + bf::kRecordsCountAt, records_count_);
  std::copy(records_.begin(), records_.end(), batch.begin() + bf::kHeaderBytes);

  RecordBatchView view(batch);
  bf::store_be<uint32_t>(p + bf::kCrcAt, view.compute_crc());
  RL_ASSERT(view.batch_length() >= bf::kBatchLengthMin);
  RL_ASSERT(view.crc() == view.compute_crc());
  return batch;
}

}  // namespace ringlog::storage
