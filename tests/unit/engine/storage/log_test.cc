// The partition log appends, reads, rolls, looks up by time, applies retention and flush policy,
// and keeps concurrent appends in order while coalescing them into few writes.

#include "engine/storage/log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/reactor/timer.h"
#include "tests/unit/engine/storage/log_test_util.h"

namespace ringlog::storage::testing {
namespace {

using LogTest = LogTestBase;

TEST_F(LogTest, AppendedBatchesReadBackIdenticalAcrossSegmentRolls) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto opened = co_await Log::open(fs, t->dir_, {.segment_bytes = 16 * 1024});
    CO_ASSERT(opened);
    auto log = std::move(*opened);
    std::vector<std::vector<std::byte>> appended;
    Offset expected(0);
    for (int i = 0; i < 300; ++i) {
      auto batch = make_batch(1 + i % 7, TimestampMs(1'000 + i), 16 + (i * 37) % 400,
                              "b" + std::to_string(i));
      auto r = co_await log->append(batch, {.leader_epoch = LeaderEpoch(3)});
      CO_ASSERT(r);
      EXPECT_EQ(r->base_offset, expected);
      EXPECT_EQ(r->last_offset, expected + (i % 7));
      expected = r->last_offset + 1;
      appended.push_back(batch);  // patched in place: base offset and epoch
    }
    EXPECT_EQ(log->log_end_offset(), expected);
    EXPECT_GT(log->segment_count(), 5u);
    auto all = co_await read_all_batches(log.get(), fs);
    CO_ASSERT(all);
    EXPECT_EQ(*all, appended);
    const RecordBatchView first(all->front());
    EXPECT_EQ(first.partition_leader_epoch(), LeaderEpoch(3));
    EXPECT_TRUE(first.validate(BatchSource::kLog));
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogTest, ReopenAfterCleanCloseSkipsTheScanAndContinuesOffsets) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    std::vector<std::vector<std::byte>> appended;
    {
      auto log = co_await open_log(fs, t->dir_, {.segment_bytes = 8 * 1024});
      CO_ASSERT(log);
      for (int i = 0; i < 100; ++i) {
        auto batch = make_batch(3, TimestampMs(i), 100);
        CO_ASSERT_OK(co_await log->append(batch));
        appended.push_back(batch);
      }
      CO_ASSERT_OK(co_await log->close());
    }
    auto log = co_await open_log(fs, t->dir_, {.segment_bytes = 8 * 1024});
    CO_ASSERT(log);
    EXPECT_TRUE(log->recovery_report().clean_shutdown);
    EXPECT_EQ(log->recovery_report().segments_scanned, 0u);
    EXPECT_EQ(log->log_end_offset(), Offset(300));
    EXPECT_EQ(log->durable_offset(), Offset(300));
    auto all = co_await read_all_batches(log.get(), fs);
    CO_ASSERT(all);
    EXPECT_EQ(*all, appended);
    auto batch = make_batch(2, TimestampMs(500));
    auto r = co_await log->append(batch);
    CO_ASSERT(r);
    EXPECT_EQ(r->base_offset, Offset(300));
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogTest, ReadStopsAtMaxOffsetAndReturnsAFirstBatchBiggerThanMaxBytesWhole) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto log = co_await open_log(fs, t->dir_, {});
    CO_ASSERT(log);
    for (int i = 0; i < 10; ++i) {
      auto batch = make_batch(10, TimestampMs(i), 100);
      CO_ASSERT_OK(co_await log->append(batch));
    }
    // max_offset 35: batches [0,10) [10,20) [20,30) entirely below; [30,40) holds 35: excluded.
    auto r =
        co_await log->read({.start = Offset(12), .max_bytes = 1 << 20, .max_offset = Offset(35)});
    CO_ASSERT(r);
    auto bytes = co_await read_file_ranges(fs, r->ranges);
    CO_ASSERT(bytes);
    std::vector<Offset> bases;
    for (RecordBatchView b : split_batches(*bytes)) bases.push_back(b.base_offset());
    EXPECT_EQ(bases, (std::vector<Offset>{Offset(10), Offset(20)}));
    // One byte asked: the whole first batch comes back anyway.
    auto small = co_await log->read({.start = Offset(50), .max_bytes = 1});
    CO_ASSERT(small);
    auto one = co_await read_file_ranges(fs, small->ranges);
    CO_ASSERT(one);
    BatchSplitter split = split_batches(*one);
    int n = 0;
    for (RecordBatchView b : split) {
      EXPECT_EQ(b.base_offset(), Offset(50));
      ++n;
    }
    EXPECT_EQ(n, 1);
    EXPECT_EQ(split.stop(), SplitStop::kEnd);
    // At the end: empty. Past it: out of range.
    auto at_end = co_await log->read({.start = Offset(100)});
    CO_ASSERT(at_end);
    EXPECT_TRUE(at_end->ranges.empty());
    auto past = co_await log->read({.start = Offset(101)});
    CO_ASSERT(!past);
    EXPECT_EQ(past.error().code, LogErrc::kOffsetOutOfRange);
    CO_ASSERT_OK(co_await log->close());
  });
}

