#include "engine/storage/log_recovery.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>

#include "engine/base/assert.h"
#include "engine/storage/batch_scanner.h"
#include "engine/storage/clean_shutdown_marker.h"
#include "engine/storage/record_batch_format.h"
#include "engine/storage/segment_format.h"

namespace ringlog::storage {

namespace sf = segment_format;

namespace {

// Recovery reads the log this much at a time.
constexpr size_t kRecoveryChunkBytes = 1 << 20;
// Index and marker files are read whole; none legitimately comes near this.
constexpr uint64_t kIndexFileBytesMax = 64ull << 20;

// The whole file, or nullopt if it does not exist (or is implausibly large for an index).
Task<Result<std::optional<std::vector<std::byte>>, Errno>> read_small_file(FileSystem* fs,
                                                                           std::string path) {
  auto fd = fs->open(path, OpenMode::kReadWrite);
  if (!fd) {
    if (fd.error().code == ENOENT) co_return std::nullopt;
    co_return fd.error();
  }
  FileHandle handle(*fs, *fd);
  auto size = fs->file_size(*fd);
  if (!size) co_return size.error();
  if (*size > kIndexFileBytesMax) co_return std::nullopt;
  std::vector<std::byte> bytes(*size);
  auto got = co_await read_exact(fs, *fd, bytes, 0);
  if (!got) co_return got.error();
  bytes.resize(*got);
  co_return bytes;
}

// Whether every byte of [from, end) in the file is zero: the blocks a log that syncs every few
// appends fills ahead of its writes (Segment::zero_fill_ahead), left past the data by a crash.
Task<Result<bool, Errno>> zeros_to_end(FileSystem* fs, int fd, uint64_t from, uint64_t end) {
  std::vector<std::byte> chunk(std::min<uint64_t>(end - from, kRecoveryChunkBytes));
  for (uint64_t at = from; at < end;) {
    const auto want = std::span(chunk).first(std::min<uint64_t>(end - at, chunk.size()));
    auto got = co_await read_exact(fs, fd, want, at);
    if (!got) co_return got.error();
    if (*got != want.size()) co_return false;  // the file is shorter than it was
    for (std::byte b : want) {
      if (b != std::byte{0}) co_return false;
    }
    at += *got;
  }
  co_return true;
}

// Cuts a zero tail found at `position` (see zeros_to_end): no corruption, nothing reported but
// the bytes. Returns whether the tail was all zeros.
Task<Result<bool, LogError>> cut_zero_tail(LogState* state, Segment* segment, uint64_t position,
                                           uint64_t file_bytes, RecoveryReport* report) {
  auto zeros = co_await zeros_to_end(state->fs, segment->fd(), position, file_bytes);
  if (!zeros) co_return LogError::from_errno(zeros.error());
  if (!*zeros) co_return false;
  auto truncated = segment->truncate_file(position);
  if (!truncated) co_return LogError::from_errno(truncated.error());
  report->zero_tail_bytes_cut += file_bytes - position;
  co_return true;
}

// Scans a whole segment with validation, recording every good batch, and truncates the file
// after the last one. Returns whether anything was truncated.
Task<Result<bool, LogError>> scan_segment(LogState* state, Segment* segment, uint64_t file_bytes,
                                          RecoveryReport* report) {
  segment->reset();
  ++report->segments_scanned;
  BatchScanner scanner(
      state->fs, segment->fd(),
      {.start = 0, .end = file_bytes, .chunk_bytes = kRecoveryChunkBytes, .validate = true});
  std::string reason;
  for (;;) {
    auto next = co_await scanner.next();
    if (!next) co_return LogError::from_errno(next.error());
    if (!next->has_value()) {
      if (scanner.stop() == ScanStop::kInvalid) {
        reason = fmt::format("{}: {}", to_string(scanner.stop()), to_string(scanner.batch_error()));
      } else if (scanner.stop() != ScanStop::kEnd) {
        reason = to_string(scanner.stop());
      }
      break;
    }
    const RecordBatchView& view = (*next)->view;
    if (view.base_offset() != segment->next_offset()) {
      reason = fmt::format("offset out of sequence: batch base offset {}, expected {}",
                           view.base_offset().value(), segment->next_offset().value());
      break;
    }
    if (view.last_offset() - segment->base_offset() > sf::kRelativeOffsetMax) {
      reason = "batch offsets too far from the segment's base offset";
      break;
    }
    segment->on_batch_written((*next)->position, view);
  }
  const uint64_t valid_bytes = segment->size_bytes();
  if (valid_bytes == file_bytes) co_return false;
  RL_ASSERT(valid_bytes < file_bytes);
  auto zero_tail = co_await cut_zero_tail(state, segment, valid_bytes, file_bytes, report);
  if (!zero_tail) co_return zero_tail.error();
  if (*zero_tail) co_return false;
  RL_ASSERT(!reason.empty());
  report->corruptions.push_back(Corruption{segment->paths().log, valid_bytes, reason});
  report->bytes_truncated += file_bytes - valid_bytes;
  fmt::print(stderr,
             "ringlog: storage: {}: {} at position {}; truncating {} bytes (log end offset {})\n",
             segment->paths().log, reason, valid_bytes, file_bytes - valid_bytes,
             segment->next_offset().value());
  auto truncated = segment->truncate_file(valid_bytes);
  if (!truncated) co_return LogError::from_errno(truncated.error());
  co_return true;
}

// Takes over the segment's index files if they are consistent with its log (see header):
// returns false if they are missing or not, leaving the segment to be scanned.
Task<Result<bool, LogError>> load_indexes(LogState* state, Segment* segment, uint64_t file_bytes,
                                          RecoveryReport* report) {
  auto offset_bytes = co_await read_small_file(state->fs, segment->paths().offset_index);
  if (!offset_bytes) co_return LogError::from_errno(offset_bytes.error());
  auto time_bytes = co_await read_small_file(state->fs, segment->paths().time_index);
  if (!time_bytes) co_return LogError::from_errno(time_bytes.error());
  if (!offset_bytes->has_value() || !time_bytes->has_value()) co_return false;
  auto offset_index = OffsetIndex::decode(**offset_bytes, file_bytes);
  auto time_index = TimeIndex::decode(**time_bytes);
  if (!offset_index || !time_index) co_return false;
  const size_t offset_entries = offset_index->size();
  const size_t time_entries = time_index->size();
  const std::optional<TimeIndex::Entry> last_time =
      time_index->empty() ? std::nullopt : std::optional(time_index->back());

  const uint64_t tail = segment->restore_indexes(std::move(*offset_index), std::move(*time_index));
  BatchScanner scanner(state->fs, segment->fd(), {.start = tail, .end = file_bytes});
  for (;;) {
    auto next = co_await scanner.next();
    if (!next) co_return LogError::from_errno(next.error());
    if (!next->has_value()) break;
    const RecordBatchView& view = (*next)->view;
    if (view.base_offset() != segment->next_offset()) co_return false;
    if (view.last_offset() - segment->base_offset() > sf::kRelativeOffsetMax) co_return false;
    segment->on_batch_written((*next)->position, view);
  }
  if (scanner.stop() != ScanStop::kEnd) {
    // A sealed segment whose zero tail a crash kept from being cut at the roll.
    auto zero_tail =
        co_await cut_zero_tail(state, segment, segment->size_bytes(), file_bytes, report);
    if (!zero_tail) co_return zero_tail.error();
    if (!*zero_tail) co_return false;
  }
  // The tail walk must not have found more to index than the files held, and the time index
  // must point inside the segment.
  if (segment->offset_index().size() != offset_entries) co_return false;
  if (segment->time_index().size() != time_entries) co_return false;
  if (last_time &&
      segment->base_offset() + static_cast<int64_t>(last_time->relative_offset.value()) >=
          segment->next_offset()) {
    co_return false;
  }
  co_return true;
}

// Whether the index files on disk hold exactly the segment's in-memory indexes.
Task<Result<bool, LogError>> index_files_match(LogState* state, Segment* segment) {
  auto offset_bytes = co_await read_small_file(state->fs, segment->paths().offset_index);
  if (!offset_bytes) co_return LogError::from_errno(offset_bytes.error());
  auto time_bytes = co_await read_small_file(state->fs, segment->paths().time_index);
  if (!time_bytes) co_return LogError::from_errno(time_bytes.error());
  co_return offset_bytes->has_value() && time_bytes->has_value() &&
      **offset_bytes == segment->offset_index().encode() &&
      **time_bytes == segment->time_index().encode();
}

Task<Result<std::optional<CleanShutdownMarker>, LogError>> take_marker(LogState* state) {
  const std::string path = state->dir + "/" + std::string(sf::kCleanShutdownName);
  auto bytes = co_await read_small_file(state->fs, path);
  if (!bytes) co_return LogError::from_errno(bytes.error());
  if (!bytes->has_value()) co_return std::nullopt;
  // Removed before anything is appended: a crash from now on must lead to a scan.
  auto removed = state->fs->unlink(path);
  if (!removed) co_return LogError::from_errno(removed.error());
  auto synced = state->fs->sync_dir(state->dir);
  if (!synced) co_return LogError::from_errno(synced.error());
  co_return decode_marker(**bytes);
}

}  // namespace

Task<Result<RecoveryReport, LogError>> recover_log(LogState* state) {
  RL_ASSERT(state->segments.empty());
  FileSystem* fs = state->fs;
  RecoveryReport report;
  if (auto made = fs->make_dirs(state->dir); !made) co_return LogError::from_errno(made.error());
  auto names = fs->list_dir(state->dir);
  if (!names) co_return LogError::from_errno(names.error());

  std::set<Offset> bases;
  for (const std::string& name : *names) {
    if (auto base = sf::parse_file_name(name, sf::kLogSuffix)) bases.insert(*base);
  }
  // Index files whose log is gone (e.g. a crash in the middle of deleting a segment).
  for (const std::string& name : *names) {
    auto base = sf::parse_file_name(name, sf::kOffsetIndexSuffix);
    if (!base) base = sf::parse_file_name(name, sf::kTimeIndexSuffix);
    if (base && bases.count(*base) == 0) {
      const std::string path = state->dir + "/" + name;
      auto removed = fs->unlink(path);
      if (!removed) co_return LogError::from_errno(removed.error());
      report.files_removed.push_back(path);
    }
  }
  auto marker = co_await take_marker(state);
  if (!marker) co_return marker.error();
  if (bases.empty()) bases.insert(Offset(0));

  const std::vector<Offset> ordered(bases.begin(), bases.end());
  bool truncated_sealed = false;
  for (size_t i = 0; i < ordered.size(); ++i) {
    const Offset base = ordered[i];
    if (truncated_sealed) {
      // The log ended in an earlier segment: everything after it goes.
      const Segment::Paths paths = Segment::paths(state->dir, base);
      for (const std::string* path : {&paths.log, &paths.offset_index, &paths.time_index}) {
        auto removed = fs->unlink(*path);
        if (!removed && removed.error().code != ENOENT) {
          co_return LogError::from_errno(removed.error());
        }
        if (removed) report.files_removed.push_back(*path);
      }
      fmt::print(stderr, "ringlog: storage: {}: removed segment {} after a truncated one\n",
                 state->dir, base.value());
      continue;
    }
    auto opened =
        Segment::open(fs, state->dir, base, state->options.index_interval_bytes, state->now_ms());
    if (!opened) co_return LogError::from_errno(opened.error());
    std::shared_ptr<Segment> segment(std::move(*opened));
    auto size = fs->file_size(segment->fd());
    if (!size) co_return LogError::from_errno(size.error());
    if (*size > sf::kSegmentBytesMax) co_return LogError{.code = LogErrc::kBadDirectory};
    if (!state->segments.empty() && state->segments.back()->next_offset() != base) {
      fmt::print(stderr, "ringlog: storage: {}: segment {} does not follow offset {}\n", state->dir,
                 base.value(), state->segments.back()->next_offset().value());
      co_return LogError{.code = LogErrc::kBadDirectory};
    }
    const bool active = i + 1 == ordered.size();
    const bool clean_active = active && marker->has_value() &&
                              (**marker).active_base_offset == base &&
                              (**marker).active_size_bytes == *size;
    bool loaded = false;
    if (!active || clean_active) {
      auto l = co_await load_indexes(state, segment.get(), *size, &report);
      if (!l) co_return l.error();
      loaded = *l && (!clean_active || segment->next_offset() == (**marker).next_offset);
      if (!loaded && !active) ++report.indexes_rebuilt;
    }
    if (loaded) {
      report.clean_shutdown = report.clean_shutdown || clean_active;
    } else {
      auto t = co_await scan_segment(state, segment.get(), *size, &report);
      if (!t) co_return t.error();
      if (active) {
        auto same = co_await index_files_match(state, segment.get());
        if (!same) co_return same.error();
        if (!*same) ++report.indexes_rebuilt;
      }
      // Sealed segments get their indexes back synced, after their data: index files on a
      // sealed segment say it is synced (sealed_syncs.h), and one sealed without a sync may
      // still be only in the page cache of a process that crashed. The active one's indexes
      // are written again at roll and close.
      if (!active) {
        auto data_synced = co_await segment->sync_log();
        if (!data_synced) co_return LogError::from_errno(data_synced.error());
      }
      auto w = co_await segment->write_indexes(/*sync=*/!active);
      if (!w) co_return LogError::from_errno(w.error());
      truncated_sealed = *t && !active;
    }
    if (!segment->empty()) {
      // segment.ms counts from the first batch of a segment found on disk.
      std::vector<std::byte> header(batch_format::kHeaderBytes);
      auto got = co_await read_exact(fs, segment->fd(), header, 0);
      if (!got) co_return LogError::from_errno(got.error());
      if (*got == header.size()) {
        segment->set_first_batch_timestamp(RecordBatchView(header).max_timestamp());
      }
    }
    ++report.segments_loaded;
    state->segments.push_back(std::move(segment));
  }

  Segment& active = state->active();
  // Whatever the previous life left in the page cache is made durable before we build on it.
  auto synced = co_await active.sync_log();
  if (!synced) co_return LogError::from_errno(synced.error());
  auto dir_synced = fs->sync_dir(state->dir);
  if (!dir_synced) co_return LogError::from_errno(dir_synced.error());
  state->log_start_offset = state->segments.front()->base_offset();
  state->appended = state->written = state->durable = active.next_offset();
  state->check_offsets();
  co_return report;
}

}  // namespace ringlog::storage
