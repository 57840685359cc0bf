#include "engine/storage/direct_writer.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "engine/base/assert.h"

namespace ringlog::storage {
namespace {

// A shard's staging buffers: taken for one write and put back. A few stay allocated, so that
// the buffers a busy shard writes from are resident (no page faults) and reused.
class StagingPool {
 public:
  ~StagingPool() {
    for (std::byte* b : free_) std::free(b);
  }
  std::byte* take() {
    if (!free_.empty()) {
      std::byte* b = free_.back();
      free_.pop_back();
      return b;
    }
    void* b = std::aligned_alloc(DirectWriter::kAlignmentMax, DirectWriter::kStagingBytes);
    RL_ASSERT(b != nullptr, "out of memory for a staging buffer");
    return static_cast<std::byte*>(b);
  }
  void give(std::byte* b) {
    if (free_.size() < kFreeMax) {
      free_.push_back(b);
    } else {
      std::free(b);
    }
  }

 private:
  static constexpr size_t kFreeMax = 4;
  std::vector<std::byte*> free_;
};

thread_local StagingPool staging_pool;

// One staging buffer for the length of a write (a coroutine frame may hold it across awaits:
// it stays on its shard's thread).
class StagingBuffer {
 public:
  StagingBuffer() : bytes_(staging_pool.take()) {}
  ~StagingBuffer() { staging_pool.give(bytes_); }
  StagingBuffer(const StagingBuffer&) = delete;
  StagingBuffer& operator=(const StagingBuffer&) = delete;
  std::byte* data() const { return bytes_; }

 private:
  std::byte* bytes_;
};

}  // namespace

Result<std::unique_ptr<DirectWriter>, Errno> DirectWriter::open(FileSystem* fs,
                                                                const std::string& path) {
  auto fd = fs->open(path, OpenMode::kReadWriteDirect);
  if (!fd) return fd.error();
  auto alignment = fs->direct_write_alignment(*fd);
  if (!alignment || *alignment > kAlignmentMax || (*alignment & (*alignment - 1)) != 0) {
    (void)fs->close(*fd);
    return alignment ? Errno{EOPNOTSUPP} : alignment.error();
  }
  return std::unique_ptr<DirectWriter>(new DirectWriter(fs, *fd, *alignment));
}

DirectWriter::DirectWriter(FileSystem* fs, int fd, uint32_t alignment)
    : fs_(fs),
      fd_(fd),
      alignment_(alignment),
      tail_(static_cast<std::byte*>(std::aligned_alloc(kAlignmentMax, kAlignmentMax)), std::free) {
  RL_ASSERT(tail_ != nullptr);
}

DirectWriter::~DirectWriter() { (void)fs_->close(fd_); }

Task<Result<void, Errno>> DirectWriter::load_tail(uint64_t start) {
  tail_start_ = align_down(start);
  tail_end_ = kUnknown;
  if (tail_start_ < start) {
    // A direct read too: it needs the same alignment, and sees what direct writes wrote.
    const std::span<std::byte> block(tail_.get(), alignment_);
    IoResult got = co_await fs_->pread(fd_, block, tail_start_);
    if (!got) co_return got.error();
    if (*got < start - tail_start_) co_return Errno{EIO};  // the file is shorter than its data
  }
  tail_end_ = start;
  co_return Result<void, Errno>{};
}

Task<Result<void, Errno>> DirectWriter::write_out(const std::byte* buffer, uint64_t length,
                                                  uint64_t position) {
  uint64_t done = 0;
  while (done < length) {
    const std::span<const std::byte> rest(buffer + done, length - done);
    IoResult wrote = co_await fs_->pwrite_direct(fd_, rest, position + done);
    if (!wrote) co_return wrote.error();
    // A short write is continued from its last whole block (the bytes after it are written
    // again); one that moved less than a block made no progress.
    const uint64_t whole = align_down(*wrote);
    if (whole == 0) co_return Errno{EIO};
    done += whole;
  }
  co_return Result<void, Errno>{};
}

Task<Result<uint64_t, Errno>> DirectWriter::write(const iovec* iov, unsigned count,
                                                  uint64_t start) {
  if (tail_end_ != start) {
    auto loaded = co_await load_tail(start);
    if (!loaded) co_return loaded.error();
  }
  const uint64_t head = start - tail_start_;
  tail_end_ = kUnknown;  // until this write succeeds

  StagingBuffer staging;
  std::byte* const buffer = staging.data();
  std::memcpy(buffer, tail_.get(), head);
  uint64_t position = tail_start_;  // of buffer[0] in the file
  uint64_t filled = head;
  for (unsigned i = 0; i < count; ++i) {
    const auto* from = static_cast<const std::byte*>(iov[i].iov_base);
    uint64_t left = iov[i].iov_len;
    while (left > 0) {
      const uint64_t n = std::min<uint64_t>(left, kStagingBytes - filled);
      std::memcpy(buffer + filled, from, n);
      filled += n;
      from += n;
      left -= n;
      if (filled == kStagingBytes) {
        auto out = co_await write_out(buffer, filled, position);
        if (!out) co_return out.error();
        position += filled;
        filled = 0;
      }
    }
  }
  const uint64_t end = position + filled;
  const uint64_t whole = align_down(filled);
  const uint64_t padded = filled == whole ? whole : whole + alignment_;
  if (padded > 0) {
    std::memset(buffer + filled, 0, padded - filled);
    auto out = co_await write_out(buffer, padded, position);
    if (!out) co_return out.error();
  }
  // The new last partial block, for the next write.
  tail_start_ = position + whole;
  std::memcpy(tail_.get(), buffer + whole, filled - whole);
  tail_end_ = end;
  co_return position + padded;
}

}  // namespace ringlog::storage