// A read finds its first batch without reading batch bodies: from memory when the offset index
// and the batch sizes recorded in this process answer, else from the batch headers (a fetch
// would otherwise read each 1 MiB batch twice: once to find it, once to send it).
TEST_F(LogTest, FindingABatchReadsNoBatchBodies) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem counting;  // no faults: counts the bytes read
    auto log = co_await open_log(&counting, t->dir_, {});
    CO_ASSERT(log);
    for (int i = 0; i < 8; ++i) {
      auto batch = make_batch(4, TimestampMs(i), 250'000);  // ~1 MB each
      CO_ASSERT_OK(co_await log->append(batch));
    }
    // Reads at `target` find the batch holding it, reading at most `bytes_max` to do so.
    auto check_reads = [&](uint64_t bytes_max) -> Task<void> {
      for (const int64_t target : {0, 13, 31}) {
        const uint64_t before = counting.bytes_read;
        auto r = co_await log->read({.start = Offset(target), .max_bytes = 1 << 20});
        CO_ASSERT(r);
        CO_ASSERT(!r->ranges.empty());
        EXPECT_LE(counting.bytes_read - before, bytes_max) << "offset " << target;
        auto bytes = co_await read_file_ranges(&counting, r->ranges);
        CO_ASSERT(bytes);
        BatchSplitter split = split_batches(*bytes);
        auto first = split.begin();
        CO_ASSERT(first != split.end());
        EXPECT_EQ((*first).base_offset(), Offset(target / 4 * 4));
      }
    };
    // Every batch is over the index interval, so indexed, and its size known: nothing is read.
    co_await check_reads(0);
    auto by_time = co_await log->offset_for_timestamp(TimestampMs(5));
    CO_ASSERT(by_time);
    EXPECT_EQ(*by_time, std::optional<Offset>(Offset(8)));  // batch 2: timestamps 2-5
    CO_ASSERT_OK(co_await log->close());
    // Reopened, the sizes are not known: headers are read, bodies are not.
    log = co_await open_log(&counting, t->dir_, {});
    CO_ASSERT(log);
    co_await check_reads(64 * 1024);
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogTest, InvalidBatchesAreRefusedAndNothingIsWritten) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto log = co_await open_log(fs, t->dir_, {.batch_bytes_max = 2000});
    CO_ASSERT(log);
    auto corrupt = make_batch(3, TimestampMs(1));
    corrupt[corrupt.size() - 1] ^= std::byte{1};
    auto r = co_await log->append(corrupt);
    CO_ASSERT(!r);
    EXPECT_EQ(r.error().code, LogErrc::kInvalidBatch);
    EXPECT_EQ(r.error().batch, BatchError::kCrcMismatch);

    auto two = make_batch(1, TimestampMs(1));
    auto good = make_batch(1, TimestampMs(2));
    two.insert(two.end(), good.begin(), good.end());
    two.push_back(std::byte{0});  // trailing garbage after two good batches
    r = co_await log->append(two);
    CO_ASSERT(!r);
    EXPECT_EQ(r.error().code, LogErrc::kInvalidBatch);
    EXPECT_EQ(r.error().batch_index, 2u);

    auto big = make_batch(30, TimestampMs(1), 100);
    r = co_await log->append(big);
    CO_ASSERT(!r);
    EXPECT_EQ(r.error().code, LogErrc::kBatchTooLarge);

    r = co_await log->append(std::span<std::byte>());
    CO_ASSERT(!r);
    EXPECT_EQ(r.error().code, LogErrc::kInvalidBatch);
    EXPECT_EQ(log->log_end_offset(), Offset(0));
    EXPECT_EQ(log->size_bytes(), 0u);
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogTest, SeveralBatchesInOneBufferGetConsecutiveOffsets) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto log = co_await open_log(fs, t->dir_, {});
    CO_ASSERT(log);
    std::vector<std::byte> buffer;
    for (int i = 0; i < 4; ++i) {
      auto b = make_batch(i + 1, TimestampMs(i));
      buffer.insert(buffer.end(), b.begin(), b.end());
    }
    auto r = co_await log->append(buffer);
    CO_ASSERT(r);
    EXPECT_EQ(r->base_offset, Offset(0));
    EXPECT_EQ(r->last_offset, Offset(9));
    std::vector<Offset> bases;
    for (RecordBatchView b : split_batches(buffer)) bases.push_back(b.base_offset());
    EXPECT_EQ(bases, (std::vector<Offset>{Offset(0), Offset(1), Offset(3), Offset(6)}));
    CO_ASSERT_OK(co_await log->close());
  });
}

