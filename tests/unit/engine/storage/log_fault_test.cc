// Write failures (ENOSPC, EIO, failed fdatasync, short writes) fail only the appends they hit,
// lose nothing acknowledged before, and leave a log that continues at the right offset: through
// the FaultyFileSystem seam, and for real with RLIMIT_FSIZE (EFBIG) and a full tmpfs (ENOSPC).

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/reactor/timer.h"
#include "engine/storage/log.h"
#include "tests/unit/engine/storage/log_test_util.h"

namespace ringlog::storage::testing {
namespace {

using LogFaultTest = LogTestBase;

// Appends batches of about `value_bytes` each until one fails; returns the acknowledged ones
// (patched) and the error.
struct FillResult {
  std::vector<std::vector<std::byte>> acked;
  std::optional<LogError> error;
};

Task<FillResult> append_until_error(Log* log, int max_appends, size_t value_bytes) {
  FillResult out;
  for (int i = 0; i < max_appends; ++i) {
    auto batch = make_batch(4, TimestampMs(1'000 + i), value_bytes, "a" + std::to_string(i));
    auto r = co_await log->append(batch);
    if (!r) {
      out.error = r.error();
      co_return out;
    }
    out.acked.push_back(batch);
  }
  co_return out;
}

// After a failed append: what was acknowledged is all there, byte for byte, the file ends where
// the last acknowledged batch does, and the next append continues at the right offset — also
// after a reopen.
Task<void> check_log_after_failure(Log* log, FileSystem* fs, std::string dir,
                                   std::vector<std::vector<std::byte>> acked) {
  const Offset end = acked.empty() ? Offset(0) : RecordBatchView(acked.back()).last_offset() + 1;
  EXPECT_EQ(log->log_end_offset(), end);
  EXPECT_EQ(log->appended_offset(), end);
  auto all = co_await read_all_batches(log, fs);
  CO_ASSERT(all);
  EXPECT_EQ(*all, acked);
  uint64_t on_disk = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") on_disk += std::filesystem::file_size(entry.path());
  }
  EXPECT_EQ(on_disk, log->size_bytes());
}

TEST_F(LogFaultTest, DiskFullThroughTheSeamFailsTheAppendAndLosesNothingAcknowledged) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem fs;
    fs.space_left_bytes = 10'000;  // the write that crosses it is cut short, then ENOSPC
    auto log = co_await open_log(&fs, t->dir_, no_time_roll());
    CO_ASSERT(log);
    auto filled = co_await append_until_error(log.get(), 1000, 200);
    CO_ASSERT(filled.error.has_value());
    EXPECT_EQ(filled.error->code, LogErrc::kIo);
    EXPECT_EQ(filled.error->io.code, ENOSPC);
    EXPECT_GT(filled.acked.size(), 5u);
    EXPECT_EQ(log->stats().failed_writes, 1u);
    co_await check_log_after_failure(log.get(), &fs, t->dir_, filled.acked);
    // Space frees up: appending continues where the acknowledged data ends.
    fs.space_left_bytes.reset();
    auto more = make_batch(2, TimestampMs(9));
    auto r = co_await log->append(more);
    CO_ASSERT(r);
    EXPECT_EQ(r->base_offset, RecordBatchView(filled.acked.back()).last_offset() + 1);
    filled.acked.push_back(more);
    co_await check_log_after_failure(log.get(), &fs, t->dir_, filled.acked);
    CO_ASSERT_OK(co_await log->close());
    // And after a crash-style reopen (no marker), the same.
    std::filesystem::remove(t->dir_ + "/clean_shutdown");
    log = co_await open_log(&fs, t->dir_, no_time_roll());
    CO_ASSERT(log);
    EXPECT_TRUE(log->recovery_report().corruptions.empty());
    co_await check_log_after_failure(log.get(), &fs, t->dir_, filled.acked);
    CO_ASSERT_OK(co_await log->close());
  });
}

// Appends one batch; records success or the error.
Task<void> append_recording(Log* log, std::vector<std::byte>* batch, std::optional<LogError>* error,
                            bool* ok, int* finished) {
  auto r = co_await log->append(*batch);
  *ok = r.has_value();
  if (!r) *error = r.error();
  ++*finished;
}

