#include "engine/storage/log.h"

#include <algorithm>
#include <utility>

#include "engine/base/assert.h"
#include "engine/reactor/reactor.h"
#include "engine/storage/batch_scanner.h"
#include "engine/storage/clean_shutdown_marker.h"
#include "engine/storage/crc32c.h"
#include "engine/storage/record_batch.h"
#include "engine/storage/record_batch_format.h"
#include "engine/storage/segment_format.h"

namespace ringlog::storage {

namespace sf = segment_format;

namespace {

BatchError split_stop_error(SplitStop stop) {
  switch (stop) {
    case SplitStop::kPartialHeader:
      return BatchError::kTooShortForHeader;
    case SplitStop::kPartialBatch:
      return BatchError::kBatchLengthOverBuffer;
    case SplitStop::kBadLength:
      return BatchError::kBatchLengthTooSmall;
    case SplitStop::kEnd:
      break;
  }
  RL_ASSERT(false, "no error for a complete split");
  return BatchError::kTooShortForHeader;
}

}  // namespace

Log::Log(FileSystem* fs, std::string dir, LogOptions options)
    : sealed_(&state_), appender_(&state_, &sealed_) {
  state_.fs = fs;
  state_.dir = std::move(dir);
  state_.options = std::move(options);
}

Log::~Log() {
  RL_ASSERT(closed_ || state_.segments.empty(), "a Log must be closed before it is destroyed");
}

Task<Result<std::unique_ptr<Log>, LogError>> Log::open(FileSystem* fs, std::string dir,
                                                       LogOptions options) {
  RL_ASSERT(fs != nullptr);
  RL_ASSERT(!dir.empty());
  RL_ASSERT(options.segment_bytes > 0 && options.segment_bytes <= sf::kSegmentBytesMax);
  RL_ASSERT(options.index_interval_bytes > 0);
  RL_ASSERT(options.batch_bytes_max <= options.pending_bytes_max);
  RL_ASSERT(options.pending_bytes_max <= LogAppender::kWriteBytesMax);
  RL_ASSERT(options.pending_appends_max > 0);
  RL_ASSERT(options.clock != nullptr);
  std::unique_ptr<Log> log(new Log(fs, std::move(dir), std::move(options)));
  auto report = co_await recover_log(&log->state_);
  if (!report) {
    log->state_.segments.clear();
    co_return report.error();
  }
  log->report_ = std::move(*report);
  auto start = co_await log->load_log_start();
  if (!start) {
    log->state_.segments.clear();
    co_return start.error();
  }
  reactor::Reactor::current().spawn(log->appender_.run());
  reactor::Reactor::current().spawn(log->sealed_.run());
  co_return log;
}

Task<Result<AppendResult, LogError>> Log::append(std::span<std::byte> buffer,
                                                 AppendOptions options) {
  if (closing_) co_return LogError{.code = LogErrc::kClosed};
  if (state_.failed) co_return state_.failure;

  // Validate every batch before touching any.
  int64_t records = 0;
  uint32_t batches = 0;
  BatchSplitter split = split_batches(buffer);
  for (RecordBatchView batch : split) {
    if (batch.bytes().size() > state_.options.batch_bytes_max) {
      co_return LogError{.code = LogErrc::kBatchTooLarge, .batch_index = batches};
    }
    auto info = batch.validate(BatchSource::kProducer);
    if (!info) {
      co_return LogError{
          .code = LogErrc::kInvalidBatch, .batch = info.error(), .batch_index = batches};
    }
    records += static_cast<int64_t>(info->last_offset_delta) + 1;
    ++batches;
  }
  if (split.stop() != SplitStop::kEnd || batches == 0) {
    co_return LogError{.code = LogErrc::kInvalidBatch,
                       .batch = batches == 0 && split.stop() == SplitStop::kEnd
                                    ? BatchError::kTooShortForHeader
                                    : split_stop_error(split.stop()),
                       .batch_index = batches};
  }
  if (!appender_.has_room(buffer.size())) {
    co_return LogError{.code = LogErrc::kTooManyPendingAppends};
  }

  // Assign offsets: patch in place (neither field is covered by the CRC).
  PendingAppend pending;
  pending.bytes = buffer;
  pending.base_offset = state_.appended;
  pending.records = records;
  pending.batches = batches;
  Offset next = state_.appended;
  for (RecordBatchView batch : split_batches(buffer)) {
    MutableRecordBatchView mutable_batch(
        std::span(const_cast<std::byte*>(batch.bytes().data()), batch.bytes().size()));
    mutable_batch.patch_base_offset(next);
    if (options.leader_epoch) mutable_batch.patch_partition_leader_epoch(*options.leader_epoch);
    next = batch.last_offset() + 1;
  }
  RL_ASSERT(next == state_.appended + records);
  pending.next_offset = next;
  state_.appended = next;
  state_.check_offsets();
  appender_.enqueue(&pending);
  co_await pending;
  RL_ASSERT(pending.done);
  if (pending.error) co_return *pending.error;
  co_return AppendResult{pending.base_offset, pending.next_offset - 1, pending.durability};
}

Task<Result<ReadResult, LogError>> Log::read(ReadOptions options) {
  if (closed_) co_return LogError{.code = LogErrc::kClosed};
  ReadResult result;
  result.log_start_offset = state_.log_start_offset;
  result.log_end_offset = state_.written;
  if (options.start < state_.log_start_offset || options.start > state_.written) {
    co_return LogError{.code = LogErrc::kOffsetOutOfRange};
  }
  const Offset end = std::min(state_.written, options.max_offset.value_or(state_.written));
  if (options.start >= end) co_return result;

  // The segments that may hold [start, end), held so retention cannot free them under us.
  std::vector<std::shared_ptr<Segment>> segments;
  {
    auto it = std::upper_bound(
        state_.segments.begin(), state_.segments.end(), options.start,
        [](Offset o, const std::shared_ptr<Segment>& s) { return o < s->base_offset(); });
    RL_ASSERT(it != state_.segments.begin());
    for (--it; it != state_.segments.end() && (*it)->base_offset() < end; ++it) {
      segments.push_back(*it);
    }
  }
  uint64_t budget = options.max_bytes;
  Offset from = options.start;
  for (const std::shared_ptr<Segment>& segment : segments) {
    if (!result.ranges.empty() && budget == 0) break;
    auto first = co_await segment->locate_offset(from);
    if (!first) co_return LogError::from_errno(first.error());
    if (!first->has_value()) continue;  // nothing at or after `from` here (an emptied segment)
    const uint64_t start_position = (*first)->position;
    uint64_t end_position = segment->size_bytes();
    bool last_segment = false;
    if (end < segment->next_offset()) {
      auto stop = co_await segment->locate_offset(end);
      if (!stop) co_return LogError::from_errno(stop.error());
      RL_ASSERT(stop->has_value());
      end_position = (*stop)->position;
      last_segment = true;
    }
    if (end_position <= start_position) break;
    uint64_t length = end_position - start_position;
    if (result.ranges.empty()) {
      length = std::min<uint64_t>(length, std::max<uint64_t>(budget, (*first)->size_bytes));
    } else {
      length = std::min(length, budget);
    }
    RL_ASSERT(length > 0);
    result.ranges.push_back(
        FileRange{segment->file(), FilePos(start_position), static_cast<uint32_t>(length)});
    result.size_bytes += length;
    budget -= std::min(budget, length);
    if (last_segment) break;
    from = segment->next_offset();
  }
  co_return result;
}

Task<Result<std::optional<Offset>, LogError>> Log::offset_for_timestamp(TimestampMs timestamp) {
  if (closed_) co_return LogError{.code = LogErrc::kClosed};
  const std::vector<std::shared_ptr<Segment>> segments(state_.segments.begin(),
                                                       state_.segments.end());
  for (const std::shared_ptr<Segment>& segment : segments) {
    if (segment->max_timestamp() < timestamp) continue;
    auto found = co_await segment->locate_timestamp(timestamp);
    if (!found) co_return LogError::from_errno(found.error());
    if (found->has_value()) {
      co_return std::max((*found)->base_offset, state_.log_start_offset);
    }
  }
  co_return std::nullopt;
}

Result<RetentionResult, LogError> Log::enforce_retention() {
  if (closed_) return LogError{.code = LogErrc::kClosed};
  RetentionResult result;
  const LogOptions& o = state_.options;
  const TimestampMs now = state_.now_ms();
  uint64_t total = size_bytes();
  while (state_.segments.size() > 1) {
    const Segment& oldest = *state_.segments.front();
    const bool expired = o.retention_ms >= 0 && oldest.max_timestamp() >= TimestampMs(0) &&
                         now - oldest.max_timestamp() > o.retention_ms;
    const bool over_size = o.retention_bytes >= 0 &&
                           total - oldest.size_bytes() >= static_cast<uint64_t>(o.retention_bytes);
    if (!expired && !over_size) break;
    auto removed = state_.segments.front()->remove_files();
    if (!removed) return LogError::from_errno(removed.error());
    total -= oldest.size_bytes();
    result.bytes_deleted += oldest.size_bytes();
    ++result.segments_deleted;
    state_.segments.pop_front();
    // DeleteRecords may have moved the start past the new first segment's base already.
    state_.log_start_offset =
        std::max(state_.log_start_offset, state_.segments.front()->base_offset());
  }
  return result;
}

Task<Result<Offset, LogError>> Log::advance_log_start(Offset offset) {
  if (closing_) co_return LogError{.code = LogErrc::kClosed};
  if (state_.failed) co_return state_.failure;
  if (offset == kHighWatermark) offset = state_.written;
  if (offset < Offset(0) || offset > state_.written) {
    co_return LogError{.code = LogErrc::kOffsetOutOfRange};
  }
  if (offset <= state_.log_start_offset) co_return state_.log_start_offset;
  state_.log_start_offset = offset;
  // Persisted before any segment goes: a crash in between leaves files the checkpoint hides.
  auto persisted = co_await write_log_start();
  if (!persisted) co_return persisted.error();
  // A segment is entirely below the start when the next one begins at or before it.
  while (state_.segments.size() > 1 &&
         state_.segments[1]->base_offset() <= state_.log_start_offset) {
    auto removed = state_.segments.front()->remove_files();
    if (!removed) co_return LogError::from_errno(removed.error());
    state_.segments.pop_front();
  }
  RL_ASSERT(!state_.segments.empty());
  RL_ASSERT(state_.segments.front()->base_offset() <= state_.log_start_offset);
  RL_ASSERT(state_.log_start_offset <= state_.written);
  co_return state_.log_start_offset;
}

void Log::update_options(LogOptions options) {
  RL_ASSERT(options.segment_bytes > 0 && options.segment_bytes <= sf::kSegmentBytesMax);
  RL_ASSERT(options.index_interval_bytes > 0);
  RL_ASSERT(options.pending_appends_max > 0);
  // The appender's write buffer was sized for the original pending limit: never above it.
  options.pending_bytes_max = std::min(options.pending_bytes_max, state_.options.pending_bytes_max);
  if (options.batch_bytes_max > options.pending_bytes_max) {
    options.batch_bytes_max = static_cast<uint32_t>(options.pending_bytes_max);
  }
  options.clock = state_.options.clock;
  state_.options = std::move(options);
}

Task<Result<void, LogError>> Log::write_log_start() {
  using batch_format::store_be;
  std::vector<std::byte> bytes(sf::kLogStartBytes);
  const int64_t value = state_.log_start_offset.value();
  store_be<int64_t>(bytes.data() + sf::kLogStartOffsetAt, value);
  store_be<uint32_t>(bytes.data() + sf::kLogStartMagicAt, sf::kLogStartMagic);
  store_be<uint32_t>(bytes.data() + sf::kLogStartCrcAt,
                     crc32c(std::span(bytes).subspan(sf::kLogStartOffsetAt)));
  const std::string path = state_.dir + "/" + std::string(sf::kLogStartName);
  auto fd = state_.fs->open(path, OpenMode::kReadWriteCreate);
  if (!fd) co_return LogError::from_errno(fd.error());
  FileHandle handle(*state_.fs, *fd);
  auto written = co_await write_all(state_.fs, *fd, bytes, 0);
  if (!written) co_return LogError::from_errno(written.error());
  auto synced = co_await state_.fs->fdatasync(*fd);
  if (!synced) co_return LogError::from_errno(synced.error());
  // The name must survive too the first time the file is created.
  auto dir_synced = state_.fs->sync_dir(state_.dir);
  if (!dir_synced) co_return LogError::from_errno(dir_synced.error());
  co_return Result<void, LogError>{};
}

Task<Result<void, LogError>> Log::load_log_start() {
  using batch_format::load_be;
  const std::string path = state_.dir + "/" + std::string(sf::kLogStartName);
  auto present = state_.fs->exists(path);
  if (!present) co_return LogError::from_errno(present.error());
  if (!*present) co_return Result<void, LogError>{};
  auto fd = state_.fs->open(path, OpenMode::kReadWrite);
  if (!fd) co_return LogError::from_errno(fd.error());
  FileHandle handle(*state_.fs, *fd);
  std::vector<std::byte> bytes(sf::kLogStartBytes);
  auto got = co_await read_exact(state_.fs, *fd, bytes, 0);
  if (!got) co_return LogError::from_errno(got.error());
  // A short or damaged checkpoint is ignored (see segment_format.h).
  if (*got != bytes.size()) co_return Result<void, LogError>{};
  if (load_be<uint32_t>(bytes.data() + sf::kLogStartMagicAt) != sf::kLogStartMagic) {
    co_return Result<void, LogError>{};
  }
  const uint32_t crc = crc32c(std::span(bytes).subspan(sf::kLogStartOffsetAt));
  if (load_be<uint32_t>(bytes.data() + sf::kLogStartCrcAt) != crc) {
    co_return Result<void, LogError>{};
  }
  const Offset saved(load_be<int64_t>(bytes.data() + sf::kLogStartOffsetAt));
  // Never past what recovery kept (unsynced data may be gone), never below the first segment.
  const Offset start = std::min(saved, state_.written);
  state_.log_start_offset = std::max(state_.log_start_offset, start);
  RL_ASSERT(state_.log_start_offset <= state_.written);
  co_return Result<void, LogError>{};
}

Task<Result<void, LogError>> Log::flush() {
  if (closed_) co_return LogError{.code = LogErrc::kClosed};
  co_return co_await appender_.flush();
}

Task<Result<void, LogError>> Log::close() {
  if (closing_) co_return LogError{.code = LogErrc::kClosed};
  closing_ = true;
  appender_.stop();
  co_await appender_.wait_stopped();
  sealed_.stop();
  co_await sealed_.wait_stopped();
  closed_ = true;
  Result<void, LogError> result;
  if (state_.failed) {
    result = state_.failure;
  } else {
    auto clean = co_await write_clean_state();
    result = clean;
  }
  state_.segments.clear();
  co_return result;
}

Task<Result<void, LogError>> Log::write_clean_state() {
  // (Each awaited value is bound to a local: GCC 12 miscompiles co_await in conditions.)
  auto sealed = co_await sealed_.sync_all();
  if (!sealed) co_return sealed.error();
  Segment& active = state_.active();
  (void)active.release_reserve();  // as at a roll: wasted space at worst
  auto synced = co_await active.sync_log();
  if (!synced) co_return LogError::from_errno(synced.error());
  auto indexes = co_await active.write_indexes(/*sync=*/true);
  if (!indexes) co_return LogError::from_errno(indexes.error());
  state_.durable = state_.written;
  state_.check_offsets();
  const std::vector<std::byte> marker =
      encode_marker({state_.written, active.base_offset(), active.size_bytes()});
  const std::string path = state_.dir + "/" + std::string(sf::kCleanShutdownName);
  auto fd = state_.fs->open(path, OpenMode::kReadWriteCreate);
  if (!fd) co_return LogError::from_errno(fd.error());
  FileHandle handle(*state_.fs, *fd);
  auto written = co_await write_all(state_.fs, *fd, marker, 0);
  if (!written) co_return LogError::from_errno(written.error());
  auto marker_synced = co_await state_.fs->fdatasync(*fd);
  if (!marker_synced) co_return LogError::from_errno(marker_synced.error());
  auto dir_synced = state_.fs->sync_dir(state_.dir);
  if (!dir_synced) co_return LogError::from_errno(dir_synced.error());
  co_return Result<void, LogError>{};
}

Task<Result<void, LogError>> Log::scan_batches(size_t segments_max, BatchSink* sink) {
  RL_ASSERT(sink != nullptr);
  // Shared owners: retention may drop a segment from the log while the scan waits for a read.
  std::vector<std::shared_ptr<Segment>> segments;
  const size_t count = state_.segments.size();
  const size_t first = count > segments_max ? count - segments_max : 0;
  for (size_t i = first; i < count; ++i) segments.push_back(state_.segments[i]);
  for (const std::shared_ptr<Segment>& segment : segments) {
    BatchScanner scanner(
        state_.fs, segment->fd(),
        {.start = 0, .end = segment->size_bytes(), .chunk_bytes = kScanChunkBytes});
    for (;;) {
      auto next = co_await scanner.next();
      if (!next) co_return LogError::from_errno(next.error());
      if (!next->has_value()) break;
      sink->on_batch((*next)->view);
    }
    // Recorded bytes always frame: a stop before the end means the file changed under us.
    if (scanner.position() != segment->size_bytes()) co_return LogError::from_errno(Errno{EIO});
  }
  co_return Result<void, LogError>{};
}

uint64_t Log::size_bytes() const {
  uint64_t total = 0;
  for (const auto& s : state_.segments) total += s->size_bytes();
  return total;
}

std::vector<Offset> Log::segment_base_offsets() const {
  std::vector<Offset> bases;
  for (const auto& s : state_.segments) bases.push_back(s->base_offset());
  return bases;
}

}  // namespace ringlog::storage