// One coroutine appending `count` batches tagged with its id, one at a time.
Task<void> append_tagged(Log* log, int id, int count, std::vector<std::pair<int, Offset>>* order,
                         int* finished) {
  for (int i = 0; i < count; ++i) {
    auto batch = make_batch(2, TimestampMs(i), 24, std::to_string(id) + ":" + std::to_string(i));
    auto r = co_await log->append(batch);
    EXPECT_TRUE(r);
    if (r) order->emplace_back(id, r->base_offset);
  }
  ++*finished;
}

TEST_F(LogTest, ConcurrentAppendsKeepTheirOrderAndShareWrites) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto log = co_await open_log(fs, t->dir_, {});
    CO_ASSERT(log);
    constexpr int kProducers = 16;
    constexpr int kEach = 50;
    std::vector<std::pair<int, Offset>> order;
    int finished = 0;
    for (int id = 0; id < kProducers; ++id) {
      reactor::Reactor::current().spawn(append_tagged(log.get(), id, kEach, &order, &finished));
    }
    while (finished < kProducers) co_await reactor::sleep(std::chrono::milliseconds(1));
    EXPECT_EQ(log->log_end_offset(), Offset(2 * kProducers * kEach));
    // Same-turn appends were coalesced: far fewer writes than appends.
    EXPECT_EQ(log->stats().appends, static_cast<uint64_t>(kProducers * kEach));
    EXPECT_LE(log->stats().writes * 4, log->stats().appends);
    // Each producer's batches are in the log in the order it appended them, at the offsets
    // append() returned.
    auto all = co_await read_all_batches(log.get(), fs);
    CO_ASSERT(all);
    CO_ASSERT(all->size() == static_cast<size_t>(kProducers * kEach));
    std::vector<int> next(kProducers, 0);
    std::map<Offset, int> owner;
    for (auto [id, offset] : order) owner[offset] = id;
    for (const auto& bytes : *all) {
      const RecordBatchView view(bytes);
      RecordReader reader(view);
      RecordView record;
      CO_ASSERT(reader.next(record).value());
      const std::string value(reinterpret_cast<const char*>(record.value->data()),
                              record.value->size());
      const int id = std::stoi(value.substr(0, value.find(':')));
      const int seq = std::stoi(value.substr(value.find(':') + 1));
      EXPECT_EQ(seq, next[id]++);
      EXPECT_EQ(owner[view.base_offset()], id);
    }
    CO_ASSERT_OK(co_await log->close());
  });
}

// Appends one batch; stores the error code (or -1 on success).
Task<void> append_one(Log* log, std::vector<std::byte>* batch, int* result, int* finished) {
  auto r = co_await log->append(*batch);
  *result = r ? -1 : static_cast<int>(r.error().code);
  ++*finished;
}

