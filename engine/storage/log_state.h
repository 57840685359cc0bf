#pragma once
// LogState: what a partition log's parts share: its segments and its offsets. Internal to
// engine/storage (Log, LogAppender and recovery use it); everything in it belongs to the shard
// that owns the log.
//
// The three offsets, each the offset *after* the last record it covers:
//   durable ≤ written ≤ appended
//   appended: every offset below has been assigned to a queued append (its bytes are patched);
//   written:  every batch below is in a segment file (its write completed; readers see it);
//   durable:  every batch below was covered by a completed fdatasync (a sealed segment queued
//             in SealedSyncs is synced before durable moves past it).
// check_offsets() asserts the order; the high watermark and acks derive from these, never from
// counters of their own.

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "engine/base/assert.h"
#include "engine/base/types.h"
#include "engine/storage/file_system.h"
#include "engine/storage/log_error.h"
#include "engine/storage/log_options.h"
#include "engine/storage/segment.h"

namespace ringlog::storage {

// Counters for tests, benchmarks and metrics.
struct LogStats {
  uint64_t appends = 0;       // append() calls that were queued
  uint64_t batches = 0;       // batches written
  // pwritev calls issued (continuations of short writes included), or direct writes of a group
  uint64_t writes = 0;
  uint64_t short_writes = 0;  // pwritev calls that moved fewer bytes than asked
  uint64_t syncs = 0;         // fdatasync calls (linked or not)
  uint64_t bytes_written = 0;
  uint64_t rolls = 0;
  uint64_t failed_writes = 0;  // write groups failed and undone
};

struct LogState {
  FileSystem* fs = nullptr;
  std::string dir;
  LogOptions options;
  // By base offset; back() is the active segment. Never empty once open.
  std::deque<std::shared_ptr<Segment>> segments;
  Offset log_start_offset{0};
  Offset appended{0};
  Offset written{0};
  Offset durable{0};
  LogStats stats;
  // Set when a failed write could not be undone; the log then refuses appends.
  bool failed = false;
  LogError failure{};

  Segment& active() {
    RL_ASSERT(!segments.empty());
    return *segments.back();
  }
  void check_offsets() const {
    RL_ASSERT(durable <= written, "durable <= written");
    RL_ASSERT(written <= appended, "written <= appended");
  }
  TimestampMs now_ms() const { return options.clock(); }
};

}  // namespace ringlog::storage
