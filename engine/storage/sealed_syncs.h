#pragma once
// SealedSyncs: syncs a log's sealed segments in the background, for logs that never sync on
// their own (FlushMode::kNone).
//
// Why: such a log promises nothing durable until flush() or close(), and the kernel writes its
// pages back by itself (vm.dirty_expire_centisecs, 30 s by default). Its roll used to fdatasync
// the 1 GiB segment it sealed inside the appender, so every append waited behind a whole
// segment's writeback, done on the broker's own cores (perf/broker.md, session 5: 0.30 CPU s/GB
// and 317 MB/s with that sync, 0.23 s/GB and 345 MB/s without it). Now the roll hands the sealed
// segment here, and it is synced LogOptions::sealed_sync_delay_ms later, when the kernel has
// usually written it back already and the sync is cheap.
//
// What recovery may trust: a sealed segment's index files are written (and synced) only after
// its data was synced, and the roll removed any older index files first. So a sealed segment
// with index files is synced; one without is scanned batch by batch with its CRCs, like the
// active segment, and truncated at the first bad batch (the segments after it go).
//
// Durability: a queued segment is synced before LogState::durable moves past it. sync_all()
// syncs every queued segment now; the appender calls it before it calls anything durable, and
// close() before it writes the clean-shutdown marker.

#include <deque>
#include <memory>
#include <optional>

#include "engine/reactor/mutex.h"
#include "engine/reactor/reactor.h"
#include "engine/reactor/task.h"
#include "engine/storage/background_loop.h"
#include "engine/storage/log_error.h"
#include "engine/storage/log_state.h"

namespace ringlog::storage {

class SealedSyncs {
 public:
  explicit SealedSyncs(LogState* state) : state_(state) {}
  SealedSyncs(const SealedSyncs&) = delete;
  SealedSyncs& operator=(const SealedSyncs&) = delete;

  // Queues a segment sealed without a sync (its old index files already removed); it is synced
  // sealed_sync_delay_ms from now, or by the next sync_all().
  void add(std::shared_ptr<Segment> segment);
  // Whether every sealed segment is synced (nothing queued or being synced).
  bool all_synced() const { return queue_.empty(); }
  size_t queued() const { return queue_.size(); }

  // Syncs every queued segment now, oldest first; fails with the first failure (that segment
  // stays queued and is tried again later).
  Task<Result<void, LogError>> sync_all();

  // The background loop; spawned by Log::open, ends after stop(). It leaves what is still
  // queued to the caller's sync_all() (close), or to recovery.
  Task<void> run();
  void stop();
  Task<void> wait_stopped();

 private:
  struct Queued {
    std::shared_ptr<Segment> segment;
    reactor::Clock::time_point due;
  };
  // Syncs the oldest queued segment and writes its index files; dequeues it on success.
  Task<Result<void, LogError>> sync_oldest();

  LogState* state_;
  std::deque<Queued> queue_;
  reactor::Mutex syncing_;  // one sync at a time, in queue order
  BackgroundLoop loop_;
};

}  // namespace ringlog::storage
