// Sealed segments of a log that does not flush are synced in the background, after
// LogOptions::sealed_sync_delay_ms (engine/storage/sealed_syncs.h): what a roll writes and
// syncs, what recovery trusts after a crash before that sync, and what flush(), close(),
// retention and a failed sync do meanwhile.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/reactor/timer.h"
#include "engine/storage/segment_format.h"
#include "tests/unit/engine/storage/log_test_util.h"

namespace ringlog::storage::testing {
namespace {

namespace sf = segment_format;

constexpr uint32_t kNever = 3'600'000;  // an hour: no background sync within a test

// Small segments, so that a few appends roll several times.
LogOptions small_segments(uint32_t sealed_sync_delay_ms) {
  LogOptions options = no_time_roll({.segment_bytes = 4 * 1024, .retention_ms = -1});
  options.sealed_sync_delay_ms = sealed_sync_delay_ms;
  return options;
}

bool has_index_files(const std::string& dir, Offset base) {
  const Segment::Paths paths = Segment::paths(dir, base);
  return std::filesystem::exists(paths.offset_index) && std::filesystem::exists(paths.time_index);
}

bool has_any_index_file(const std::string& dir, Offset base) {
  const Segment::Paths paths = Segment::paths(dir, base);
  return std::filesystem::exists(paths.offset_index) || std::filesystem::exists(paths.time_index);
}

// Appends `count` batches of about 1 KiB (4 per segment) and keeps them in `appended`.
Task<bool> append_batches(Log* log, int count, std::vector<std::vector<std::byte>>* appended) {
  for (int i = 0; i < count; ++i) {
    auto batch = make_batch(2, TimestampMs(static_cast<int64_t>(appended->size())), 450);
    auto r = co_await log->append(batch);
    if (!r) {
      ADD_FAILURE() << "append failed: " << to_string(r.error());
      co_return false;
    }
    appended->push_back(std::move(batch));
  }
  co_return true;
}

// The sealed segments' base offsets (all but the active one).
std::vector<Offset> sealed_bases(const Log& log) {
  std::vector<Offset> bases = log.segment_base_offsets();
  bases.pop_back();
  return bases;
}

// Waits (bounded) until every segment in `bases` has its index files.
Task<bool> wait_for_index_files(const std::string& dir, const std::vector<Offset>& bases) {
  for (int i = 0; i < 500; ++i) {
    bool all = true;
    for (Offset base : bases) all = all && has_index_files(dir, base);
    if (all) co_return true;
    co_await reactor::sleep(std::chrono::milliseconds(10));
  }
  co_return false;
}

class LogSealedSyncTest : public LogTestBase {};

TEST_F(LogSealedSyncTest, ARollSyncsNothingAndTheSealedSegmentsAreSyncedAfterTheDelay) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem fs;
    auto log = co_await open_log(&fs, t->dir_, small_segments(/*sealed_sync_delay_ms=*/100));
    CO_ASSERT(log);
    const uint64_t syncs_at_open = fs.syncs;
    std::vector<std::vector<std::byte>> appended;
    CO_ASSERT(co_await append_batches(log.get(), 14, &appended));
    const std::vector<Offset> sealed = sealed_bases(*log);
    CO_ASSERT(sealed.size() >= 3);
    // The rolls synced nothing and wrote no index files; nothing is durable.
    EXPECT_EQ(fs.syncs, syncs_at_open);
    for (Offset base : sealed) EXPECT_FALSE(has_any_index_file(t->dir_, base)) << base.value();
    EXPECT_EQ(log->durable_offset(), Offset(0));

    CO_ASSERT(co_await wait_for_index_files(t->dir_, sealed));
    // Each sealed segment: its data, then its two index files.
    EXPECT_EQ(fs.syncs, syncs_at_open + 3 * sealed.size());
    auto all = co_await read_all_batches(log.get(), &fs);
    CO_ASSERT(all);
    EXPECT_EQ(*all, appended);
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogSealedSyncTest, FlushAndCloseSyncTheQueuedSealedSegments) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    const LogOptions options = small_segments(kNever);
    auto log = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(log);
    std::vector<std::vector<std::byte>> appended;
    CO_ASSERT(co_await append_batches(log.get(), 10, &appended));
    const std::vector<Offset> flushed = sealed_bases(*log);
    CO_ASSERT(flushed.size() >= 2);
    CO_ASSERT_OK(co_await log->flush());
    EXPECT_EQ(log->durable_offset(), log->log_end_offset());
    for (Offset base : flushed) EXPECT_TRUE(has_index_files(t->dir_, base)) << base.value();

