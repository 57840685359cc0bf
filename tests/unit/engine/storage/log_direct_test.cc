// Direct writes (LogOptions::direct_writes, engine/storage/direct_writer.h): what reaches the
// files, what readers see while a partial last block is written again, recovery after a crash,
// faults, and the buffered fallback.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/reactor/timer.h"
#include "engine/storage/direct_writer.h"
#include "engine/storage/segment_format.h"
#include "engine/storage/staging_buffer.h"
#include "tests/unit/engine/storage/log_test_util.h"

namespace ringlog::storage::testing {
namespace {

// Direct writes for every group, however small (the tests' batches are).
LogOptions direct_options(LogOptions options = no_time_roll()) {
  options.direct_writes = true;
  options.direct_write_bytes_min = 0;
  return options;
}

// Whether `dir`'s file system takes direct writes (tmpfs before Linux 6.6 does not).
bool direct_io_supported(const std::string& dir) {
  const std::string probe = dir + "/direct-io-probe";
  write_file(probe, {});
  auto writer = DirectWriter::open(&real_file_system(), probe);
  std::filesystem::remove(probe);
  return writer.has_value();
}

uint64_t total_bytes(const std::vector<std::vector<std::byte>>& batches) {
  uint64_t n = 0;
  for (const auto& b : batches) n += b.size();
  return n;
}

uint64_t dir_log_bytes(const std::string& dir) {
  uint64_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") n += entry.file_size();
  }
  return n;
}

std::string first_segment(const std::string& dir) {
  return dir + "/" + segment_format::file_name(Offset(0), segment_format::kLogSuffix);
}

// Closes `log`, checks that its files hold the batches and nothing else (reservations and
// padding cut), reopens `dir` and checks that it reads back `batches`.
Task<void> close_and_expect_reopened_with(std::unique_ptr<Log> log, FileSystem* fs,
                                          const std::string& dir, const LogOptions& options,
                                          const std::vector<std::vector<std::byte>>& batches) {
  CO_ASSERT_OK(co_await log->close());
  EXPECT_EQ(dir_log_bytes(dir), total_bytes(batches));
  auto reopened = co_await open_log(fs, dir, options);
  CO_ASSERT(reopened);
  auto again = co_await read_all_batches(reopened.get(), fs);
  CO_ASSERT(again);
  EXPECT_EQ(*again, batches);
  CO_ASSERT_OK(co_await reopened->close());
}

class LogDirectTest : public LogTestBase {
 public:
  void SetUp() override {
    LogTestBase::SetUp();
    if (!direct_io_supported(dir_)) GTEST_SKIP() << "no direct I/O in " << dir_;
  }
};

TEST_F(LogDirectTest, AppendsOfOddSizesReadBackWhileWrittenAndAfterRollsAndAReopen) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem counting;  // no faults: counts the direct writes
    const LogOptions options = direct_options(no_time_roll({.segment_bytes = 256 * 1024}));
    auto log = co_await open_log(&counting, t->dir_, options);
    CO_ASSERT(log);
    std::vector<std::vector<std::byte>> appended;
    for (int i = 0; i < 300; ++i) {
      // Sizes that leave every write's last block partial, in a different place each time.
      auto batch = make_batch(1 + i % 3, TimestampMs(i), 37 + (i * 131) % 3000);
      auto r = co_await log->append(batch);
      CO_ASSERT(r);
      appended.push_back(batch);
      // The batch just written reads back whole: the block it shares with the batch before was
      // written again, and readers of that batch see it unchanged.
      auto read = co_await log->read({.start = r->base_offset, .max_bytes = 64 * 1024});
      CO_ASSERT(read);
      auto bytes = co_await read_file_ranges(&counting, read->ranges);
      CO_ASSERT(bytes);
      CO_ASSERT(bytes->size() == batch.size());
      EXPECT_TRUE(std::equal(bytes->begin(), bytes->end(), batch.begin())) << "batch " << i;
    }
    CO_ASSERT(log->segment_count() >= 3u);
    EXPECT_EQ(counting.direct_writes, log->stats().writes);
    // While the log is open its active file has grown over reserved blocks: zeros past the data.
    // (Sealed segments were cut to their data when they rolled.)
    const std::vector<Offset> bases = log->segment_base_offsets();
    uint64_t sealed_bytes = 0;
    for (size_t i = 0; i + 1 < bases.size(); ++i) {
      sealed_bytes += std::filesystem::file_size(t->log_path(bases[i]));
    }
    const uint64_t active_data = log->size_bytes() - sealed_bytes;
    const std::vector<std::byte> active = file_bytes(t->log_path(bases.back()));
    EXPECT_GT(active.size(), active_data);
    EXPECT_TRUE(std::all_of(active.begin() + static_cast<ptrdiff_t>(active_data), active.end(),
                            [](std::byte b) { return b == std::byte{0}; }));
    auto all = co_await read_all_batches(log.get(), &counting);
    CO_ASSERT(all);
    EXPECT_EQ(*all, appended);
    CO_ASSERT_OK(co_await log->close());
    // Closed, the files hold the batches and nothing else: reservation and padding are cut.
    EXPECT_EQ(dir_log_bytes(t->dir_), total_bytes(appended));

