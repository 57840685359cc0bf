#pragma once
// Segment: one `<base offset>.log` file of batches laid end to end, with its sparse offset index
// and time index (kept in memory, written to `.index` / `.timeindex` when the segment is sealed
// or the log closes). Its state describes only bytes whose write completed ("written"): readers
// never see a position past size_bytes(), even while the appender has more in flight.
//
// The indexes follow one rule, applied batch by batch in on_batch_written(), whether the batch
// was just appended or found by a recovery scan; that is what makes a rebuilt index
// byte-identical to the one written during appends:
//   before recording a batch, if at least index_interval_bytes of log were recorded since the
//   last offset-index entry (or the start of the segment), add an offset-index entry for this
//   batch and a time-index entry for the largest max timestamp so far (if it grew).
//
// Owned by its Log (one shard); readers may hold a shared owner of the file past deletion.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/errno.h"
#include "engine/base/result.h"
#include "engine/base/types.h"
#include "engine/storage/file_system.h"
#include "engine/storage/offset_index.h"
#include "engine/storage/record_batch.h"
#include "engine/storage/time_index.h"

namespace ringlog::storage {

// Where a batch sits in a segment.
struct BatchLocation {
  uint64_t position = 0;
  uint32_t size_bytes = 0;
  Offset base_offset;
  Offset last_offset;
  TimestampMs max_timestamp;
};

class Segment {
 public:
  struct Paths {
    std::string log;
    std::string offset_index;
    std::string time_index;
  };
  static Paths paths(const std::string& dir, Offset base_offset);

  // Opens (creating if missing) the `.log` file of the segment at `base_offset`. The state is
  // empty until batches are recorded (appends, or a scan by recovery).
  static Result<std::unique_ptr<Segment>, Errno> open(FileSystem* fs, const std::string& dir,
                                                      Offset base_offset,
                                                      uint32_t index_interval_bytes,
                                                      TimestampMs created);
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  Offset base_offset() const { return base_offset_; }
  // The offset after the last recorded batch (base_offset() when empty).
  Offset next_offset() const { return next_offset_; }
  uint64_t size_bytes() const { return size_bytes_; }
  bool empty() const { return size_bytes_ == 0; }
  // Largest batch max timestamp recorded, -1 if none.
  TimestampMs max_timestamp() const { return max_timestamp_; }
  // What segment.ms counts from: the wall-clock time the segment was created; for a segment
  // found on disk at open, its first batch's max timestamp (if it has one). Kafka uses the first
  // batch's timestamp throughout, which makes a producer with a skewed clock roll a segment per
  // append; creation time does not.
  TimestampMs rolling_timestamp() const { return rolling_timestamp_; }
  const Paths& paths() const { return paths_; }
  int fd() const { return file_->fd(); }
  const std::shared_ptr<FileHandle>& file() const { return file_; }
  const OffsetIndex& offset_index() const { return offset_index_; }
  const TimeIndex& time_index() const { return time_index_; }

  // Records a batch whose bytes are now in the file at `position`. Preconditions: position ==
  // size_bytes(), and the batch continues the offsets (base == next_offset()).
  void on_batch_written(uint64_t position, const RecordBatchView& batch);

  // Forgets every recorded batch (before a rebuild scan).
  void reset();
  // Takes over indexes read from disk: the state is then as it was right after the last
  // offset-index entry's batch was indexed. Returns the position to scan the tail from (each
  // tail batch then goes through on_batch_written, the first being the indexed one).
  uint64_t restore_indexes(OffsetIndex offset_index, TimeIndex time_index);
  // For a segment found on disk: its first batch's max timestamp becomes the rolling timestamp.
  void set_first_batch_timestamp(TimestampMs max_timestamp);

  // Cuts the file at `size_bytes` (which must be at or past what is recorded). Blocks reserved
  // past the cut are released too.
  Result<void, Errno> truncate_file(uint64_t size_bytes);

