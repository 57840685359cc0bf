// Opening a log recovers it: a torn last batch is cut at every possible byte, a flipped bit stops
// recovery at its batch and is reported, deleted indexes come back byte-identical, and a clean
// shutdown marker skips the scan.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/storage/log.h"
#include "engine/storage/segment_format.h"
#include "tests/unit/engine/storage/log_test_util.h"

namespace ringlog::storage::testing {
namespace {

using LogRecoveryTest = LogTestBase;

std::string marker_path(const std::string& dir) {
  return dir + "/" + std::string(segment_format::kCleanShutdownName);
}

// Appends `count` batches to a fresh log in t->dir_, closes it, returns the batches (patched).
Task<std::vector<std::vector<std::byte>>> fill(LogTestBase* t, int count, LogOptions options) {
  std::vector<std::vector<std::byte>> batches;
  auto log = co_await open_log(&real_file_system(), t->dir_, options);
  if (!log) co_return batches;
  for (int i = 0; i < count; ++i) {
    auto batch = make_batch(1 + i % 3, TimestampMs(1'000 + i), 20 + i % 50, std::to_string(i));
    auto r = co_await log->append(batch);
    EXPECT_TRUE(r);
    batches.push_back(batch);
  }
  auto closed = co_await log->close();
  EXPECT_TRUE(closed);
  co_return batches;
}

TEST_F(LogRecoveryTest, TornTailBatchIsTruncatedOnOpenAtEveryCutPosition) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto batches = co_await fill(t, 12, no_time_roll());
    CO_ASSERT(batches.size() == 12);
    const std::string path = t->log_path(Offset(0));
    const std::vector<std::byte> whole = file_bytes(path);
    const size_t last_size = batches.back().size();
    const size_t last_position = whole.size() - last_size;
    const Offset last_base = RecordBatchView(batches.back()).base_offset();
    const std::vector<std::vector<std::byte>> kept(batches.begin(), batches.end() - 1);
    for (size_t cut = last_position; cut < whole.size(); ++cut) {
      write_file(path, std::span(whole).first(cut));
      std::filesystem::remove(marker_path(t->dir_));  // as after a crash
      auto log = co_await open_log(fs, t->dir_, no_time_roll());
      CO_ASSERT(log);
      const RecoveryReport& report = log->recovery_report();
      EXPECT_FALSE(report.clean_shutdown);
      EXPECT_EQ(log->log_end_offset(), last_base) << "cut at " << cut;
      // A cut inside the batch's first bytes (the high bytes of its base offset) leaves only
      // zeros past the last whole batch: recovery takes them for zeros filled ahead.
      const bool zeros_left = std::all_of(whole.begin() + static_cast<ptrdiff_t>(last_position),
                                          whole.begin() + static_cast<ptrdiff_t>(cut),
                                          [](std::byte b) { return b == std::byte{0}; });
      if (cut > last_position && zeros_left) {
        EXPECT_TRUE(report.corruptions.empty());
        EXPECT_EQ(report.zero_tail_bytes_cut, cut - last_position);
      } else if (cut > last_position) {
        CO_ASSERT(report.corruptions.size() == 1);
        EXPECT_EQ(report.corruptions[0].file, path);
        EXPECT_EQ(report.corruptions[0].position, last_position);
        EXPECT_EQ(report.bytes_truncated, cut - last_position);
      } else {
        EXPECT_TRUE(report.corruptions.empty());
      }
      auto all = co_await read_all_batches(log.get(), fs);
      CO_ASSERT(all);
      EXPECT_EQ(*all, kept) << "cut at " << cut;
      auto next = make_batch(1, TimestampMs(5));
      auto r = co_await log->append(next);
      CO_ASSERT(r);
      EXPECT_EQ(r->base_offset, last_base);
      CO_ASSERT_OK(co_await log->close());
    }
  });
}

TEST_F(LogRecoveryTest, FlippedBitStopsRecoveryThereAndIsReportedWithFileAndPosition) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto batches = co_await fill(t, 40, no_time_roll());
    const std::string path = t->log_path(Offset(0));
    std::vector<std::byte> bytes = file_bytes(path);
    size_t position = 0;
    for (int i = 0; i < 20; ++i) position += batches[i].size();
    bytes[position + batches[20].size() / 2] ^= std::byte{0x10};  // inside batch 20's records
    write_file(path, bytes);
    std::filesystem::remove(marker_path(t->dir_));
    auto log = co_await open_log(fs, t->dir_, no_time_roll());
    CO_ASSERT(log);
    const RecoveryReport& report = log->recovery_report();
    CO_ASSERT(report.corruptions.size() == 1);
    EXPECT_EQ(report.corruptions[0].file, path);
    EXPECT_EQ(report.corruptions[0].position, position);
    EXPECT_NE(report.corruptions[0].reason.find("CRC"), std::string::npos)
        << report.corruptions[0].reason;
    EXPECT_EQ(log->log_end_offset(), RecordBatchView(batches[20]).base_offset());
    auto all = co_await read_all_batches(log.get(), fs);
    CO_ASSERT(all);
    EXPECT_EQ(*all, std::vector<std::vector<std::byte>>(batches.begin(), batches.begin() + 20));
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogRecoveryTest, FlippedBitInABaseOffsetIsCaughtByTheOffsetSequence) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto batches = co_await fill(t, 10, no_time_roll());
    const std::string path = t->log_path(Offset(0));
    std::vector<std::byte> bytes = file_bytes(path);
    size_t position = 0;
    for (int i = 0; i < 5; ++i) position += batches[i].size();
    bytes[position + 7] ^= std::byte{0x01};  // base offset is not covered by the CRC
    write_file(path, bytes);
    std::filesystem::remove(marker_path(t->dir_));
    auto log = co_await open_log(fs, t->dir_, no_time_roll());
    CO_ASSERT(log);
    CO_ASSERT(log->recovery_report().corruptions.size() == 1);
    EXPECT_EQ(log->recovery_report().corruptions[0].position, position);
    EXPECT_EQ(log->log_end_offset(), RecordBatchView(batches[5]).base_offset());
    CO_ASSERT_OK(co_await log->close());
  });
}

