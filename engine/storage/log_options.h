#pragma once
// Per-log settings, named after Kafka's topic configs where one exists.

#include <chrono>
#include <cstdint>
#include <functional>

#include "engine/base/types.h"
#include "engine/storage/segment_format.h"

namespace ringlog::storage {

// When the log calls fdatasync (flush.ms / flush.messages in Kafka).
enum class FlushMode : uint8_t {
  kNone,         // never on its own: the OS writes back; sealed segments are synced later
  kInterval,     // at most `interval_ms` after data was written
  kMessages,     // once `messages` records were written since the last sync
  kEveryAppend,  // every write is linked to an fdatasync; appends complete durable
};

struct FlushPolicy {
  FlushMode mode = FlushMode::kNone;
  uint32_t interval_ms = 0;  // kInterval
  uint64_t messages = 0;     // kMessages

  static FlushPolicy none() { return {}; }
  static FlushPolicy every_append() { return {.mode = FlushMode::kEveryAppend}; }
  static FlushPolicy interval(uint32_t ms) {
    return {.mode = FlushMode::kInterval, .interval_ms = ms};
  }
  static FlushPolicy every_messages(uint64_t n) {
    return {.mode = FlushMode::kMessages, .messages = n};
  }
};

// The log's notion of "now" in wall-clock milliseconds (segment.ms, retention.ms). Tests
// replace it.
using WallClock = std::function<TimestampMs()>;
TimestampMs system_time_ms();

struct LogOptions {
  // segment.bytes: a segment rolls before a write would take it past this size.
  uint64_t segment_bytes = 1ull << 30;
  // segment.ms: a non-empty segment rolls once its rolling timestamp is this old.
  int64_t segment_ms = 7ll * 24 * 3600 * 1000;
  // retention.ms / retention.bytes; -1 = unlimited.
  int64_t retention_ms = 7ll * 24 * 3600 * 1000;
  int64_t retention_bytes = -1;
  // max.message.bytes: largest batch accepted (Kafka's default).
  uint32_t batch_bytes_max = 1'048'588;
  // index.interval.bytes.
  uint32_t index_interval_bytes = segment_format::kIndexIntervalBytesDefault;
  FlushPolicy flush;
  // With FlushMode::kNone: a sealed segment is synced this long after its roll, in the
  // background (sealed_syncs.h). By then the kernel has usually written it back (its dirty
  // pages expire after 30 s), so the sync costs little; until then a crash makes recovery scan
  // it. The other flush modes sync a segment as it rolls.
  uint32_t sealed_sync_delay_ms = 30'000;
  // Writes groups of appends of direct_write_bytes_min or more with O_DIRECT through staging
  // buffers (direct_writer.h) where the flush policy is none or by time; logs that sync by
  // message count, and file systems without direct I/O, write buffered. Off by default (the
  // broker's log.direct.writes): the bytes received are then the bytes written, with no copy in
  // user space, and recent data stays in the page cache for consumers (perf/broker.md, session
  // 5: direct writes made produce steady on this VM but capped it at the disk's rate).
  bool direct_writes = false;
  // With direct_writes: smaller groups of appends are written buffered, because a direct write
  // completes only when the device has the bytes (produce latency at one record at a time: p50
  // 0.16 ms direct, 0.07 ms buffered). Once writing direct, a log stays direct down to a
  // quarter of this.
  uint32_t direct_write_bytes_min = 64 * 1024;
  // Appends queued and not yet written, and their bytes: beyond either, append() refuses with
  // kTooManyPendingAppends.
  uint32_t pending_appends_max = 4096;
  uint64_t pending_bytes_max = 64ull << 20;
  WallClock clock = system_time_ms;
};

}  // namespace ringlog::storage