    CO_ASSERT(co_await append_batches(log.get(), 10, &appended));
    const std::vector<Offset> sealed = sealed_bases(*log);
    CO_ASSERT(sealed.size() > flushed.size());
    EXPECT_FALSE(has_any_index_file(t->dir_, sealed.back()));
    CO_ASSERT_OK(co_await log->close());
    for (Offset base : sealed) EXPECT_TRUE(has_index_files(t->dir_, base)) << base.value();

    // Every segment was synced with its indexes: the reopen scans nothing.
    auto reopened = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(reopened);
    EXPECT_TRUE(reopened->recovery_report().clean_shutdown);
    EXPECT_EQ(reopened->recovery_report().segments_scanned, 0u);
    EXPECT_EQ(reopened->recovery_report().indexes_rebuilt, 0u);
    auto all = co_await read_all_batches(reopened.get(), fs);
    CO_ASSERT(all);
    EXPECT_EQ(*all, appended);
    CO_ASSERT_OK(co_await reopened->close());
  });
}

// A crash before the background sync: the sealed segments have no index files, so recovery
// scans them with their CRCs (and syncs them before it writes their indexes); nothing is lost.
// The first segment had index files from a clean close before it rolled: the roll removed them.
TEST_F(LogSealedSyncTest, ACrashBeforeTheSealedSyncScansTheSealedSegmentsAndLosesNothing) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem fs;
    const LogOptions options = small_segments(kNever);
    const std::string live = t->dir_ + "/live";
    const std::string crashed = t->dir_ + "/crashed";
    std::vector<std::vector<std::byte>> appended;
    {
      auto log = co_await open_log(&fs, live, options);
      CO_ASSERT(log);
      CO_ASSERT(co_await append_batches(log.get(), 2, &appended));
      CO_ASSERT_OK(co_await log->close());
    }
    CO_ASSERT(has_index_files(live, Offset(0)));  // the clean close wrote them
    auto log = co_await open_log(&fs, live, options);
    CO_ASSERT(log);
    CO_ASSERT(co_await append_batches(log.get(), 12, &appended));
    const std::vector<Offset> sealed = sealed_bases(*log);
    CO_ASSERT(sealed.size() >= 3);
    CO_ASSERT(sealed.front() == Offset(0));
    for (Offset base : sealed) EXPECT_FALSE(has_any_index_file(live, base)) << base.value();
    std::filesystem::copy(live, crashed);
    CO_ASSERT_OK(co_await log->close());

    const uint64_t syncs_before = fs.syncs;
    auto recovered = co_await open_log(&fs, crashed, options);
    CO_ASSERT(recovered);
    const RecoveryReport& report = recovered->recovery_report();
    EXPECT_FALSE(report.clean_shutdown);
    EXPECT_TRUE(report.corruptions.empty());
    EXPECT_EQ(report.segments_scanned, sealed.size() + 1);
    EXPECT_EQ(report.indexes_rebuilt, sealed.size() + 1);
    // Each sealed segment's data and two index files, then the active segment's data.
    EXPECT_EQ(fs.syncs - syncs_before, 3 * sealed.size() + 1);
    for (Offset base : sealed) EXPECT_TRUE(has_index_files(crashed, base)) << base.value();
    auto all = co_await read_all_batches(recovered.get(), &fs);
    CO_ASSERT(all);
    EXPECT_EQ(*all, appended);
    CO_ASSERT_OK(co_await recovered->close());
  });
}