TEST_F(LogTest, AppendsBeyondThePendingLimitAreRefused) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto log = co_await open_log(fs, t->dir_, {.pending_appends_max = 2});
    CO_ASSERT(log);
    constexpr int kAppends = 6;
    std::vector<std::vector<std::byte>> batches;
    for (int i = 0; i < kAppends; ++i) batches.push_back(make_batch(1, TimestampMs(i)));
    std::vector<int> results(kAppends, 0);
    int finished = 0;
    for (int i = 0; i < kAppends; ++i) {
      reactor::Reactor::current().spawn(append_one(log.get(), &batches[i], &results[i], &finished));
    }
    while (finished < kAppends) co_await reactor::sleep(std::chrono::milliseconds(1));
    int refused = 0;
    for (int r : results) {
      if (r == static_cast<int>(LogErrc::kTooManyPendingAppends))
        ++refused;
      else
        EXPECT_EQ(r, -1);
    }
    EXPECT_EQ(refused, kAppends - 2);
    EXPECT_EQ(log->log_end_offset(), Offset(2));
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogTest, SegmentRollsWhenOlderThanSegmentMs) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto now = std::make_shared<int64_t>(1'000'000);
    LogOptions options{.segment_ms = 1000, .clock = [now] { return TimestampMs(*now); }};
    auto log = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(log);
    auto b1 = make_batch(1, TimestampMs(*now));
    CO_ASSERT_OK(co_await log->append(b1));
    *now += 999;
    auto b2 = make_batch(1, TimestampMs(*now));
    CO_ASSERT_OK(co_await log->append(b2));
    EXPECT_EQ(log->segment_count(), 1u);
    *now += 1;
    auto b3 = make_batch(1, TimestampMs(*now));
    CO_ASSERT_OK(co_await log->append(b3));
    EXPECT_EQ(log->segment_base_offsets(), (std::vector<Offset>{Offset(0), Offset(2)}));
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogTest, TimestampLookupFindsTheFirstBatchWithMaxTimestampAtOrAbove) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto log =
        co_await open_log(fs, t->dir_, {.segment_bytes = 20 * 1024, .index_interval_bytes = 512});
    CO_ASSERT(log);
    // Mostly rising timestamps with some going back, as producers' clocks do.
    std::vector<std::pair<Offset, TimestampMs>> batches;  // base offset, max timestamp
    for (int i = 0; i < 400; ++i) {
      const int64_t ts = 10'000 + i * 10 - (i % 5 == 3 ? 35 : 0);
      auto batch = make_batch(2, TimestampMs(ts), 40);
      auto r = co_await log->append(batch);
      CO_ASSERT(r);
      batches.emplace_back(r->base_offset, RecordBatchView(batch).max_timestamp());
    }
    EXPECT_GT(log->segment_count(), 2u);
    for (int64_t ts = 9'990; ts <= 14'010; ts += 7) {
      std::optional<Offset> expected;
      for (auto [base, max_ts] : batches) {
        if (max_ts >= TimestampMs(ts)) {
          expected = base;
          break;
        }
      }
      auto found = co_await log->offset_for_timestamp(TimestampMs(ts));
      CO_ASSERT(found);
      EXPECT_EQ(*found, expected) << "timestamp " << ts;
    }
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogTest, RetentionByTimeDeletesExpiredSealedSegmentsAndAdvancesTheStart) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto now = std::make_shared<int64_t>(100'000);
    LogOptions options{.segment_bytes = 4 * 1024, .retention_ms = 10'000, .clock = [now] {
                         return TimestampMs(*now);
                       }};
    auto log = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(log);
    for (int i = 0; i < 60; ++i) {
      auto batch = make_batch(4, TimestampMs(100'000 + i * 1'000), 100);
      CO_ASSERT_OK(co_await log->append(batch));
    }
    const std::vector<Offset> bases = log->segment_base_offsets();
    CO_ASSERT(bases.size() > 4);
    auto nothing = log->enforce_retention();
    CO_ASSERT(nothing);
    EXPECT_EQ(nothing->segments_deleted, 0u);
    // Batch i has max timestamp 100'000 + i*1'000 + 3; at now = 130'000 those with max below
    // 120'000 are expired: whole segments whose every batch is below that go.
    *now = 130'000;
    auto r = log->enforce_retention();
    CO_ASSERT(r);
    EXPECT_GT(r->segments_deleted, 0u);
    EXPECT_EQ(log->segment_count(), bases.size() - r->segments_deleted);
    EXPECT_EQ(log->log_start_offset(), bases[r->segments_deleted]);
    EXPECT_FALSE(std::filesystem::exists(t->log_path(bases[0])));
    // The first segment kept has batches at or after 120'000 - every earlier one was deleted.
    auto first = co_await log->offset_for_timestamp(TimestampMs(0));
    CO_ASSERT(first);
    EXPECT_EQ(*first, log->log_start_offset());
    auto below = co_await log->read({.start = Offset(0)});
    CO_ASSERT(!below);
    EXPECT_EQ(below.error().code, LogErrc::kOffsetOutOfRange);
    // Far in the future everything but the active segment goes.
    *now = 10'000'000;
    CO_ASSERT(log->enforce_retention());
    EXPECT_EQ(log->segment_count(), 1u);
    EXPECT_EQ(log->log_end_offset(), Offset(240));
    CO_ASSERT_OK(co_await log->close());
    // Reopened, the log starts where retention left it.
    auto reopened = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(reopened);
    EXPECT_EQ(reopened->log_start_offset(), bases.back());
    CO_ASSERT_OK(co_await reopened->close());
  });
}