    auto reopened = co_await open_log(&counting, t->dir_, options);
    CO_ASSERT(reopened);
    EXPECT_TRUE(reopened->recovery_report().clean_shutdown);
    auto again = co_await read_all_batches(reopened.get(), &counting);
    CO_ASSERT(again);
    EXPECT_EQ(*again, appended);
    // The first write after the reopen reads the partial last block back from the file.
    const uint64_t writes_before = counting.direct_writes;
    auto one_more = make_batch(2, TimestampMs(1000), 333);
    auto next = co_await reopened->append(one_more);
    CO_ASSERT(next);
    EXPECT_EQ(next->base_offset, reopened->log_end_offset() - 2);
    EXPECT_GT(counting.direct_writes, writes_before);
    appended.push_back(one_more);
    auto with_one_more = co_await read_all_batches(reopened.get(), &counting);
    CO_ASSERT(with_one_more);
    EXPECT_EQ(*with_one_more, appended);
    CO_ASSERT_OK(co_await reopened->close());
    EXPECT_EQ(dir_log_bytes(t->dir_), total_bytes(appended));
  });
}

TEST_F(LogDirectTest, SmallGroupsGoBufferedLargeOnesDirectAndReadersSeeEveryByteAcrossTheSwitches) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem counting;
    LogOptions options = direct_options();
    options.direct_write_bytes_min = 64 * 1024;
    auto log = co_await open_log(&counting, t->dir_, options);
    CO_ASSERT(log);
    std::vector<std::vector<std::byte>> appended;
    // {value bytes, whether the write goes direct}: below 64 KiB buffered, then direct from
    // 64 KiB, staying direct down to 16 KiB, buffered again below.
    const std::pair<size_t, bool> steps[] = {
        {1000, false}, {1500, false},  {100'000, true}, {20'000, true},
        {900, false},  {70'000, true}, {17'000, true},  {15'000, false},
    };
    for (const auto& [value_bytes, direct] : steps) {
      const uint64_t direct_before = counting.direct_writes;
      auto batch = make_batch(1, TimestampMs(0), value_bytes);
      auto r = co_await log->append(batch);
      CO_ASSERT(r);
      EXPECT_EQ(counting.direct_writes - direct_before, direct ? 1u : 0u) << value_bytes;
      appended.push_back(batch);
      auto all = co_await read_all_batches(log.get(), &counting);
      CO_ASSERT(all);
      EXPECT_EQ(*all, appended) << "after " << value_bytes;
    }
    co_await close_and_expect_reopened_with(std::move(log), &counting, t->dir_, options, appended);
  });
}