TEST_F(LogFaultTest, WriteErrorFailsEveryAppendOfTheWriteAndThoseQueuedBehindIt) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem fs;
    auto log = co_await open_log(&fs, t->dir_, no_time_roll());
    CO_ASSERT(log);
    auto first = make_batch(3, TimestampMs(1));
    CO_ASSERT_OK(co_await log->append(first));
    fs.fail_next_write = EIO;
    constexpr int kAppends = 8;
    std::vector<std::vector<std::byte>> batches;
    for (int i = 0; i < kAppends; ++i) batches.push_back(make_batch(2, TimestampMs(i)));
    std::vector<std::optional<LogError>> errors(kAppends);
    std::vector<char> oks(kAppends, 0);
    int finished = 0;
    for (int i = 0; i < kAppends; ++i) {
      reactor::Reactor::current().spawn(append_recording(
          log.get(), &batches[i], &errors[i], reinterpret_cast<bool*>(&oks[i]), &finished));
    }
    while (finished < kAppends) co_await reactor::sleep(std::chrono::milliseconds(1));
    for (int i = 0; i < kAppends; ++i) {
      EXPECT_FALSE(oks[i]);
      CO_ASSERT(errors[i].has_value());
      EXPECT_EQ(errors[i]->io.code, EIO);
    }
    std::vector<std::vector<std::byte>> acked;  // (a braced temporary in co_await trips GCC 12)
    acked.push_back(first);
    co_await check_log_after_failure(log.get(), &fs, t->dir_, acked);
    auto next = make_batch(1, TimestampMs(2));
    auto r = co_await log->append(next);
    CO_ASSERT(r);
    EXPECT_EQ(r->base_offset, Offset(3));
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogFaultTest, FailedFdatasyncFailsTheAppendAndUndoesItsWrite) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem fs;
    auto log =
        co_await open_log(&fs, t->dir_, no_time_roll({.flush = FlushPolicy::every_append()}));
    CO_ASSERT(log);
    auto first = make_batch(3, TimestampMs(1));
    auto ok = co_await log->append(first);
    CO_ASSERT(ok);
    EXPECT_EQ(ok->durability, Durability::kDurable);
    fs.fail_next_sync = EIO;
    auto second = make_batch(3, TimestampMs(2));
    auto r = co_await log->append(second);
    CO_ASSERT(!r);
    EXPECT_EQ(r.error().io.code, EIO);
    EXPECT_EQ(log->durable_offset(), Offset(3));
    std::vector<std::vector<std::byte>> acked;  // (a braced temporary in co_await trips GCC 12)
    acked.push_back(first);
    co_await check_log_after_failure(log.get(), &fs, t->dir_, acked);
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogFaultTest, ShortWritesAreContinuedFromWhereTheyStopped) {
  run([](LogTestBase* t) -> Task<void> {
    FaultyFileSystem fs;
    fs.write_bytes_max = 97;
    auto log =
        co_await open_log(&fs, t->dir_, no_time_roll({.flush = FlushPolicy::every_append()}));
    CO_ASSERT(log);
    std::vector<std::vector<std::byte>> acked;
    for (int i = 0; i < 20; ++i) {
      auto batch = make_batch(3, TimestampMs(i), 60);
      auto r = co_await log->append(batch);
      CO_ASSERT(r);
      EXPECT_EQ(r->durability, Durability::kDurable);
      acked.push_back(batch);
    }
    EXPECT_GT(log->stats().short_writes, 20u);
    fs.write_bytes_max = 0;
    co_await check_log_after_failure(log.get(), &fs, t->dir_, acked);
    CO_ASSERT_OK(co_await log->close());
  });
}

// Restores the file size limit and SIGXFSZ disposition when the test ends.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  sighandler_t old_handler_;
};

TEST_F(LogFaultTest, RealFileSizeLimitFailsTheAppendWithEfbigAndLosesNothing) {
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    auto log = co_await open_log(fs, t->dir_, no_time_roll());
    CO_ASSERT(log);
    FillResult filled;
    {
      FileSizeLimit limit(64 * 1024);
      filled = co_await append_until_error(log.get(), 10'000, 300);
    }
    CO_ASSERT(filled.error.has_value());
    EXPECT_EQ(filled.error->io.code, EFBIG);
    EXPECT_GT(filled.acked.size(), 10u);
    co_await check_log_after_failure(log.get(), fs, t->dir_, filled.acked);
    auto more = make_batch(2, TimestampMs(9));
    auto r = co_await log->append(more);
    CO_ASSERT(r);
    filled.acked.push_back(more);
    CO_ASSERT_OK(co_await log->close());
    std::filesystem::remove(t->dir_ + "/clean_shutdown");
    log = co_await open_log(fs, t->dir_, no_time_roll());
    CO_ASSERT(log);
    co_await check_log_after_failure(log.get(), fs, t->dir_, filled.acked);
    CO_ASSERT_OK(co_await log->close());
  });
}

TEST_F(LogFaultTest, RealFullTmpfsFailsTheAppendWithEnospcAndLosesNothing) {
  const std::string mount_point = dir_ + "/tmpfs";
  std::filesystem::create_directory(mount_point);
  if (::mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=1m") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs (needs root): " << std::strerror(errno);
  }
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{mount_point};
  // Take part of the space with a file we can delete later to "free space".
  const std::string filler = mount_point + "/filler";
  write_file(filler, std::vector<std::byte>(256 * 1024, std::byte{1}));
  run([](LogTestBase* t) -> Task<void> {
    FileSystem* fs = &real_file_system();
    const std::string dir = t->dir_ + "/tmpfs/log";
    auto log = co_await open_log(fs, dir, no_time_roll());
    CO_ASSERT(log);
    auto filled = co_await append_until_error(log.get(), 100'000, 1000);
    CO_ASSERT(filled.error.has_value());
    EXPECT_EQ(filled.error->io.code, ENOSPC);
    EXPECT_GT(filled.acked.size(), 50u);
    co_await check_log_after_failure(log.get(), fs, dir, filled.acked);
    std::filesystem::remove(t->dir_ + "/tmpfs/filler");
    auto more = make_batch(2, TimestampMs(9));
    auto r = co_await log->append(more);
    CO_ASSERT(r);
    EXPECT_EQ(r->base_offset, RecordBatchView(filled.acked.back()).last_offset() + 1);
    filled.acked.push_back(more);
    CO_ASSERT_OK(co_await log->close());
    std::filesystem::remove(dir + "/clean_shutdown");
    log = co_await open_log(fs, dir, no_time_roll());
    CO_ASSERT(log);
    EXPECT_TRUE(log->recovery_report().corruptions.empty());
    co_await check_log_after_failure(log.get(), fs, dir, filled.acked);
    CO_ASSERT_OK(co_await log->close());
  });
}

}  // namespace
}  // namespace ringlog::storage::testing