TEST_F(LogTest, RetentionBySizeKeepsTheNewestSegmentsWithinTheLimit) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    LogOptions options{.segment_bytes = 4 * 1024, .retention_ms = -1, .retention_bytes = 10'000};
    auto log = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(log);
    for (int i = 0; i < 80; ++i) {
      auto batch = make_batch(4, TimestampMs(i), 100);
      CO_ASSERT_OK(co_await log->append(batch));
    }
    const uint64_t before = log->size_bytes();
    CO_ASSERT(before > 20'000);
    auto r = log->enforce_retention();
    CO_ASSERT(r);
    EXPECT_GT(r->segments_deleted, 0u);
    EXPECT_EQ(log->size_bytes(), before - r->bytes_deleted);
    EXPECT_LE(log->size_bytes(), 10'000u + 4 * 1024);  // within one segment of the limit
    EXPECT_GT(log->size_bytes() + 4 * 1024, 10'000u);
    EXPECT_EQ(log->log_start_offset(), log->segment_base_offsets().front());
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogTest, FlushEveryAppendCompletesAppendsDurable) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto log = co_await open_log(fs, t->dir_, {.flush = FlushPolicy::every_append()});
    CO_ASSERT(log);
    for (int i = 0; i < 5; ++i) {
      auto batch = make_batch(2, TimestampMs(i));
      auto r = co_await log->append(batch);
      CO_ASSERT(r);
      EXPECT_EQ(r->durability, Durability::kDurable);
      EXPECT_EQ(log->durable_offset(), log->log_end_offset());
    }
    EXPECT_GE(log->stats().syncs, 5u);
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogTest, FlushEveryNMessagesSyncsWhenTheCountIsReached) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto log = co_await open_log(fs, t->dir_, {.flush = FlushPolicy::every_messages(10)});
    std::vector<Durability> seen;
    for (int i = 0; i < 8; ++i) {
      auto batch = make_batch(3, TimestampMs(i));
      auto r = co_await log->append(batch);
      CO_ASSERT(r);
      seen.push_back(r->durability);
    }
    // 3, 6, 9 records unsynced; the 4th append reaches 12 and syncs; again at the 8th (24).
    using D = Durability;
    EXPECT_EQ(seen, (std::vector<D>{D::kWritten, D::kWritten, D::kWritten, D::kDurable, D::kWritten,
                                    D::kWritten, D::kWritten, D::kDurable}));
    EXPECT_EQ(log->durable_offset(), Offset(24));
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogTest, FlushIntervalMakesWrittenDataDurableWithinTheInterval) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto log = co_await open_log(fs, t->dir_, {.flush = FlushPolicy::interval(20)});
    CO_ASSERT(log);
    auto batch = make_batch(2, TimestampMs(1));
    auto r = co_await log->append(batch);
    CO_ASSERT(r);
    EXPECT_EQ(r->durability, Durability::kWritten);
    EXPECT_EQ(log->durable_offset(), Offset(0));
    for (int i = 0; i < 200 && log->durable_offset() < Offset(2); ++i) {
      co_await reactor::sleep(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(log->durable_offset(), Offset(2));
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogTest, FlushNoneLeavesDurabilityToExplicitFlush) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto log = co_await open_log(fs, t->dir_, {});
    CO_ASSERT(log);
    auto batch = make_batch(2, TimestampMs(1));
    auto r = co_await log->append(batch);
    CO_ASSERT(r);
    EXPECT_EQ(r->durability, Durability::kWritten);
    EXPECT_EQ(log->durable_offset(), Offset(0));
    EXPECT_EQ(log->stats().syncs, 0u);
    CO_ASSERT_OK(co_await log->flush());
    EXPECT_EQ(log->durable_offset(), Offset(2));
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogTest, AdvanceLogStartDeletesSegmentsBelowItAndSurvivesReopen) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    const LogOptions options = no_time_roll({.segment_bytes = 4 * 1024, .retention_ms = -1});
    auto log = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(log);
    for (int i = 0; i < 60; ++i) {
      auto batch = make_batch(4, TimestampMs(i), 100);
      CO_ASSERT_OK(co_await log->append(batch));
    }
    const std::vector<Offset> bases = log->segment_base_offsets();
    CO_ASSERT(bases.size() > 4);
    // Into the middle of the third segment: the first two go, the third stays.
    const Offset target = bases[2] + 3;
    CO_ASSERT(target < bases[3]);
    auto advanced = co_await log->advance_log_start(target);
    CO_ASSERT(advanced);
    EXPECT_EQ(*advanced, target);
    EXPECT_EQ(log->log_start_offset(), target);
    EXPECT_EQ(log->segment_base_offsets().front(), bases[2]);
    EXPECT_EQ(log->segment_count(), bases.size() - 2);
    EXPECT_FALSE(std::filesystem::exists(t->log_path(bases[0])));
    EXPECT_FALSE(std::filesystem::exists(t->log_path(bases[1])));
    // Below the start is out of range; at the start reads the batch that holds it.
    auto below = co_await log->read({.start = target - 1});
    CO_ASSERT(!below);
    EXPECT_EQ(below.error().code, LogErrc::kOffsetOutOfRange);
    auto at = co_await log->read({.start = target});
    CO_ASSERT(at);
    EXPECT_EQ(at->log_start_offset, target);
    EXPECT_FALSE(at->ranges.empty());
    // Lower offsets change nothing; past the end is refused; retention never moves it back.
    auto lower = co_await log->advance_log_start(bases[1]);
    CO_ASSERT(lower);
    EXPECT_EQ(*lower, target);
    auto past = co_await log->advance_log_start(log->log_end_offset() + 1);
    CO_ASSERT(!past);
    EXPECT_EQ(past.error().code, LogErrc::kOffsetOutOfRange);
    auto negative = co_await log->advance_log_start(Offset(-2));
    CO_ASSERT(!negative);
    EXPECT_EQ(negative.error().code, LogErrc::kOffsetOutOfRange);
    CO_ASSERT(log->enforce_retention());
    EXPECT_EQ(log->log_start_offset(), target);
    CO_ASSERT_OK(co_await log->close());

    // Reopened (clean), the log starts where DeleteRecords left it, not at its first segment.
    auto reopened = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(reopened);
    EXPECT_EQ(reopened->log_start_offset(), target);
    EXPECT_EQ(reopened->log_end_offset(), Offset(240));
    // -1 means the high watermark: everything goes but the active segment.
    auto all = co_await reopened->advance_log_start(Log::kHighWatermark);
    CO_ASSERT(all);
    EXPECT_EQ(*all, Offset(240));
    EXPECT_EQ(reopened->segment_count(), 1u);
    auto empty = co_await reopened->read({.start = Offset(240)});
    CO_ASSERT(empty);
    EXPECT_TRUE(empty->ranges.empty());
    // Appends continue after it.
    auto batch = make_batch(2, TimestampMs(100), 100);
    auto appended = co_await reopened->append(batch);
    CO_ASSERT(appended);
    EXPECT_EQ(appended->base_offset, Offset(240));
    CO_ASSERT_OK(co_await reopened->close());
  });
}

