#include "engine/storage/sealed_syncs.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "engine/base/assert.h"

namespace ringlog::storage {

namespace {

// A background sync that failed is tried again this much later at the soonest.
constexpr auto kRetryDelay = std::chrono::seconds(1);

reactor::Clock::time_point due_from_now(uint32_t delay_ms) {
  return reactor::Clock::now() + std::chrono::milliseconds(delay_ms);
}

}  // namespace

void SealedSyncs::add(std::shared_ptr<Segment> segment) {
  RL_ASSERT(segment != nullptr);
  RL_ASSERT(queue_.empty() || queue_.back().segment->base_offset() < segment->base_offset());
  queue_.push_back({std::move(segment), due_from_now(state_->options.sealed_sync_delay_ms)});
  loop_.wake();
}

Task<Result<void, LogError>> SealedSyncs::sync_oldest() {
  RL_ASSERT(!queue_.empty());
  const std::shared_ptr<Segment> segment = queue_.front().segment;
  // Retention or DeleteRecords may remove the segment before or during its sync: then there is
  // nothing to keep, and no index file may outlive its log.
  if (!segment->removed()) {
    ++state_->stats.syncs;
    auto synced = co_await segment->sync_log();
    if (!synced) co_return LogError::from_errno(synced.error());
  }
  if (!segment->removed()) {
    auto indexes = co_await segment->write_indexes(/*sync=*/true);
    if (!indexes) co_return LogError::from_errno(indexes.error());
    if (segment->removed()) {
      auto removed = segment->remove_index_files();
      if (!removed) co_return LogError::from_errno(removed.error());
    }
    // The index files' names must survive a crash for recovery to skip the scan.
    auto dir_synced = state_->fs->sync_dir(state_->dir);
    if (!dir_synced) co_return LogError::from_errno(dir_synced.error());
  }
  RL_ASSERT(queue_.front().segment == segment, "only the one holding the lock dequeues");
  queue_.pop_front();
  co_return Result<void, LogError>{};
}

Task<Result<void, LogError>> SealedSyncs::sync_all() {
  auto lock = co_await syncing_.lock();
  while (!queue_.empty()) {
    auto synced = co_await sync_oldest();
    if (!synced) co_return synced.error();
  }
  co_return Result<void, LogError>{};
}

Task<void> SealedSyncs::run() {
  while (!loop_.stopping()) {
    if (queue_.empty()) {
      co_await loop_.park();
      continue;
    }
    const reactor::Clock::time_point due = queue_.front().due;
    if (reactor::Clock::now() < due) {
      co_await loop_.sleep_until(due);
      continue;
    }
    auto lock = co_await syncing_.lock();
    // A sync_all() may have emptied the queue while this waited for the lock.
    if (loop_.stopping() || queue_.empty() || reactor::Clock::now() < queue_.front().due) continue;
    auto synced = co_await sync_oldest();
    if (!synced) {
      Queued& oldest = queue_.front();
      fmt::print(stderr, "ringlog: storage: {}: syncing sealed segment {} failed ({}); retrying\n",
                 state_->dir, oldest.segment->base_offset().value(), to_string(synced.error()));
      oldest.due = std::max(due_from_now(state_->options.sealed_sync_delay_ms),
                            reactor::Clock::now() + kRetryDelay);
    }
  }
  loop_.mark_stopped();
}

void SealedSyncs::stop() { loop_.stop(); }

Task<void> SealedSyncs::wait_stopped() { co_await loop_.wait_stopped(); }

}  // namespace ringlog::storage