// Index files of every segment in the directory, by name.
std::map<std::string, std::vector<std::byte>> index_files(const std::string& dir) {
  std::map<std::string, std::vector<std::byte>> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string ext = entry.path().extension();
    if (ext == ".index" || ext == ".timeindex") {
      out[entry.path().filename()] = file_bytes(entry.path());
    }
  }
  return out;
}

void remove_index_files(const std::string& dir) {
  for (const auto& [name, bytes] : index_files(dir)) std::filesystem::remove(dir + "/" + name);
}

TEST_F(LogRecoveryTest, DeletedIndexesAreRebuiltByteIdentical) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    const LogOptions options =
        no_time_roll({.segment_bytes = 16 * 1024, .index_interval_bytes = 512});
    auto batches = co_await fill(t, 400, options);
    const auto original = index_files(t->dir_);
    CO_ASSERT(original.size() >= 8);  // several segments, two files each
    size_t entries = 0;
    for (const auto& [name, bytes] : original) entries += bytes.size();
    EXPECT_GT(entries, 0u);

    // With the clean marker (sealed segments and the active one load their indexes)...
    remove_index_files(t->dir_);
    auto log = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(log);
    EXPECT_EQ(log->recovery_report().indexes_rebuilt, original.size() / 2);
    auto all = co_await read_all_batches(log.get(), fs);
    CO_ASSERT(all);
    EXPECT_EQ(*all, batches);
    CO_ASSERT_OK(co_await log->close());
    EXPECT_EQ(index_files(t->dir_), original);

    // ...and after a crash (no marker: the active segment is scanned).
    remove_index_files(t->dir_);
    std::filesystem::remove(marker_path(t->dir_));
    log = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(log);
    EXPECT_FALSE(log->recovery_report().clean_shutdown);
    EXPECT_EQ(log->recovery_report().segments_scanned, original.size() / 2);
    CO_ASSERT_OK(co_await log->close());
    EXPECT_EQ(index_files(t->dir_), original);
  });
}