  // Before a write that ends at `end`: reserves the file's blocks ahead of the writes, in
  // chunks that grow with the segment (the size written so far, 1 MiB to 64 MiB) and never past
  // `limit` (segment.bytes). Writing into reserved blocks spares ext4 the per-block delayed
  // allocation in every buffered write, ~15% of the broker's CPU under produce load
  // (perf/broker.md). Best effort: without a reservation the write allocates as it goes. Not
  // for logs that sync after every few writes (see LogAppender). With kGrowSize (direct
  // writes, direct_writer.h) the file's size grows over the reserved blocks, which read as
  // zeros until written.
  void reserve_ahead(uint64_t end, uint64_t limit, Preallocation mode);
  // A write put bytes in the file up to `file_end`, past the recorded size (a direct write's
  // zero padding): release_reserve cuts them too.
  void note_file_end(uint64_t file_end) { reserved_end_ = std::max(reserved_end_, file_end); }
  // The same for logs that sync after every few writes, where reserved (unwritten) blocks
  // would make every sync journal their conversion: the blocks ahead are written with zeros
  // and synced, growing the file, so that a later write lands in allocated, written blocks and
  // its fdatasync has no metadata to commit. A synced 1 KiB append is then ~1.3x and a 64 KiB
  // one ~1.8x faster than appending at the end of the file (fio --overwrite, perf/engine.md).
  // The zero tail this leaves past the recorded size is cut at seal and close, and by recovery
  // after a crash (log_recovery.h). Best effort, like reserve_ahead.
  //
  // Before a write that ends at `end`: fills the blocks from the recorded size to a chunk
  // (2 MiB) past it unless they are filled. The writes wait meanwhile (~1-2 ms per chunk): a
  // fill running beside them made their syncs flush its pages and commit its size change, and
  // the synced 64 KiB append fell from ~90% to ~68% of fio. Writes over 256 KiB (group
  // commits) are not worth the zeros and grow the file as before.
  Task<void> zero_fill_ahead(uint64_t end, uint64_t limit);
  // Gives back the reserved blocks past the recorded size, and cuts the zeros there (a sealed or
  // closed segment).
  Result<void, Errno> release_reserve();

  // Writes both index files whole from the in-memory indexes, and fdatasyncs them if asked.
  Task<Result<void, Errno>> write_indexes(bool sync);
  Task<Result<void, Errno>> sync_log();
  // Unlinks the three files (open file handles keep the data readable); removed() is then true.
  Result<void, Errno> remove_files();
  bool removed() const { return removed_; }
  // Unlinks the index files only (missing ones are fine): a segment sealed without a sync must
  // not keep index files from an earlier life, or recovery would trust its data unscanned.
  Result<void, Errno> remove_index_files();

  // The first recorded batch whose last offset is >= `target`; nullopt if none. Answered from
  // memory when it can be (locate_offset_in_memory), else from the batch headers in the file.
  Task<Result<std::optional<BatchLocation>, Errno>> locate_offset(Offset target);
  // The batch holding `target` (< next_offset()) from memory alone: when the offset-index entry
  // at or below `target` is a batch whose size was recorded in this process, and the next entry
  // (or the end of the segment) follows it directly, that batch holds every offset up to the
  // next entry's. With batches of an index interval or more (4 KiB), every batch is indexed and
  // this always answers: a fetch of data written direct (not in the page cache) then reads no
  // header from the disk first. nullopt otherwise. Its max_timestamp is -1 (not known).
  std::optional<BatchLocation> locate_offset_in_memory(Offset target) const;
  // The first recorded batch whose max timestamp is >= `target`; nullopt if none.
  Task<Result<std::optional<BatchLocation>, Errno>> locate_timestamp(TimestampMs target);

 private:
  Segment(FileSystem* fs, Paths paths, std::shared_ptr<FileHandle> file, Offset base_offset,
          uint32_t index_interval_bytes, TimestampMs created);

  // What a header scan looks for: the first batch whose last offset, or max timestamp, is >=
  // the target.
  enum class ScanKey : uint8_t { kLastOffset, kMaxTimestamp };
  // Reads batch headers from `start` to the end of the segment; nullopt if no batch qualifies.
  Task<Result<std::optional<BatchLocation>, Errno>> scan_headers(uint64_t start, ScanKey key,
                                                                 int64_t target);

  FileSystem* fs_;
  Paths paths_;
  std::shared_ptr<FileHandle> file_;
  Offset base_offset_;
  uint32_t index_interval_bytes_;
  TimestampMs created_;

  Offset next_offset_;
  uint64_t size_bytes_ = 0;
  OffsetIndex offset_index_;
  TimeIndex time_index_;
  uint64_t bytes_since_index_entry_ = 0;
  // The size of each offset-index entry's batch (same order), 0 where not known (entries loaded
  // from an index file, until recovery scans that batch); and of the batch at position 0.
  std::vector<uint32_t> indexed_batch_bytes_;
  uint32_t first_batch_bytes_ = 0;
  TimestampMs max_timestamp_{-1};
  RelativeOffset offset_of_max_timestamp_{0};
  TimestampMs rolling_timestamp_;
  // Blocks are reserved, zero-filled or padded up to here (a hint, never below the data).
  uint64_t reserved_end_ = 0;
  bool reserve_supported_ = true;
  uint64_t filled_end_ = 0;        // zero_fill_ahead: filled and synced up to here
  bool zero_fill_failed_ = false;  // a fill failed (ENOSPC): no more for this segment
  bool removed_ = false;
};

}  // namespace ringlog::storage
