#include "engine/storage/log_appender.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "engine/base/assert.h"
#include "engine/storage/record_batch.h"
#include "engine/storage/segment_format.h"

namespace ringlog::storage {

namespace sf = segment_format;

bool LogAppender::has_room(uint64_t bytes) const {
  return queued_ < state_->options.pending_appends_max &&
         queued_bytes_ + bytes <= state_->options.pending_bytes_max;
}

void LogAppender::enqueue(PendingAppend* append) {
  RL_ASSERT(!loop_.stopping(), "append after stop");
  RL_ASSERT(append->next == nullptr);
  RL_ASSERT(append->base_offset < append->next_offset);
  RL_ASSERT(append->bytes.size() <= kWriteBytesMax);
  if (tail_ != nullptr) {
    RL_ASSERT(tail_->next_offset == append->base_offset, "queued offsets are contiguous");
    tail_->next = append;
  } else {
    // The queue starts where the group being written ends, or at the written offset when no
    // write is in flight. (Comparing with `written` alone fired when an append arrived while a
    // detached group was still in its pwritev/fdatasync: the broker aborted under produce load
    // with flush on every append; found by tests/integration/acceptance_crash_test.cc.)
    RL_ASSERT(append->base_offset == in_flight_end_.value_or(state_->written),
              "the queue starts at the written offset");
    head_ = append;
  }
  tail_ = append;
  ++queued_;
  queued_bytes_ += append->bytes.size();
  ++state_->stats.appends;
  // The appender runs after the coroutines already ready, so appends made in this turn join.
  loop_.wake();
}

void LogAppender::stop() { loop_.stop(); }

Task<void> LogAppender::wait_stopped() { co_await loop_.wait_stopped(); }

Task<void> LogAppender::run() {
  for (;;) {
    if (head_ != nullptr) {
      co_await write_next_group();
      continue;
    }
    if (loop_.stopping()) break;
    if (sync_deadline_) {
      if (reactor::Clock::now() >= *sync_deadline_) {
        // A failed timed sync leaves durable behind; the next write retries with a linked sync.
        [[maybe_unused]] auto r = co_await sync_active();
        continue;
      }
      co_await loop_.sleep_until(*sync_deadline_);
      continue;
    }
    co_await loop_.park();
  }
  loop_.mark_stopped();
}

bool LogAppender::needs_roll(const PendingAppend& head) const {
  const Segment& active = *state_->segments.back();
  if (active.empty()) return false;
  if (active.size_bytes() + head.bytes.size() > state_->options.segment_bytes) return true;
  if ((head.next_offset - 1) - active.base_offset() > sf::kRelativeOffsetMax) return true;
  return state_->now_ms() - active.rolling_timestamp() >= state_->options.segment_ms;
}

Task<void> LogAppender::write_next_group() {
  RL_ASSERT(head_ != nullptr);
  RL_ASSERT(head_->base_offset == state_->written);
  if (needs_roll(*head_)) {
    auto rolled = co_await roll(head_->base_offset);
    if (!rolled) {
      fail_all(nullptr, rolled.error());
      co_return;
    }
  }
  Segment& segment = state_->active();
  RL_ASSERT(segment.next_offset() == head_->base_offset);

  // Gather: take queued appends while they fit in one write and in this segment.
  PendingAppend* group = head_;
  PendingAppend* last = nullptr;
  unsigned count = 0;
  uint64_t bytes = 0;
  int64_t records = 0;
  for (PendingAppend* a = head_; a != nullptr; a = a->next) {
    const uint64_t size = a->bytes.size();
    if (count > 0) {
      if (count == kIovMax || bytes + size > kWriteBytesMax) break;
      if (segment.size_bytes() + bytes + size > state_->options.segment_bytes) break;
      if ((a->next_offset - 1) - segment.base_offset() > sf::kRelativeOffsetMax) break;
    }
#ifndef NDEBUG
    // Check lengths and CRCs again right before the bytes go to disk (debug builds).
    for (RecordBatchView batch : split_batches(a->bytes)) {
      RL_DASSERT(batch.validate(BatchSource::kLog).has_value());
    }
#endif
    iov_[count] = iovec{.iov_base = a->bytes.data(), .iov_len = size};
    ++count;
    bytes += size;
    records += a->records;
    last = a;
  }
  head_ = last->next;
  if (head_ == nullptr) tail_ = nullptr;
  last->next = nullptr;
  in_flight_end_ = last->next_offset;
  queued_ -= count;
  queued_bytes_ -= bytes;

  const FlushPolicy& flush = state_->options.flush;
  const bool want_sync = flush.mode == FlushMode::kEveryAppend ||
                         (flush.mode == FlushMode::kMessages &&
                          unsynced_records_ + static_cast<uint64_t>(records) >= flush.messages) ||
                         (flush.mode == FlushMode::kInterval && sync_deadline_ &&
                          reactor::Clock::now() >= *sync_deadline_);

  // Write, continuing short writes. The segment's recorded size is where this write starts.
  const std::shared_ptr<Segment> keep = state_->segments.back();
  const uint64_t start = segment.size_bytes();
  const int fd = segment.fd();
  // Reserved blocks are unwritten extents, and a sync after each write then also journals
  // their conversion: with a count-based flush policy the synced append ran at ~69% of fio
  // instead of ~78% (perf/engine.md). So only logs that sync by time or not at all reserve;
  // the others write zeros ahead instead (written blocks: nothing to journal at their syncs).
  const bool by_count = flush.mode == FlushMode::kEveryAppend || flush.mode == FlushMode::kMessages;
  DirectWriter* writer = by_count ? nullptr : direct_writer_for(keep);
  // Small groups go buffered even so: a direct write completes when the device has the bytes, a
  // buffered one when the page cache has them, and a producer sending a record at a time waits
  // for each (produce latency p50 0.16 ms direct against 0.07 ms buffered, perf/broker.md).
  // Once writing direct, groups down to a quarter of the threshold stay direct, so that a rate
  // near it does not switch back and forth: each switch costs a read or a flush of the block
  // the two kinds of write share.
  const uint64_t direct_min = state_->options.direct_write_bytes_min;
  const bool go_direct =
      writer != nullptr && (bytes >= direct_min || (wrote_direct_last_ && bytes >= direct_min / 4));
  DirectWriter* direct = go_direct ? writer : nullptr;
  wrote_direct_last_ = go_direct;
  if (writer != nullptr) {
    // Grown over the reserved blocks even for buffered writes, so that the direct ones land
    // inside the file's size (see Preallocation::kGrowSize).
    segment.reserve_ahead(start + bytes, state_->options.segment_bytes, Preallocation::kGrowSize);
  } else if (!by_count) {
    segment.reserve_ahead(start + bytes, state_->options.segment_bytes, Preallocation::kKeepSize);
  } else {
    co_await segment.zero_fill_ahead(start + bytes, state_->options.segment_bytes);
  }
  uint64_t done = 0;
  unsigned first = 0;
  std::optional<Errno> error;
  bool synced = false;
  if (direct != nullptr) {
    ++state_->stats.writes;
    auto wrote = co_await direct->write(iov_.data(), count, start);
    if (wrote) {
      segment.note_file_end(*wrote);
      done = bytes;
    } else {
      error = wrote.error();
    }
    if (!error && want_sync) {
      ++state_->stats.syncs;
      auto sync = co_await state_->fs->fdatasync(fd);
      if (sync) {
        synced = true;
      } else {
        error = sync.error();
      }
    }
  }
  while (done < bytes) {
    IoResult wrote = 0u;
    IoResult sync = 0u;
    ++state_->stats.writes;
    if (want_sync) {
      WriteSyncResult r =
          co_await state_->fs->pwritev_fdatasync(fd, &iov_[first], count - first, start + done);
      ++state_->stats.syncs;
      wrote = r.write;
      sync = r.sync;
    } else {
      wrote = co_await state_->fs->pwritev(fd, &iov_[first], count - first, start + done);
    }
    if (!wrote) {
      error = wrote.error();
      break;
    }
    if (*wrote == 0) {
      error = Errno{EIO};  // no progress: do not spin
      break;
    }
    RL_ASSERT(*wrote <= bytes - done);
    done += *wrote;
    if (done == bytes) {
      if (want_sync) {
        if (!sync) {
          error = sync.error();
          break;
        }
        synced = true;
      }
      break;
    }
    // Short write: skip what went out and continue with the rest.
    ++state_->stats.short_writes;
    uint64_t skip = *wrote;
    while (skip >= iov_[first].iov_len) {
      skip -= iov_[first].iov_len;
      ++first;
    }
    iov_[first].iov_base = static_cast<std::byte*>(iov_[first].iov_base) + skip;
    iov_[first].iov_len -= skip;
  }

  in_flight_end_.reset();
  if (error) {
    ++state_->stats.failed_writes;
    // Undo: nothing of this write may survive, or recovery would bring back failed appends.
    auto truncated = segment.truncate_file(start);
    if (!truncated) {
      state_->failed = true;
      state_->failure = LogError{.code = LogErrc::kLogFailed, .io = truncated.error()};
    }
    fail_all(group, LogError::from_errno(*error));
    co_return;
  }

  // Record the batches (indexes, sizes), then publish the offsets, then complete the appends.
  uint64_t position = start;
  for (PendingAppend* a = group; a != nullptr; a = a->next) {
    BatchSplitter split = split_batches(a->bytes);
    uint32_t batches = 0;
    for (RecordBatchView batch : split) {
      segment.on_batch_written(position, batch);
      position += batch.bytes().size();
      ++batches;
    }
    RL_ASSERT(split.stop() == SplitStop::kEnd, "a validated buffer frames to its end");
    RL_ASSERT(batches == a->batches);
    state_->stats.batches += batches;
  }
  RL_ASSERT(position == start + bytes);
  RL_ASSERT(segment.next_offset() == last->next_offset);
  state_->stats.bytes_written += bytes;
  state_->written = last->next_offset;
  if (synced && !sealed_->all_synced()) {
    // Sealed segments still queued (the flush policy was none until a config change): the
    // group is durable only once they are.
    auto sealed = co_await sealed_->sync_all();
    synced = sealed.has_value();
  }
  if (synced) {
    state_->durable = state_->written;
    unsynced_records_ = 0;
    sync_deadline_.reset();
  } else {
    unsynced_records_ += static_cast<uint64_t>(records);
    note_unsynced_write();
  }
  state_->check_offsets();
  for (PendingAppend* a = group; a != nullptr;) {
    PendingAppend* next = a->next;
    a->durability = synced ? Durability::kDurable : Durability::kWritten;
    complete(a);
    a = next;
  }
}

DirectWriter* LogAppender::direct_writer_for(const std::shared_ptr<Segment>& segment) {
  if (!state_->options.direct_writes || direct_unsupported_) return nullptr;
  if (direct_segment_ != segment) {
    direct_.reset();
    direct_segment_ = segment;
    auto opened = DirectWriter::open(state_->fs, segment->paths().log);
    if (!opened) {
      // No direct I/O on this file system: this log writes buffered from now on.
      direct_unsupported_ = true;
      direct_segment_.reset();
      fmt::print(stderr, "ringlog: storage: {}: writing buffered, no direct I/O here ({})\n",
                 state_->dir, opened.error().name());
      return nullptr;
    }
    direct_ = std::move(*opened);
  }
  return direct_.get();
}

void LogAppender::note_unsynced_write() {
  if (state_->options.flush.mode == FlushMode::kInterval && !sync_deadline_) {
    sync_deadline_ =
        reactor::Clock::now() + std::chrono::milliseconds(state_->options.flush.interval_ms);
  }
}

Task<Result<void, LogError>> LogAppender::roll(Offset base_offset) {
  const std::shared_ptr<Segment> old = state_->segments.back();
  RL_ASSERT(!old->empty());
  RL_ASSERT(old->next_offset() == base_offset);
  RL_ASSERT(state_->written == base_offset);
  direct_.reset();  // no more writes to it
  direct_segment_.reset();
  // A log that never syncs on its own leaves the sealed segment to SealedSyncs, so that appends
  // do not wait behind a whole segment's writeback; the others seal it synced, as their
  // durability asks (and as before, for a log switched from none with segments still queued).
  const bool sync_later = state_->options.flush.mode == FlushMode::kNone;
  if (sync_later) {
    // Index files from an earlier life would let recovery take the unsynced data on trust.
    auto removed = old->remove_index_files();
    if (!removed) co_return LogError::from_errno(removed.error());
  } else {
    auto earlier = co_await sealed_->sync_all();
    if (!earlier) co_return earlier.error();
    const Offset written = state_->written;
    auto synced = co_await old->sync_log();
    ++state_->stats.syncs;
    if (!synced) co_return LogError::from_errno(synced.error());
    auto indexes = co_await old->write_indexes(/*sync=*/true);
    if (!indexes) co_return LogError::from_errno(indexes.error());
    state_->durable = std::max(state_->durable, written);
  }
  // A sealed segment never grows: its unused reserved blocks go back to the disk. Failing to
  // give them back wastes space but loses nothing.
  (void)old->release_reserve();

  auto segment = Segment::open(state_->fs, state_->dir, base_offset,
                               state_->options.index_interval_bytes, state_->now_ms());
  if (!segment) co_return LogError::from_errno(segment.error());
  // A file left by an earlier life of this offset range holds nothing of this log.
  auto emptied = state_->fs->ftruncate((*segment)->fd(), 0);
  if (!emptied) co_return LogError::from_errno(emptied.error());
  // Makes the new file and the removed index files survive a crash together. (ext4 journals
  // the unlinks before the create, so no crash shows the new segment with the old index files.)
  auto dir_synced = state_->fs->sync_dir(state_->dir);
  if (!dir_synced) co_return LogError::from_errno(dir_synced.error());
  state_->segments.push_back(std::shared_ptr<Segment>(std::move(*segment)));
  if (sync_later) sealed_->add(old);
  ++state_->stats.rolls;
  unsynced_records_ = 0;
  sync_deadline_.reset();
  co_return Result<void, LogError>{};
}

Task<Result<void, LogError>> LogAppender::sync_active() {
  const Offset written = state_->written;
  const std::shared_ptr<Segment> active = state_->segments.back();
  // The segments before `active` first, oldest first: everything written before the syncs
  // started is then durable.
  auto sealed = co_await sealed_->sync_all();
  if (!sealed) co_return sealed.error();
  ++state_->stats.syncs;
  auto r = co_await active->sync_log();
  if (!r) co_return LogError::from_errno(r.error());
  state_->durable = std::max(state_->durable, written);
  if (state_->durable == state_->written) {
    unsynced_records_ = 0;
    sync_deadline_.reset();
  }
  state_->check_offsets();
  co_return Result<void, LogError>{};
}

Task<Result<void, LogError>> LogAppender::flush() { co_return co_await sync_active(); }

void LogAppender::complete(PendingAppend* append) {
  append->next = nullptr;
  append->done = true;
  if (append->waiter) reactor::Reactor::current().schedule(append->waiter);
}

void LogAppender::fail_all(PendingAppend* group, LogError error) {
  auto fail_list = [&](PendingAppend* a) {
    while (a != nullptr) {
      PendingAppend* next = a->next;
      a->error = error;
      complete(a);
      a = next;
    }
  };
  fail_list(group);
  fail_list(head_);
  head_ = tail_ = nullptr;
  queued_ = 0;
  queued_bytes_ = 0;
  // The failed offsets are handed out again.
  state_->appended = state_->written;
  state_->check_offsets();
}

}  // namespace ringlog::storage
