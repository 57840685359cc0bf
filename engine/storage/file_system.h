#pragma once
// FileSystem: the narrow seam between the partition log and the operating system. Data
// operations (pwritev, pread, fdatasync, and a pwritev linked to an fdatasync) go through the
// shard's io_uring; metadata operations (open, ftruncate, unlink, directory listing) are rare
// and run as plain system calls. Tests wrap real_file_system() to inject torn (short) writes,
// ENOSPC, EIO and so on.
//
// Every call returns errors as values; none throws. Positions are absolute file offsets.

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/base/errno.h"
#include "engine/base/result.h"
#include "engine/reactor/io.h"
#include "engine/reactor/task.h"

namespace ringlog::storage {

using reactor::IoResult;
using reactor::Task;
using reactor::WriteSyncResult;

enum class OpenMode : uint8_t {
  kReadWrite,        // the file must exist
  kReadWriteCreate,  // created empty if missing
  // An existing file, opened for direct writes (O_DIRECT): EINVAL where the file system has
  // none. Reads of the same file go through another, buffered descriptor.
  kReadWriteDirect,
};

// What preallocate() does to the file's size.
enum class Preallocation : uint8_t {
  kKeepSize,  // blocks reserved past the end; the size stays (FALLOC_FL_KEEP_SIZE)
  // The size grows over the reserved blocks, which read as zeros until written: direct writes
  // inside the size, into reserved blocks, are overwrites that ext4 does without waiting on
  // a lock or journaling a new size (see DirectWriter).
  kGrowSize,
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Returns a file descriptor (O_CLOEXEC).
  virtual Result<int, Errno> open(const std::string& path, OpenMode mode) = 0;
  virtual Result<void, Errno> close(int fd) = 0;

  // One positional gathered write. May be short; the caller continues the remainder.
  // `iov` must stay valid until the returned task completes.
  virtual Task<IoResult> pwritev(int fd, const iovec* iov, unsigned count, uint64_t position) = 0;
  // A positional gathered write followed by fdatasync, linked in the ring: the sync starts only
  // if the write moved every byte (a short write cancels it: sync = ECANCELED).
  virtual Task<WriteSyncResult> pwritev_fdatasync(int fd, const iovec* iov, unsigned count,
                                                  uint64_t position) = 0;
  // One positional read. May be short; 0 at end of file.
  virtual Task<IoResult> pread(int fd, std::span<std::byte> buffer, uint64_t position) = 0;
  virtual Task<IoResult> fdatasync(int fd) = 0;

  virtual Result<void, Errno> ftruncate(int fd, uint64_t size_bytes) = 0;
  // Reserves disk blocks for [position, position + length) (fallocate). A hint: callers go on
  // without it when it fails.
  virtual Result<void, Errno> preallocate(int fd, uint64_t position, uint64_t length,
                                          Preallocation mode) = 0;
  // For a descriptor opened with kReadWriteDirect: one positional write of `bytes` through
  // io_uring (the shard does not wait for the device). `bytes`, its size and `position` must be
  // multiples of direct_io_alignment(). May be short. `bytes` must stay valid until the
  // returned task completes.
  virtual Task<IoResult> pwrite_direct(int fd, std::span<const std::byte> bytes,
                                       uint64_t position) = 0;
  // The alignment direct I/O on `fd`'s file keeps to, of memory, positions and lengths: the
  // largest of the direct I/O alignments the kernel reports (statx STATX_DIOALIGN) and the file
  // system's block size (a write of whole blocks into reserved blocks needs no zeroing of a
  // partial block, and so no exclusive lock). A power of two. EOPNOTSUPP when the file system
  // has no direct I/O.
  virtual Result<uint32_t, Errno> direct_io_alignment(int fd) = 0;
  virtual Result<uint64_t, Errno> file_size(int fd) = 0;
  virtual Result<void, Errno> unlink(const std::string& path) = 0;
  virtual Result<bool, Errno> exists(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..".
  virtual Result<std::vector<std::string>, Errno> list_dir(const std::string& dir) = 0;
  // Creates `dir` (and missing parents); succeeds if it exists.
  virtual Result<void, Errno> make_dirs(const std::string& dir) = 0;
  // fsync of the directory itself, so created and removed names are durable.
  virtual Result<void, Errno> sync_dir(const std::string& dir) = 0;
};

// The real one. Data writes are plain pwritev calls on the shard's thread (see WriteMode in
// file_system.cc for why), reads and syncs go through io_uring, metadata operations are system
// calls. Stateless, shared by every shard.
FileSystem& real_file_system();
// The same, but data writes go through io_uring (IORING_OP_WRITEV) too: for benchmarks.
FileSystem& ring_write_file_system();
// Inline writes and inline fdatasync: the shard blocks for each sync (benchmark comparison).
FileSystem& inline_sync_file_system();

// Owns an open file descriptor; closes it through its FileSystem when the last owner lets go.
// Segments hand shared owners to readers so a segment deleted by retention stays readable until
// the fetch that holds it is done.
class FileHandle {
 public:
  FileHandle(FileSystem& fs, int fd) : fs_(&fs), fd_(fd) {}
  ~FileHandle();
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;

  int fd() const { return fd_; }

 private:
  FileSystem* fs_;
  int fd_;
};

// (Coroutine parameters are by value: the FileSystem by pointer, the bytes by span.)
// Writes all of `bytes` at `position`, continuing short writes.
Task<Result<void, Errno>> write_all(FileSystem* fs, int fd, std::span<const std::byte> bytes,
                                    uint64_t position);
// Reads exactly buffer.size() bytes at `position`, or fewer only at end of file; returns the
// number read.
Task<Result<size_t, Errno>> read_exact(FileSystem* fs, int fd, std::span<std::byte> buffer,
                                       uint64_t position);

}  // namespace ringlog::storage
