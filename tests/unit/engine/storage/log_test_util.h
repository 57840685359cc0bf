#pragma once
// Helpers shared by the partition log tests: a temporary directory, batch builders, running a
// coroutine test body on a reactor, reading a whole log back, and FaultyFileSystem, the seam
// through which tests inject short (torn) writes, ENOSPC and EIO.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/reactor/reactor.h"
#include "engine/reactor/task.h"
#include "engine/storage/file_system.h"
#include "engine/storage/log.h"
#include "engine/storage/record_batch.h"
#include "engine/storage/segment_format.h"

namespace ringlog::storage::testing {

using reactor::Task;

// ASSERT_* for coroutine bodies (gtest's return; is not a co_return).
#define CO_ASSERT(cond)                            \
  do {                                             \
    if (!(cond)) {                                 \
      ADD_FAILURE() << "CO_ASSERT failed: " #cond; \
      co_return;                                   \
    }                                              \
  } while (false)

// For awaited values: binds the value to a local first (GCC 12 miscompiles co_await inside an
// if condition, see scripts/check-layering.sh).
#define CO_ASSERT_OK(expr)                            \
  do {                                                \
    auto co_assert_value_ = (expr);                   \
    if (!co_assert_value_) {                          \
      ADD_FAILURE() << "CO_ASSERT_OK failed: " #expr; \
      co_return;                                      \
    }                                                 \
  } while (false)

inline std::string make_temp_dir() {
  std::string pattern = "/tmp/ringlog-log-test-XXXXXX";
  char* made = ::mkdtemp(pattern.data());
  if (made == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

// A batch of `records` records whose values say `tag` and their index, padded to value_bytes.
inline std::vector<std::byte> make_batch(int records, TimestampMs timestamp,
                                         size_t value_bytes = 32, const std::string& tag = "v") {
  RecordBatchBuilder builder;
  for (int i = 0; i < records; ++i) {
    std::string value = tag + "-" + std::to_string(i);
    if (value.size() < value_bytes) value.resize(value_bytes, '.');
    builder.add({.timestamp = timestamp + i, .key = "k", .value = value});
  }
  return builder.build();
}

inline std::vector<std::byte> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(chars.size());
  std::memcpy(out.data(), chars.data(), chars.size());
  return out;
}

inline void write_file(const std::string& path, std::span<const std::byte> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// Every complete batch of the log from its start, each as its own byte vector.
inline Task<Result<std::vector<std::vector<std::byte>>, LogError>> read_all_batches(
    Log* log, FileSystem* fs) {
  std::vector<std::vector<std::byte>> out;
  Offset next = log->log_start_offset();
  while (next < log->log_end_offset()) {
    auto read = co_await log->read({.start = next, .max_bytes = 256 * 1024});
    if (!read) co_return read.error();
    auto bytes = co_await read_file_ranges(fs, read->ranges);
    if (!bytes) co_return LogError::from_errno(bytes.error());
    bool progressed = false;
    for (RecordBatchView batch : split_batches(*bytes)) {
      if (batch.last_offset() < next) continue;
      out.emplace_back(batch.bytes().begin(), batch.bytes().end());
      next = batch.last_offset() + 1;
      progressed = true;
    }
    if (!progressed) co_return LogError{.code = LogErrc::kIo, .io = Errno{EIO}};
  }
  co_return out;
}

// Wraps the real file system; faults apply to writes of every file.
class FaultyFileSystem final : public FileSystem {
 public:
  // Bytes that may still be written; a write past it moves what fits, the next gets ENOSPC.
  std::optional<uint64_t> space_left_bytes;
  // When non-zero, each write moves at most this many bytes (short writes).
  uint32_t write_bytes_max = 0;
  // The next write / fdatasync fails with this errno.
  std::optional<int> fail_next_write;
  std::optional<int> fail_next_sync;
  // Runs (once) when the next fdatasync starts, before it does: lets a test act while a sync
  // is in flight.
  std::function<void()> on_next_sync;
  uint64_t writes = 0;
  uint64_t syncs = 0;
  uint64_t preallocations = 0;
  uint64_t direct_writes = 0;
  uint64_t bytes_read = 0;
  // direct_io_alignment() answers EOPNOTSUPP, as on a file system without direct I/O.
  bool no_direct_io = false;

  Result<int, Errno> open(const std::string& path, OpenMode mode) override {
    return real().open(path, mode);
  }
  Result<void, Errno> close(int fd) override { return real().close(fd); }

  Task<IoResult> pwritev(int fd, const iovec* iov, unsigned count, uint64_t position) override {
    ++writes;
    if (fail_next_write) {
      const int e = *fail_next_write;
      fail_next_write.reset();
      co_return Errno{e};
    }
    uint64_t total = 0;
    for (unsigned i = 0; i < count; ++i) total += iov[i].iov_len;
    uint64_t allowed = total;
    if (write_bytes_max != 0) allowed = std::min<uint64_t>(allowed, write_bytes_max);
    if (space_left_bytes) {
      if (*space_left_bytes == 0) co_return Errno{ENOSPC};
      allowed = std::min(allowed, *space_left_bytes);
    }
    // Cut the iovecs to `allowed` bytes.
    std::vector<iovec> cut;
    uint64_t left = allowed;
    for (unsigned i = 0; i < count && left > 0; ++i) {
      const uint64_t n = std::min<uint64_t>(left, iov[i].iov_len);
      cut.push_back(iovec{.iov_base = iov[i].iov_base, .iov_len = n});
      left -= n;
    }
    IoResult r =
        co_await real().pwritev(fd, cut.data(), static_cast<unsigned>(cut.size()), position);
    if (r && space_left_bytes) *space_left_bytes -= *r;
    co_return r;
  }

  // The faults of pwritev, for direct writes.
  Task<IoResult> pwrite_direct(int fd, std::span<const std::byte> bytes,
                               uint64_t position) override {
    ++writes;
    ++direct_writes;
    if (fail_next_write) {
      const int e = *fail_next_write;
      fail_next_write.reset();
      co_return Errno{e};
    }
    uint64_t allowed = bytes.size();
    if (write_bytes_max != 0) allowed = std::min<uint64_t>(allowed, write_bytes_max);
    if (space_left_bytes) {
      if (*space_left_bytes == 0) co_return Errno{ENOSPC};
      allowed = std::min(allowed, *space_left_bytes);
    }
    // A direct write moves whole blocks: cut to a multiple of the alignment (0 moves nothing).
    auto alignment = real().direct_io_alignment(fd);
    if (!alignment) co_return alignment.error();
    allowed -= allowed % *alignment;
    if (allowed == 0) co_return 0u;
    const std::span<const std::byte> cut = bytes.first(allowed);
    IoResult r = co_await real().pwrite_direct(fd, cut, position);
    if (r && space_left_bytes) *space_left_bytes -= *r;
    co_return r;
  }
  Result<uint32_t, Errno> direct_io_alignment(int fd) override {
    if (no_direct_io) return Errno{EOPNOTSUPP};
    return real().direct_io_alignment(fd);
  }

  Task<WriteSyncResult> pwritev_fdatasync(int fd, const iovec* iov, unsigned count,
                                          uint64_t position) override {
    uint64_t total = 0;
    for (unsigned i = 0; i < count; ++i) total += iov[i].iov_len;
    IoResult w = co_await pwritev(fd, iov, count, position);
    if (!w) co_return WriteSyncResult{w, Errno{ECANCELED}};
    if (*w < total) co_return WriteSyncResult{w, Errno{ECANCELED}};
    IoResult s = co_await fdatasync(fd);
    co_return WriteSyncResult{w, s};
  }

  Task<IoResult> pread(int fd, std::span<std::byte> buffer, uint64_t position) override {
    IoResult r = co_await real().pread(fd, buffer, position);
    if (r) bytes_read += *r;
    co_return r;
  }

  Task<IoResult> fdatasync(int fd) override {
    ++syncs;
    if (on_next_sync) std::exchange(on_next_sync, nullptr)();
    if (fail_next_sync) {
      const int e = *fail_next_sync;
      fail_next_sync.reset();
      co_return Errno{e};
    }
    co_return co_await real().fdatasync(fd);
  }

  Result<void, Errno> ftruncate(int fd, uint64_t size) override {
    return real().ftruncate(fd, size);
  }
  Result<void, Errno> preallocate(int fd, uint64_t position, uint64_t length,
                                  Preallocation mode) override {
    ++preallocations;
    if (space_left_bytes) return Errno{ENOSPC};  // a full disk has no blocks to reserve
    return real().preallocate(fd, position, length, mode);
  }
  Result<uint64_t, Errno> file_size(int fd) override { return real().file_size(fd); }
  Result<void, Errno> unlink(const std::string& path) override { return real().unlink(path); }
  Result<bool, Errno> exists(const std::string& path) override { return real().exists(path); }
  Result<std::vector<std::string>, Errno> list_dir(const std::string& dir) override {
    return real().list_dir(dir);
  }
  Result<void, Errno> make_dirs(const std::string& dir) override { return real().make_dirs(dir); }
  Result<void, Errno> sync_dir(const std::string& dir) override { return real().sync_dir(dir); }

 private:
  static FileSystem& real() { return real_file_system(); }
};

// Fixture base: a temp directory removed afterwards, and a reactor to run test bodies on.
class LogTestBase : public ::testing::Test {
 public:
  void SetUp() override { dir_ = make_temp_dir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  template <typename Body>
  void run(Body body) {
    reactor_.block_on(body(this));
  }

  std::string log_path(Offset base) const { return Segment::paths(dir_, base).log; }

  reactor::Reactor reactor_;
  std::string dir_;
};

}  // namespace ringlog::storage::testing

namespace ringlog::storage::testing {

// Test batches carry timestamps near 1970; this keeps segment.ms from rolling on them after a
// reopen (a reopened segment's age counts from its first batch's timestamp).
inline LogOptions no_time_roll(LogOptions options = {}) {
  options.segment_ms = int64_t{1} << 60;
  return options;
}

// Log::open that reports a failure to gtest and returns null.
inline Task<std::unique_ptr<Log>> open_log(FileSystem* fs, std::string dir, LogOptions options) {
  auto opened = co_await Log::open(fs, std::move(dir), std::move(options));
  if (!opened) {
    ADD_FAILURE() << "Log::open failed: " << to_string(opened.error());
    co_return nullptr;
  }
  co_return std::move(*opened);
}

// For a log that keeps zeros past its data while open (zeros filled ahead, or a file grown over
// reserved blocks): appends 100 records under `dir`/live, copies the files as a crash would
// leave them (no clean-shutdown marker, the zeros still there), closes the log, and checks that
// the copy recovers every batch, cuts the zeros without calling them a corruption, and appends
// at the next offset.
inline Task<void> expect_a_crash_copy_cuts_the_zero_tail(FileSystem* fs, std::string dir,
                                                         LogOptions options) {
  const std::string live = dir + "/live";
  const std::string crashed = dir + "/crashed";
  auto log = co_await open_log(fs, live, options);
  CO_ASSERT(log);
  std::vector<std::vector<std::byte>> appended;
  uint64_t data = 0;
  for (int i = 0; i < 50; ++i) {
    auto batch = make_batch(2, TimestampMs(i), 900);
    CO_ASSERT_OK(co_await log->append(batch));
    data += batch.size();
    appended.push_back(batch);
  }
  std::filesystem::copy(live, crashed);
  CO_ASSERT_OK(co_await log->close());
  const uint64_t crashed_size = std::filesystem::file_size(
      crashed + "/" + segment_format::file_name(Offset(0), segment_format::kLogSuffix));
  CO_ASSERT(crashed_size > data);

  auto recovered = co_await open_log(fs, crashed, options);
  CO_ASSERT(recovered);
  const RecoveryReport& report = recovered->recovery_report();
  EXPECT_FALSE(report.clean_shutdown);
  EXPECT_TRUE(report.corruptions.empty());
  EXPECT_EQ(report.bytes_truncated, 0u);
  EXPECT_EQ(report.zero_tail_bytes_cut, crashed_size - data);
  auto all = co_await read_all_batches(recovered.get(), fs);
  CO_ASSERT(all);
  EXPECT_EQ(*all, appended);
  auto one_more = make_batch(1, TimestampMs(99));
  auto next = co_await recovered->append(one_more);
  CO_ASSERT(next);
  EXPECT_EQ(next->base_offset, Offset(100));
  CO_ASSERT_OK(co_await recovered->close());
}

}  // namespace ringlog::storage::testing