TEST_F(LogDirectTest, AnAppendLargerThanAStagingBufferIsWrittenWhole) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem counting;
    auto log = co_await open_log(&counting, t->dir_, direct_options());
    CO_ASSERT(log);
    auto small = make_batch(1, TimestampMs(0), 100);  // the next write starts mid-block
    CO_ASSERT_OK(co_await log->append(small));
    // One append of ten ~1 MiB batches: more than two staging buffers.
    std::vector<std::byte> buffer;
    for (int i = 0; i < 10; ++i) {
      auto batch = make_batch(1, TimestampMs(i), (1 << 20) - 200 - i, "big" + std::to_string(i));
      buffer.insert(buffer.end(), batch.begin(), batch.end());
    }
    CO_ASSERT(buffer.size() > 2 * StagingBuffer::kBytes);
    const uint64_t writes_before = counting.direct_writes;
    auto r = co_await log->append(buffer);
    CO_ASSERT(r);
    // The batches as stored: append patched their base offsets in `buffer`.
    std::vector<std::vector<std::byte>> appended{small};
    for (RecordBatchView batch : split_batches(buffer)) {
      appended.emplace_back(batch.bytes().begin(), batch.bytes().end());
    }
    CO_ASSERT(appended.size() == 11u);
    EXPECT_GE(counting.direct_writes - writes_before, 3u);
    auto all = co_await read_all_batches(log.get(), &counting);
    CO_ASSERT(all);
    EXPECT_EQ(*all, appended);
    CO_ASSERT_OK(co_await log->close());
    EXPECT_EQ(std::filesystem::file_size(first_segment(t->dir_)), total_bytes(appended));
  });
}

TEST_F(LogDirectTest, ACrashLeavesReservedZerosThatRecoveryCutsWithoutACorruption) {
  run([](LogTestBase* t) -> Task<void> {
    // The file grown over reserved blocks is what the crash leaves.
    co_await expect_a_crash_copy_cuts_the_zero_tail(&real_file_system(), t->dir_, direct_options());
  });
}

TEST_F(LogDirectTest, AFailedDirectWriteLosesNothingWrittenBefore) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem faulty;
    const LogOptions options = direct_options();
    auto log = co_await open_log(&faulty, t->dir_, options);
    CO_ASSERT(log);
    std::vector<std::vector<std::byte>> kept;
    for (int i = 0; i < 20; ++i) {
      auto batch = make_batch(1, TimestampMs(i), 500 + i);
      CO_ASSERT_OK(co_await log->append(batch));
      kept.push_back(batch);
    }
    faulty.fail_next_write = EIO;
    auto lost = make_batch(3, TimestampMs(100), 700);
    auto failed = co_await log->append(lost);
    CO_ASSERT(!failed);
    EXPECT_EQ(log->log_end_offset(), Offset(20));
    // The next append takes the failed one's offsets; the block the failed write shared with
    // the data before is read back from the file.
    auto after = make_batch(2, TimestampMs(200), 650);
    auto r = co_await log->append(after);
    CO_ASSERT(r);
    EXPECT_EQ(r->base_offset, Offset(20));
    kept.push_back(after);
    auto all = co_await read_all_batches(log.get(), &faulty);
    CO_ASSERT(all);
    EXPECT_EQ(*all, kept);
    co_await close_and_expect_reopened_with(std::move(log), &faulty, t->dir_, options, kept);
  });
}

TEST_F(LogDirectTest, ShortDirectWritesContinueFromTheirLastWholeBlock) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem faulty;
    faulty.write_bytes_max = 6000;  // one block per call (a block and a half, cut to whole ones)
    auto log = co_await open_log(&faulty, t->dir_, direct_options());
    CO_ASSERT(log);
    std::vector<std::vector<std::byte>> kept;
    for (int i = 0; i < 10; ++i) {
      auto batch = make_batch(4, TimestampMs(i), 5000 + 7 * i);
      CO_ASSERT_OK(co_await log->append(batch));
      kept.push_back(batch);
    }
    EXPECT_GT(faulty.direct_writes, 30u);  // each ~20 KiB write took several calls
    // Less than a block per call is no progress: the append fails rather than spins.
    faulty.write_bytes_max = 100;
    auto stuck = make_batch(1, TimestampMs(50), 9000);
    auto failed = co_await log->append(stuck);
    CO_ASSERT(!failed);
    faulty.write_bytes_max = 0;
    auto after = make_batch(1, TimestampMs(60), 300);
    CO_ASSERT_OK(co_await log->append(after));
    kept.push_back(after);
    auto all = co_await read_all_batches(log.get(), &faulty);
    CO_ASSERT(all);
    EXPECT_EQ(*all, kept);
    CO_ASSERT_OK(co_await log->close());
    EXPECT_EQ(dir_log_bytes(t->dir_), total_bytes(kept));
  });
}