// A crash that lost part of an unsynced sealed segment: recovery stops at the damage, reports
// it, and drops every later segment (none of it could have been durable).
TEST_F(LogSealedSyncTest, ADamagedUnsyncedSealedSegmentEndsTheLogWhereTheDamageStarts) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    const LogOptions options = small_segments(kNever);
    const std::string live = t->dir_ + "/live";
    const std::string crashed = t->dir_ + "/crashed";
    auto log = co_await open_log(fs, live, options);
    CO_ASSERT(log);
    std::vector<std::vector<std::byte>> appended;
    CO_ASSERT(co_await append_batches(log.get(), 16, &appended));
    const std::vector<Offset> sealed = sealed_bases(*log);
    CO_ASSERT(sealed.size() >= 3);
    std::filesystem::copy(live, crashed);
    CO_ASSERT_OK(co_await log->close());

    // The second segment's second batch reads back as zeros, as if its pages never reached
    // the disk.
    const std::string damaged = Segment::paths(crashed, sealed[1]).log;
    std::vector<std::byte> bytes = file_bytes(damaged);
    const auto first_batch = static_cast<size_t>(sealed[1].value() / 2);  // 2 records a batch
    const size_t first_batch_bytes = appended[first_batch].size();
    CO_ASSERT(bytes.size() > 2 * first_batch_bytes);
    std::fill(bytes.begin() + static_cast<ptrdiff_t>(first_batch_bytes),
              bytes.begin() + static_cast<ptrdiff_t>(2 * first_batch_bytes), std::byte{0});
    write_file(damaged, bytes);

    auto recovered = co_await open_log(fs, crashed, options);
    CO_ASSERT(recovered);
    const RecoveryReport& report = recovered->recovery_report();
    CO_ASSERT(report.corruptions.size() == 1);
    EXPECT_EQ(report.corruptions[0].file, damaged);
    EXPECT_EQ(report.corruptions[0].position, first_batch_bytes);
    const std::vector<Offset> kept = recovered->segment_base_offsets();
    CO_ASSERT(kept.size() == 2);
    EXPECT_EQ(kept[1], sealed[1]);
    for (size_t i = 2; i < sealed.size(); ++i) {
      EXPECT_FALSE(std::filesystem::exists(Segment::paths(crashed, sealed[i]).log));
    }
    auto all = co_await read_all_batches(recovered.get(), fs);
    CO_ASSERT(all);
    const auto kept_batches = static_cast<ptrdiff_t>(first_batch + 1);
    EXPECT_EQ(*all, std::vector<std::vector<std::byte>>(appended.begin(),
                                                        appended.begin() + kept_batches));
    CO_ASSERT_OK(co_await recovered->close());
  });
}

TEST_F(LogSealedSyncTest, AFailedSealedSyncFailsTheFlushAndIsTriedAgain) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem fs;
    auto log = co_await open_log(&fs, t->dir_, small_segments(kNever));
    CO_ASSERT(log);
    std::vector<std::vector<std::byte>> appended;
    CO_ASSERT(co_await append_batches(log.get(), 6, &appended));
    const std::vector<Offset> sealed = sealed_bases(*log);
    CO_ASSERT(!sealed.empty());
    fs.fail_next_sync = EIO;
    auto failed = co_await log->flush();
    CO_ASSERT(!failed);
    EXPECT_EQ(failed.error().io.code, EIO);
    EXPECT_EQ(log->durable_offset(), Offset(0));
    EXPECT_FALSE(has_any_index_file(t->dir_, sealed.front()));
    // Appends go on meanwhile.
    CO_ASSERT(co_await append_batches(log.get(), 2, &appended));
    CO_ASSERT_OK(co_await log->flush());
    EXPECT_EQ(log->durable_offset(), log->log_end_offset());
    for (Offset base : sealed_bases(*log)) EXPECT_TRUE(has_index_files(t->dir_, base));
    CO_ASSERT_OK(co_await log->close());
  });
}

