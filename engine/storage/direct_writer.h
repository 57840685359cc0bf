#pragma once
// DirectWriter: writes the appends of one segment file with O_DIRECT, through staging buffers.
//
// Why: a buffered write copies the batches into fresh page-cache pages, and ext4 then tracks
// each page (buffer heads, extent lookups) until writeback. On this VM fresh pages also fault
// in the host (the balloon's free page reporting), which made produce runs bimodal: 0.42-0.63
// GB/s at 1.4-2.3 CPU s/GB buffered, against 1.5-1.6 GB/s at 0.28 s/GB direct, alternating runs
// of the broker at 1 KiB records (perf/broker.md, session 5). A direct write copies the batches
// once, into a resident staging buffer that is reused, and hands that to the device.
// The cost: produce runs no faster than the disk writes (~1.6 GB/s here, against ~1.9 GB/s
// buffered in a good period), and consumers read from the disk, not from the page cache; so it
// is an option (LogOptions::direct_writes, the broker's log.direct.writes), off by default.
//
// How: direct writes need aligned memory, positions and lengths (direct_io_alignment(): the
// file system's block, 4 KiB on ext4). A write covers [align_down(start), align_up(end)): it
// begins with the bytes of the file's last, partial block (kept from the previous write, or read
// back once) and ends with zeros, which the next write overwrites. So the file holds up to one
// block of zeros past its data; Segment::release_reserve cuts them at seal and close, and
// recovery cuts an all-zero tail after a crash.
//
// Readers stay coherent: the kernel drops cached pages of the range a direct write covers, and
// the bytes readers may see (those before the log's written offset) are written again unchanged.
//
// One write at a time (the log's appender awaits each). Owned by one shard.

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/errno.h"
#include "engine/base/result.h"
#include "engine/storage/file_system.h"

namespace ringlog::storage {

class DirectWriter {
 public:
  // Staging-buffer chunks of one append written at once. The appender writes one group at a
  // time, and at one chunk at a time the device was the bottleneck: 10-17 MiB groups took
  // 6.5-10.6 ms (~1.6 GB/s; fio: 3.1 GB/s at queue depth 4).
  static constexpr size_t kChunksInFlight = 4;

  // Opens `path` (which exists) for direct writes. EOPNOTSUPP or EINVAL: the file system has no
  // direct I/O, or needs an alignment over StagingBuffer::kAlignment; the caller writes buffered.
  static Result<std::unique_ptr<DirectWriter>, Errno> open(FileSystem* fs, const std::string& path);
  ~DirectWriter();
  DirectWriter(const DirectWriter&) = delete;
  DirectWriter& operator=(const DirectWriter&) = delete;

  uint32_t alignment() const { return alignment_; }

  // Writes the bytes of `iov` (the iovecs themselves are not kept) at `start`, the end of the
  // file's data. Returns the end of what the write put in the file: start plus the bytes, plus
  // the zeros that pad them to a block. On an error, bytes past `start` may or may not be in the
  // file (the caller cuts them).
  Task<Result<uint64_t, Errno>> write(const iovec* iov, unsigned count, uint64_t start);

 private:
  DirectWriter(FileSystem* fs, int fd, uint32_t alignment);
  // Makes tail_ hold the file's bytes [align_down(start), start).
  Task<Result<void, Errno>> load_tail(uint64_t start);
  // Writes buffer[0, length) at `position`, continuing short writes.
  Task<Result<void, Errno>> write_out(const std::byte* buffer, uint64_t length, uint64_t position);
  // Runs the writes at once; the first error of any.
  static Task<Result<void, Errno>> when_all_succeeded(
      std::vector<Task<Result<void, Errno>>> writes);
  uint64_t align_down(uint64_t n) const { return n & ~uint64_t{alignment_ - 1}; }

  FileSystem* fs_;
  int fd_;
  uint32_t alignment_;
  // The file's last partial block: its bytes [tail_start_, tail_end_), tail_end_ being the end
  // of the data as of the last write; kUnknown after an error or before the first write.
  static constexpr uint64_t kUnknown = UINT64_MAX;
  std::unique_ptr<std::byte, void (*)(void*)> tail_;
  uint64_t tail_start_ = 0;
  uint64_t tail_end_ = kUnknown;
};

}  // namespace ringlog::storage
