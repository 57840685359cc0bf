#pragma once
// LogAppender: the one coroutine that writes a partition log's active segment.
//
// Appends are queued by Log::append() (which validated the batches and patched their base
// offsets and leader epoch in the caller's buffer) and wait in their own coroutine frame; no
// allocation per append. The appender takes every append queued so far (up to kIovMax buffers
// and kWriteBytesMax bytes, and never across a segment roll) and writes them with ONE pwritev
// of the callers' own buffers, continuing short writes from where they stopped. Appends made in
// the same loop turn, or while the previous write was in flight, therefore share one write (and
// one fdatasync).
//
// What an append's completion promises:
//   appended (append() returned a base offset): the batches are in the file, in offset order,
//     after every batch appended before them, and visible to readers. Not yet durable: a
//     machine crash may lose them, and then everything after them too.
//   durable (AppendResult::durability == kDurable): an fdatasync that started after the write
//     completed, so they survive a machine crash.
// A failed write (ENOSPC, EIO, a failed fdatasync) fails every append of that write and every
// append queued behind it (their offsets followed the failed ones), truncates the segment back
// to where the write started and hands those offsets out again; nothing appended earlier is
// touched. If the truncation itself fails, the log is marked failed and refuses appends.
//
// Flush policy (LogOptions::flush): kEveryAppend links an fdatasync to every write; kMessages
// links one to the write that brings the unsynced record count to the limit; kInterval links one
// to a write once the interval has passed and otherwise syncs from a timer when idle; kNone
// never syncs on its own: a segment it seals is synced later, in the background (SealedSyncs).

#include <sys/uio.h>

#include <array>
#include <coroutine>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "engine/base/types.h"
#include "engine/reactor/reactor.h"
#include "engine/reactor/task.h"
#include "engine/storage/background_loop.h"
#include "engine/storage/direct_writer.h"
#include "engine/storage/log_error.h"
#include "engine/storage/log_state.h"
#include "engine/storage/sealed_syncs.h"

namespace ringlog::storage {

enum class Durability : uint8_t {
  kWritten,  // in the file (page cache); not yet synced
  kDurable,  // synced
};

// One queued append; lives in the appending coroutine's frame until completed.
struct PendingAppend {
  std::span<std::byte> bytes;  // validated, patched batches
  Offset base_offset;
  Offset next_offset;  // after the last record
  int64_t records = 0;
  uint32_t batches = 0;

  PendingAppend* next = nullptr;
  std::coroutine_handle<> waiter;
  bool done = false;
  Durability durability = Durability::kWritten;
  std::optional<LogError> error;

  // co_await the pending append: resumes once the appender completed it.
  bool await_ready() const noexcept { return done; }
  void await_suspend(std::coroutine_handle<> h) noexcept { waiter = h; }
  void await_resume() const noexcept {}
};

class LogAppender {
 public:
  // Buffers per pwritev: Linux's IOV_MAX.
  static constexpr unsigned kIovMax = 1024;
  // Bytes per pwritev (well under the kernel's 2 GiB - 4 KiB cap on one write).
  static constexpr uint64_t kWriteBytesMax = 64ull << 20;

  LogAppender(LogState* state, SealedSyncs* sealed) : state_(state), sealed_(sealed) {}
  LogAppender(const LogAppender&) = delete;
  LogAppender& operator=(const LogAppender&) = delete;

  // Whether one more append of `bytes` fits under the queue limits.
  bool has_room(uint64_t bytes) const;
  // Queues an append (its offsets are already assigned) and wakes the appender.
  void enqueue(PendingAppend* append);

  // The appender's loop; spawned by Log::open, ends after stop() once the queue is drained.
  Task<void> run();
  void stop();
  // Completes when run() has returned.
  Task<void> wait_stopped();
  // Syncs the active segment now; durable then covers everything written before the call.
  Task<Result<void, LogError>> flush();

 private:
  Task<void> write_next_group();
  Task<Result<void, LogError>> roll(Offset base_offset);
  Task<Result<void, LogError>> sync_active();
  bool needs_roll(const PendingAppend& head) const;
  void complete(PendingAppend* append);
  void fail_all(PendingAppend* group, LogError error);
  void note_unsynced_write();

  LogState* state_;
  SealedSyncs* sealed_;
  PendingAppend* head_ = nullptr;
  PendingAppend* tail_ = nullptr;
  uint32_t queued_ = 0;
  uint64_t queued_bytes_ = 0;
  // next_offset of the group detached from the queue and being written; appends queued
  // meanwhile start there, not at state_->written.
  std::optional<Offset> in_flight_end_;

  // The DirectWriter of the segment written last (options.direct_writes).
  DirectWriter* direct_writer_for(const std::shared_ptr<Segment>& segment);

  std::array<iovec, kIovMax> iov_{};
  std::unique_ptr<DirectWriter> direct_;
  std::shared_ptr<Segment> direct_segment_;  // held: no address reuse between segments
  bool direct_unsupported_ = false;
  bool wrote_direct_last_ = false;
  uint64_t unsynced_records_ = 0;
  std::optional<reactor::Clock::time_point> sync_deadline_;  // kInterval, with unsynced data

  BackgroundLoop loop_;
};

}  // namespace ringlog::storage