// Retention may delete a segment while it waits for its sync: the sync then writes no index
// files for it.
TEST_F(LogSealedSyncTest, ASegmentDeletedBeforeItsSyncGetsNoIndexFiles) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    LogOptions options = small_segments(/*sealed_sync_delay_ms=*/50);
    options.retention_bytes = 6 * 1024;
    auto log = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(log);
    std::vector<std::vector<std::byte>> appended;
    CO_ASSERT(co_await append_batches(log.get(), 20, &appended));
    const std::vector<Offset> before = sealed_bases(*log);
    auto retention = log->enforce_retention();
    CO_ASSERT(retention);
    CO_ASSERT(retention->segments_deleted >= 2);
    const std::vector<Offset> kept = sealed_bases(*log);
    CO_ASSERT(co_await wait_for_index_files(t->dir_, kept));
    for (Offset base : before) {
      if (base >= kept.front()) continue;
      EXPECT_FALSE(has_any_index_file(t->dir_, base)) << base.value();
      EXPECT_FALSE(std::filesystem::exists(Segment::paths(t->dir_, base).log));
    }
    CO_ASSERT_OK(co_await log->close());
  });
}

// Retention may also delete the segment while it is being synced: during the sync of its data
// (the first fdatasync of SealedSyncs) or between its two index files (the second).
class LogSealedSyncRemovalTest : public LogTestBase, public ::testing::WithParamInterface<int> {};

TEST_P(LogSealedSyncRemovalTest, ASegmentDeletedDuringItsSyncGetsNoIndexFiles) {
  run([](LogTestBase* t) -> Task<void> {
    const int delete_at_sync = GetParam();
    FaultyFileSystem fs;
    LogOptions options = small_segments(kNever);
    options.retention_bytes = 6 * 1024;
    auto log = co_await open_log(&fs, t->dir_, options);
    CO_ASSERT(log);
    std::vector<std::vector<std::byte>> appended;
    CO_ASSERT(co_await append_batches(log.get(), 20, &appended));
    const std::vector<Offset> before = sealed_bases(*log);
    CO_ASSERT(before.size() >= 4);
    uint32_t deleted = 0;
    int syncs_seen = 0;
    Log* raw = log.get();
    std::function<void()> hook = [&] {
      if (++syncs_seen < delete_at_sync) {
        fs.on_next_sync = hook;
        return;
      }
      auto retention = raw->enforce_retention();
      if (retention) deleted = retention->segments_deleted;
    };
    fs.on_next_sync = hook;
    CO_ASSERT_OK(co_await log->flush());
    CO_ASSERT(deleted >= 2);
    const std::vector<Offset> kept = sealed_bases(*log);
    for (Offset base : before) {
      if (base >= kept.front()) {
        EXPECT_TRUE(has_index_files(t->dir_, base)) << base.value();
      } else {
        EXPECT_FALSE(has_any_index_file(t->dir_, base)) << base.value();
      }
    }
    EXPECT_EQ(log->durable_offset(), log->log_end_offset());
    CO_ASSERT_OK(co_await log->close());
  });
}

INSTANTIATE_TEST_SUITE_P(DataOrIndex, LogSealedSyncRemovalTest, ::testing::Values(1, 2));

// A topic switched from no flush to a flush on every append while sealed segments wait for
// their sync: its next append is durable only with them synced, and its rolls sync again.
TEST_F(LogSealedSyncTest, SwitchingToFlushEveryAppendSyncsTheQueuedSegmentsFirst) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    LogOptions options = small_segments(kNever);
    auto log = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(log);
    std::vector<std::vector<std::byte>> appended;
    CO_ASSERT(co_await append_batches(log.get(), 10, &appended));
    const std::vector<Offset> queued = sealed_bases(*log);
    CO_ASSERT(!queued.empty());
    EXPECT_FALSE(has_any_index_file(t->dir_, queued.front()));
    options.flush = FlushPolicy::every_append();
    log->update_options(options);
    auto batch = make_batch(1, TimestampMs(100), 100);
    auto r = co_await log->append(batch);
    CO_ASSERT(r);
    EXPECT_EQ(r->durability, Durability::kDurable);
    EXPECT_EQ(log->durable_offset(), log->log_end_offset());
    for (Offset base : queued) EXPECT_TRUE(has_index_files(t->dir_, base)) << base.value();
    appended.push_back(batch);
    CO_ASSERT(co_await append_batches(log.get(), 8, &appended));
    for (Offset base : sealed_bases(*log)) EXPECT_TRUE(has_index_files(t->dir_, base));
    EXPECT_EQ(log->durable_offset(), log->log_end_offset());
    CO_ASSERT_OK(co_await log->close());
  });
}

}  // namespace
}  // namespace ringlog::storage::testing
