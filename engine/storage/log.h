#pragma once
// Log: one partition's log, a directory of segments (DESIGN.md "engine/storage", FORMAT.md).
//
//   auto log = co_await Log::open(&real_file_system(), dir, options);   // recovers if needed
//   auto r = co_await (*log)->append(buffer, {.leader_epoch = epoch});   // patched in place
//   auto read = co_await (*log)->read({.start = offset, .max_bytes = 1 << 20});
//   co_await (*log)->close();                                           // clean shutdown
//
// A Log belongs to one shard and is touched only by that shard's coroutines; nothing in it is
// thread-safe. It must be closed (co_await close()) before it is destroyed: close() ends the
// appender coroutine, syncs, and writes the clean-shutdown marker.
//
// Offsets (see log_state.h): log_start_offset() is the first offset kept; log_end_offset() is
// the written offset, the one after the last batch readers can see. durable_offset() ≤
// log_end_offset() ≤ appended_offset().

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/base/types.h"
#include "engine/reactor/task.h"
#include "engine/storage/file_range.h"
#include "engine/storage/log_appender.h"
#include "engine/storage/log_error.h"
#include "engine/storage/log_options.h"
#include "engine/storage/log_recovery.h"
#include "engine/storage/log_state.h"
#include "engine/storage/sealed_syncs.h"

namespace ringlog::storage {

struct AppendOptions {
  // Stamped into every batch's partitionLeaderEpoch when set (the leader's epoch).
  std::optional<LeaderEpoch> leader_epoch;
};

struct AppendResult {
  Offset base_offset;  // of the first batch
  Offset last_offset;  // of the last record of the last batch
  Durability durability = Durability::kWritten;
};

struct ReadOptions {
  Offset start;
  // Bytes wanted. The first batch is returned whole even if it is bigger (KIP-74); past it the
  // ranges stop at max_bytes, which may cut the last batch (clients drop a partial tail).
  uint32_t max_bytes = 1 << 20;
  // Exclusive upper bound (e.g. the high watermark); the log end offset when unset.
  std::optional<Offset> max_offset;
};

struct ReadResult {
  // In log order, possibly from several segments. The first range starts at the batch holding
  // `start` (which may begin before it).
  std::vector<FileRange> ranges;
  uint64_t size_bytes = 0;
  Offset log_start_offset;
  Offset log_end_offset;
};

struct RetentionResult {
  uint32_t segments_deleted = 0;
  uint64_t bytes_deleted = 0;
};

// Receives the batches Log::scan_batches() walks. Called synchronously, on the log's shard.
class BatchSink {
 public:
  // `batch` is whole and was validated when it was appended or recovered; valid only during the
  // call.
  virtual void on_batch(const RecordBatchView& batch) = 0;

 protected:
  ~BatchSink() = default;
};

class Log {
 public:
  // Opens (or creates) the log in `dir`, recovering it as log_recovery.h describes, and starts
  // its appender on the current reactor.
  static Task<Result<std::unique_ptr<Log>, LogError>> open(FileSystem* fs, std::string dir,
                                                           LogOptions options);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Validates (kProducer) the batches in `buffer` (one or more, end to end), patches their base
  // offsets (and leader epoch) in place and writes that buffer. `buffer` must stay valid and
  // untouched until the returned task completes. See log_appender.h for what completion means.
  Task<Result<AppendResult, LogError>> append(std::span<std::byte> buffer,
                                              AppendOptions options = {});

  // File ranges holding the batches from `options.start` on. An empty result at the log end;
  // kOffsetOutOfRange below the log start or past the log end.
  Task<Result<ReadResult, LogError>> read(ReadOptions options);

  // The base offset of the first batch whose max timestamp is >= `timestamp`; nullopt if none.
  Task<Result<std::optional<Offset>, LogError>> offset_for_timestamp(TimestampMs timestamp);

  // Hands every batch of the newest `segments_max` segments to `sink`, oldest first (framing
  // only, no validation): how state kept in batch headers, such as idempotent producers'
  // sequences, is rebuilt when a partition opens. Reads the segments' bytes in 1 MiB chunks.
  static constexpr size_t kScanChunkBytes = 1 << 20;
  Task<Result<void, LogError>> scan_batches(size_t segments_max, BatchSink* sink);

  // Deletes the oldest sealed segments that retention.ms / retention.bytes no longer keep, and
  // advances the log start offset. The active segment is never deleted.
  Result<RetentionResult, LogError> enforce_retention();

  // DeleteRecords: raises the log start offset to `offset` (kHighWatermark: the log end offset),
  // persists it (log_start_offset file, fdatasync'd) so a reopened log starts there too, and
  // deletes the segments entirely below it (never the active one). An offset at or below the
  // current start changes nothing. Returns the new log start offset; kOffsetOutOfRange for an
  // offset past the log end or a negative one other than kHighWatermark.
  static constexpr Offset kHighWatermark{-1};
  Task<Result<Offset, LogError>> advance_log_start(Offset offset);

  // Replaces the options (a topic config change). Takes effect from the next roll, retention
  // check, flush decision and append; the clock is kept. Limits a queued append was admitted
  // under are not revisited.
  void update_options(LogOptions options);
  const LogOptions& options() const { return state_.options; }

  // Syncs now: afterwards durable_offset() covers everything written before the call.
  Task<Result<void, LogError>> flush();

  // Drains queued appends, syncs the active segment and its indexes, writes the clean-shutdown
  // marker and closes the files. The log takes no appends afterwards.
  Task<Result<void, LogError>> close();

  Offset log_start_offset() const { return state_.log_start_offset; }
  Offset log_end_offset() const { return state_.written; }
  Offset appended_offset() const { return state_.appended; }
  Offset durable_offset() const { return state_.durable; }
  // Bytes in all segments (written data).
  uint64_t size_bytes() const;
  size_t segment_count() const { return state_.segments.size(); }
  std::vector<Offset> segment_base_offsets() const;
  const LogStats& stats() const { return state_.stats; }
  const RecoveryReport& recovery_report() const { return report_; }
  const std::string& dir() const { return state_.dir; }

 private:
  Log(FileSystem* fs, std::string dir, LogOptions options);
  // close(): syncs the queued sealed segments, the active segment and its indexes, then writes
  // the clean-shutdown marker.
  Task<Result<void, LogError>> write_clean_state();
  // Writes state_.log_start_offset to the checkpoint file and syncs it.
  Task<Result<void, LogError>> write_log_start();
  // After recovery: applies a valid checkpoint above the first segment's base offset.
  Task<Result<void, LogError>> load_log_start();

  LogState state_;
  SealedSyncs sealed_;
  LogAppender appender_;
  RecoveryReport report_;
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace ringlog::storage
