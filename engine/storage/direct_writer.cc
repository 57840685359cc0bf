#include "engine/storage/direct_writer.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "engine/base/assert.h"
#include "engine/reactor/when_all.h"
#include "engine/storage/staging_buffer.h"

namespace ringlog::storage {

Result<std::unique_ptr<DirectWriter>, Errno> DirectWriter::open(FileSystem* fs,
                                                                const std::string& path) {
  auto fd = fs->open(path, OpenMode::kReadWriteDirect);
  if (!fd) return fd.error();
  auto alignment = fs->direct_io_alignment(*fd);
  if (!alignment || *alignment > StagingBuffer::kAlignment) {
    (void)fs->close(*fd);
    return alignment ? Errno{EOPNOTSUPP} : alignment.error();
  }
  RL_ASSERT((*alignment & (*alignment - 1)) == 0, "align_down masks with it");
  return std::unique_ptr<DirectWriter>(new DirectWriter(fs, *fd, *alignment));
}

DirectWriter::DirectWriter(FileSystem* fs, int fd, uint32_t alignment)
    : fs_(fs),
      fd_(fd),
      alignment_(alignment),
      tail_(static_cast<std::byte*>(
                std::aligned_alloc(StagingBuffer::kAlignment, StagingBuffer::kAlignment)),
            std::free) {
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

  // Chunks of a staging buffer each; up to kChunksInFlight written at once.
  std::vector<std::unique_ptr<StagingBuffer>> buffers;
  std::vector<Task<Result<void, Errno>>> writes;
  buffers.push_back(std::make_unique<StagingBuffer>());
  std::byte* buffer = buffers.back()->data();
  std::memcpy(buffer, tail_.get(), head);
  uint64_t position = tail_start_;  // of buffer[0] in the file
  uint64_t filled = head;
  for (unsigned i = 0; i < count; ++i) {
    const auto* from = static_cast<const std::byte*>(iov[i].iov_base);
    uint64_t left = iov[i].iov_len;
    while (left > 0) {
      const uint64_t n = std::min<uint64_t>(left, StagingBuffer::kBytes - filled);
      std::memcpy(buffer + filled, from, n);
      filled += n;
      from += n;
      left -= n;
      if (filled == StagingBuffer::kBytes) {
        writes.push_back(write_out(buffer, filled, position));
        position += filled;
        filled = 0;
        if (writes.size() == kChunksInFlight) {
          auto done = co_await when_all_succeeded(std::move(writes));
          if (!done) co_return done.error();
          writes.clear();
          buffers.clear();
        }
        buffers.push_back(std::make_unique<StagingBuffer>());
        buffer = buffers.back()->data();
      }
    }
  }
  const uint64_t end = position + filled;
  const uint64_t whole = align_down(filled);
  const uint64_t padded = filled == whole ? whole : whole + alignment_;
  if (padded > 0) {
    std::memset(buffer + filled, 0, padded - filled);
    writes.push_back(write_out(buffer, padded, position));
  }
  if (!writes.empty()) {
    auto done = co_await when_all_succeeded(std::move(writes));
    if (!done) co_return done.error();
  }
  // The new last partial block, for the next write.
  tail_start_ = position + whole;
  std::memcpy(tail_.get(), buffer + whole, filled - whole);
  tail_end_ = end;
  co_return position + padded;
}

Task<Result<void, Errno>> DirectWriter::when_all_succeeded(
    std::vector<Task<Result<void, Errno>>> writes) {
  std::vector<Result<void, Errno>> results = co_await reactor::when_all(std::move(writes));
  for (const auto& r : results) {
    if (!r) co_return r.error();
  }
  co_return Result<void, Errno>{};
}

}  // namespace ringlog::storage