TEST_F(LogTest, AdvancedLogStartSurvivesACrashWithoutCleanShutdown) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    const LogOptions options = no_time_roll({.segment_bytes = 4 * 1024, .retention_ms = -1});
    auto log = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(log);
    for (int i = 0; i < 20; ++i) {
      auto batch = make_batch(4, TimestampMs(i), 100);
      CO_ASSERT_OK(co_await log->append(batch));
    }
    CO_ASSERT_OK(co_await log->flush());
    auto advanced = co_await log->advance_log_start(Offset(30));
    CO_ASSERT(advanced);
    CO_ASSERT_OK(co_await log->close());
    // A crash: the clean-shutdown marker is gone, recovery scans.
    std::filesystem::remove(t->dir_ + "/clean_shutdown");
    auto reopened = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(reopened);
    EXPECT_EQ(reopened->log_start_offset(), Offset(30));
    CO_ASSERT_OK(co_await reopened->close());
    // A damaged checkpoint is ignored: the log starts at its first segment again.
    std::vector<std::byte> bytes = file_bytes(t->dir_ + "/log_start_offset");
    CO_ASSERT(bytes.size() == 16u);
    bytes[15] ^= std::byte{0x01};
    write_file(t->dir_ + "/log_start_offset", bytes);
    auto damaged = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(damaged);
    EXPECT_EQ(damaged->log_start_offset(), damaged->segment_base_offsets().front());
    CO_ASSERT_OK(co_await damaged->close());
  });
}