TEST_F(LogDirectTest, AFullDiskFailsTheAppendAndKeepsEverythingBefore) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem faulty;
    faulty.space_left_bytes = 64 * 1024;  // reservations fail too
    const LogOptions options = direct_options();
    auto log = co_await open_log(&faulty, t->dir_, options);
    CO_ASSERT(log);
    std::vector<std::vector<std::byte>> kept;
    bool failed = false;
    for (int i = 0; i < 20 && !failed; ++i) {
      auto batch = make_batch(1, TimestampMs(i), 10'000);
      auto r = co_await log->append(batch);
      if (r) {
        kept.push_back(batch);
      } else {
        failed = true;
        EXPECT_EQ(r.error().io, Errno{ENOSPC});
      }
    }
    CO_ASSERT(failed);
    CO_ASSERT(!kept.empty());
    EXPECT_EQ(log->log_end_offset(), Offset(static_cast<int64_t>(kept.size())));
    faulty.space_left_bytes.reset();
    co_await close_and_expect_reopened_with(std::move(log), &faulty, t->dir_, options, kept);
  });
}

Task<void> append_and_count(Log* log, std::vector<std::byte>* batch, int* finished) {
  auto r = co_await log->append(*batch);
  EXPECT_TRUE(r);
  ++*finished;
}

TEST_F(LogDirectTest, ATimedFlushSyncsWhatDirectWritesWrote) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem counting;
    LogOptions options = direct_options();
    options.flush = FlushPolicy::interval(0);  // every write is due for a sync
    auto log = co_await open_log(&counting, t->dir_, options);
    CO_ASSERT(log);
    auto first = make_batch(2, TimestampMs(0), 800);
    auto second = make_batch(2, TimestampMs(1), 900);
    // The second append queues while the first one's write is in flight; the interval has
    // passed when its turn comes, so its write is followed by a sync before it completes.
    int finished = 0;
    reactor::Reactor::current().spawn(append_and_count(log.get(), &first, &finished));
    co_await reactor::sleep(std::chrono::milliseconds(0));
    auto r = co_await log->append(second);
    CO_ASSERT(r);
    EXPECT_EQ(r->durability, Durability::kDurable);
    CO_ASSERT(finished == 1);
    EXPECT_EQ(log->durable_offset(), Offset(4));
    EXPECT_GE(counting.syncs, 1u);
    EXPECT_EQ(counting.direct_writes, 2u);
    CO_ASSERT_OK(co_await log->close());
  });
}

// Where direct writes do not apply, the log writes buffered, and the same bytes reach the file.
TEST_F(LogDirectTest, WithoutDirectIoOrWithASyncByMessageCountTheLogWritesBuffered) {
  run([](LogTestBase* t) -> Task<void> {
    for (const bool by_count : {false, true}) {
      FaultyFileSystem faulty;
      faulty.no_direct_io = !by_count;
      LogOptions options = direct_options();
      if (by_count) options.flush = FlushPolicy::every_messages(3);
      const std::string dir = t->dir_ + (by_count ? "/by-count" : "/no-direct-io");
      auto log = co_await open_log(&faulty, dir, options);
      CO_ASSERT(log);
      std::vector<std::vector<std::byte>> appended;
      for (int i = 0; i < 10; ++i) {
        auto batch = make_batch(1, TimestampMs(i), 1000 + i);
        CO_ASSERT_OK(co_await log->append(batch));
        appended.push_back(batch);
      }
      EXPECT_EQ(faulty.direct_writes, 0u);
      EXPECT_GE(faulty.writes, 10u);
      auto all = co_await read_all_batches(log.get(), &faulty);
      CO_ASSERT(all);
      EXPECT_EQ(*all, appended);
      CO_ASSERT_OK(co_await log->close());
      EXPECT_EQ(dir_log_bytes(dir), total_bytes(appended));
    }
  });
}

}  // namespace
}  // namespace ringlog::storage::testing