TEST_F(LogRecoveryTest, InconsistentIndexIsDetectedAndRebuilt) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    const LogOptions options =
        no_time_roll({.segment_bytes = 16 * 1024, .index_interval_bytes = 512});
    co_await fill(t, 400, options);
    const auto original = index_files(t->dir_);
    // Garble the first segment's offset index: positions out of order.
    const std::string name =
        segment_format::file_name(Offset(0), segment_format::kOffsetIndexSuffix);
    std::vector<std::byte> garbled = original.at(name);
    CO_ASSERT(garbled.size() >= 16);
    std::swap_ranges(garbled.begin(), garbled.begin() + 8, garbled.begin() + 8);
    write_file(t->dir_ + "/" + name, garbled);
    auto log = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(log);
    EXPECT_EQ(log->recovery_report().indexes_rebuilt, 1u);
    CO_ASSERT_OK(co_await log->close());
    EXPECT_EQ(index_files(t->dir_), original);
  });
}

TEST_F(LogRecoveryTest, MarkerThatDoesNotMatchTheActiveSegmentForcesAScan) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto batches = co_await fill(t, 10, no_time_roll());
    // Bytes appended after the clean close (the marker no longer describes the file).
    const std::string path = t->log_path(Offset(0));
    std::vector<std::byte> bytes = file_bytes(path);
    bytes.insert(bytes.end(), 30, std::byte{0x55});
    write_file(path, bytes);
    auto log = co_await open_log(fs, t->dir_, no_time_roll());
    CO_ASSERT(log);
    EXPECT_FALSE(log->recovery_report().clean_shutdown);
    EXPECT_EQ(log->recovery_report().segments_scanned, 1u);
    EXPECT_EQ(log->recovery_report().bytes_truncated, 30u);
    EXPECT_EQ(log->log_end_offset(), RecordBatchView(batches.back()).last_offset() + 1);
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogRecoveryTest, ZerosFilledAheadAndLeftByACrashAreCutWithoutACorruption) {
  run([](LogTestBase* t) -> Task<void> {
    LogOptions options = no_time_roll();
    options.flush.mode = FlushMode::kEveryAppend;
    co_await expect_a_crash_copy_cuts_the_zero_tail(&real_file_system(), t->dir_, options);
  });
}

TEST_F(LogRecoveryTest, ASealedSegmentWithAZeroTailKeepsItsIndexesAndTheSegmentsAfterIt) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    const LogOptions options =
        no_time_roll({.segment_bytes = 16 * 1024, .index_interval_bytes = 512});
    auto batches = co_await fill(t, 400, options);
    const std::string first = t->log_path(Offset(0));
    const std::vector<std::byte> original = file_bytes(first);
    // As after a crash between zero filling and the roll that cut the zeros.
    std::vector<std::byte> with_zeros = original;
    with_zeros.resize(original.size() + 5000, std::byte{0});
    write_file(first, with_zeros);
    auto log = co_await open_log(fs, t->dir_, options);
    CO_ASSERT(log);
    const RecoveryReport& report = log->recovery_report();
    EXPECT_TRUE(report.corruptions.empty());
    EXPECT_TRUE(report.files_removed.empty());
    EXPECT_EQ(report.indexes_rebuilt, 0u);
    EXPECT_EQ(report.zero_tail_bytes_cut, 5000u);
    EXPECT_EQ(file_bytes(first), original);
    auto all = co_await read_all_batches(log.get(), fs);
    CO_ASSERT(all);
    EXPECT_EQ(*all, batches);
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogRecoveryTest, ZerosFollowedByAnythingElseAreACorruption) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto batches = co_await fill(t, 10, no_time_roll());
    const std::string path = t->log_path(Offset(0));
    std::vector<std::byte> bytes = file_bytes(path);
    const uint64_t data = bytes.size();
    bytes.resize(data + 100, std::byte{0});
    bytes.push_back(std::byte{0x01});
    write_file(path, bytes);
    std::filesystem::remove(marker_path(t->dir_));
    auto log = co_await open_log(fs, t->dir_, no_time_roll());
    CO_ASSERT(log);
    const RecoveryReport& report = log->recovery_report();
    CO_ASSERT(report.corruptions.size() == 1u);
    EXPECT_EQ(report.corruptions[0].position, data);
    EXPECT_EQ(report.bytes_truncated, 101u);
    EXPECT_EQ(report.zero_tail_bytes_cut, 0u);
    EXPECT_EQ(log->log_end_offset(), RecordBatchView(batches.back()).last_offset() + 1);
    CO_ASSERT_OK(co_await log->close());
  });
}

}  // namespace
}  // namespace ringlog::storage::testing