TEST_F(LogTest, UpdatedOptionsApplyToAnOpenLog) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto log = co_await open_log(fs, t->dir_, no_time_roll({.retention_ms = -1}));
    CO_ASSERT(log);
    auto big = make_batch(1, TimestampMs(1), 3'000);
    CO_ASSERT_OK(co_await log->append(big));
    // A smaller max.message.bytes refuses the same batch; a smaller segment.bytes rolls.
    LogOptions smaller = no_time_roll({.segment_bytes = 4 * 1024, .retention_ms = -1});
    smaller.batch_bytes_max = 2'000;
    log->update_options(smaller);
    EXPECT_EQ(log->options().batch_bytes_max, 2'000u);
    auto refused_batch = make_batch(1, TimestampMs(2), 3'000);
    auto refused = co_await log->append(refused_batch);
    CO_ASSERT(!refused);
    EXPECT_EQ(refused.error().code, LogErrc::kBatchTooLarge);
    for (int i = 0; i < 10; ++i) {
      auto batch = make_batch(1, TimestampMs(3 + i), 1'000);
      CO_ASSERT_OK(co_await log->append(batch));
    }
    EXPECT_GT(log->segment_count(), 2u);
    // retention.bytes set afterwards is applied by the next retention check.
    LogOptions retained = smaller;
    retained.retention_bytes = 5'000;
    log->update_options(retained);
    auto r = log->enforce_retention();
    CO_ASSERT(r);
    EXPECT_GT(r->segments_deleted, 0u);
    CO_ASSERT_OK(co_await log->close());
  });
}

// Collects base offsets handed over by Log::scan_batches.
class BaseOffsets final : public BatchSink {
 public:
  void on_batch(const RecordBatchView& batch) override {
    EXPECT_TRUE(batch.validate(BatchSource::kLog));
    offsets.push_back(batch.base_offset());
  }
  std::vector<Offset> offsets;
};

TEST_F(LogTest, ScanBatchesWalksTheNewestSegmentsOldestFirst) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto opened = co_await Log::open(fs, t->dir_, no_time_roll({.segment_bytes = 4 * 1024}));
    CO_ASSERT(opened);
    auto log = std::move(*opened);
    for (int i = 0; i < 40; ++i) {
      auto batch = make_batch(2, TimestampMs(1 + i), 400);
      CO_ASSERT_OK(co_await log->append(batch));
    }
    CO_ASSERT(log->segment_count() > 3u);
    BaseOffsets all;
    CO_ASSERT_OK(co_await log->scan_batches(log->segment_count(), &all));
    CO_ASSERT(all.offsets.size() == 40u);
    for (size_t i = 0; i < all.offsets.size(); ++i) {
      EXPECT_EQ(all.offsets[i], Offset(static_cast<int64_t>(2 * i)));
    }
    // The newest two segments only: from the second-to-last segment's base offset on.
    BaseOffsets newest;
    CO_ASSERT_OK(co_await log->scan_batches(2, &newest));
    const std::vector<Offset> bases = log->segment_base_offsets();
    CO_ASSERT(!newest.offsets.empty());
    EXPECT_EQ(newest.offsets.front(), bases[bases.size() - 2]);
    EXPECT_EQ(newest.offsets.back(), Offset(78));
    BaseOffsets none;
    CO_ASSERT_OK(co_await log->scan_batches(0, &none));
    EXPECT_TRUE(none.offsets.empty());
    CO_ASSERT_OK(co_await log->close());
  });
}

// Bytes of disk blocks a file holds (st_blocks), against its size.
uint64_t allocated_bytes(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

std::vector<std::string> segment_files(const std::string& dir) {
  std::vector<std::string> logs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") logs.push_back(entry.path().string());
  }
  std::sort(logs.begin(), logs.end());
  return logs;
}

TEST_F(LogTest, TheActiveSegmentReservesBlocksAheadAndGivesThemBackWhenSealedOrClosed) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    constexpr uint64_t kSegmentBytes = 4 << 20;
    auto opened = co_await Log::open(fs, t->dir_, no_time_roll({.segment_bytes = kSegmentBytes}));
    CO_ASSERT(opened);
    auto log = std::move(*opened);
    // 16 KiB batches, until the first segment rolled and the second holds ~1.5 MiB.
    std::vector<std::vector<std::byte>> appended;
    for (int i = 0; i < 350; ++i) {
      auto batch = make_batch(1, TimestampMs(1 + i), 16 * 1024 - 100);
      CO_ASSERT_OK(co_await log->append(batch));
      appended.push_back(batch);
    }
    CO_ASSERT(log->segment_count() == 2u);
    auto files = segment_files(t->dir_);
    CO_ASSERT(files.size() == 2u);
    const uint64_t sealed_size = std::filesystem::file_size(files[0]);
    const uint64_t active_size = std::filesystem::file_size(files[1]);
    EXPECT_GT(active_size, 1u << 20);
    // The sealed segment keeps no more blocks than its data needs; the active one has blocks
    // reserved past its end (chunks of at least 1 MiB), without them showing in its size.
    EXPECT_LE(allocated_bytes(files[0]), (sealed_size + 4095) / 4096 * 4096);
    EXPECT_GE(allocated_bytes(files[1]), active_size + (256u << 10));
    auto all = co_await read_all_batches(log.get(), fs);
    CO_ASSERT(all);
    EXPECT_EQ(*all, appended);
    CO_ASSERT_OK(co_await log->close());
    EXPECT_EQ(std::filesystem::file_size(files[1]), active_size);
    EXPECT_LE(allocated_bytes(files[1]), (active_size + 4095) / 4096 * 4096);
  });
}

TEST_F(LogTest, ALogThatSyncsEveryAppendFillsZerosAheadAndCutsThemWhenSealedOrClosed) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem counting;  // no faults: counts the reservations
    LogOptions options = no_time_roll({.segment_bytes = 4 << 20});
    options.flush.mode = FlushMode::kEveryAppend;
    auto log = co_await open_log(&counting, t->dir_, options);
    CO_ASSERT(log);
    // 16 KiB batches until the first segment rolled and the second holds ~0.8 MiB.
    std::vector<std::vector<std::byte>> appended;
    uint64_t appended_bytes = 0;
    for (int i = 0; i < 300; ++i) {
      auto batch = make_batch(1, TimestampMs(i), 16 * 1024 - 100);
      CO_ASSERT_OK(co_await log->append(batch));
      appended_bytes += batch.size();
      appended.push_back(batch);
    }
    CO_ASSERT(log->segment_count() == 2u);
    // No unwritten extents (their conversion would cost every sync a journal commit)...
    EXPECT_EQ(counting.preallocations, 0u);
    // ...but zeros written past the active segment's data, up to a 2 MiB chunk.
    auto files = segment_files(t->dir_);
    CO_ASSERT(files.size() == 2u);
    const uint64_t sealed_size = std::filesystem::file_size(files[0]);
    const uint64_t active_size = std::filesystem::file_size(files[1]);
    EXPECT_EQ(active_size, 2u << 20);
    const uint64_t active_data = appended_bytes - sealed_size;
    CO_ASSERT(active_data < active_size);
    const std::vector<std::byte> active_bytes = file_bytes(files[1]);
    EXPECT_TRUE(std::all_of(active_bytes.begin() + static_cast<ptrdiff_t>(active_data),
                            active_bytes.end(), [](std::byte b) { return b == std::byte{0}; }));
    auto all = co_await read_all_batches(log.get(), &counting);
    CO_ASSERT(all);
    EXPECT_EQ(*all, appended);
    CO_ASSERT_OK(co_await log->close());
    // Closed, the files hold the batches and nothing else.
    EXPECT_EQ(std::filesystem::file_size(files[0]) + std::filesystem::file_size(files[1]),
              appended_bytes);
    auto reopened = co_await open_log(&counting, t->dir_, options);
    CO_ASSERT(reopened);
    EXPECT_TRUE(reopened->recovery_report().clean_shutdown);
    auto again = co_await read_all_batches(reopened.get(), &counting);
    CO_ASSERT(again);
    EXPECT_EQ(*again, appended);
    CO_ASSERT_OK(co_await reopened->close());
  });
}

TEST_F(LogTest, AppendsGoOnWhenBlocksCannotBeReserved) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem faulty;
    faulty.space_left_bytes = 1u << 30;  // every reservation fails with ENOSPC; writes fit
    auto log = co_await open_log(&faulty, t->dir_, {.segment_bytes = 1 << 20});
    CO_ASSERT(log);
    for (int i = 0; i < 10; ++i) {
      auto batch = make_batch(2, TimestampMs(i), 1000);
      auto r = co_await log->append(batch);
      CO_ASSERT(r);
      EXPECT_EQ(r->base_offset, Offset(2 * i));
    }
    EXPECT_GE(faulty.preallocations, 1u);
    EXPECT_EQ(log->log_end_offset(), Offset(20));
    CO_ASSERT_OK(co_await log->close());
  });
}

}  // namespace
}  // namespace ringlog::storage::testing
