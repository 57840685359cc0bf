#include "engine/storage/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/base/assert.h"

namespace ringlog::storage {
namespace {

Errno last_errno() { return Errno{errno}; }

// How data writes reach the file.
enum class WriteMode : uint8_t {
  // A plain pwritev on the shard's thread. Buffered writes to ext4 cannot be made
  // non-blocking (RWF_NOWAIT is EOPNOTSUPP), so io_uring hands each one to a kernel worker
  // thread and the handoff dominates: measured in perf/storage.md, the inline call is 2-7x
  // faster. The cost: if the kernel throttles dirty pages, the shard waits with it (as Kafka's
  // writer threads do). Syncs stay on io_uring either way.
  kInline,
  // IORING_OP_WRITEV (the worker-thread path), kept for comparison in the benchmarks.
  kRing,
  // Inline writes and inline fdatasync (experiment: the shard blocks for every sync).
  kInlineWithSync,
};

class RealFileSystem final : public FileSystem {
 public:
  explicit RealFileSystem(WriteMode mode) : mode_(mode) {}

  Result<int, Errno> open(const std::string& path, OpenMode mode) override {
    int flags = O_RDWR | O_CLOEXEC;
    if (mode == OpenMode::kReadWriteCreate) flags |= O_CREAT;
    if (mode == OpenMode::kReadWriteDirect) flags |= O_DIRECT;
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return last_errno();
    return fd;
  }

  Result<void, Errno> close(int fd) override {
    if (::close(fd) != 0) return last_errno();
    return {};
  }

  Task<IoResult> pwritev(int fd, const iovec* iov, unsigned count, uint64_t position) override {
    if (mode_ == WriteMode::kInline) co_return inline_pwritev(fd, iov, count, position);
    co_return co_await reactor::writev(fd, iov, count, position);
  }

  Task<WriteSyncResult> pwritev_fdatasync(int fd, const iovec* iov, unsigned count,
                                          uint64_t position) override {
    if (mode_ == WriteMode::kRing) {
      co_return co_await reactor::writev_then_fdatasync(fd, iov, count, position);
    }
    WriteSyncResult out{.write = inline_pwritev(fd, iov, count, position),
                        .sync = Errno{ECANCELED}};
    // As with the linked pair, a failed or short write cancels the sync.
    size_t total = 0;
    for (unsigned i = 0; i < count; ++i) total += iov[i].iov_len;
    if (out.write && *out.write == total) {
      if (mode_ == WriteMode::kInlineWithSync) {
        out.sync = inline_fdatasync(fd);
      } else {
        // Polled: the append waits for it (ReactorOptions::in_flight_poll_us).
        out.sync = co_await reactor::fdatasync(fd, {.poll_until_done = true});
      }
    }
    co_return out;
  }

  Task<IoResult> pread(int fd, std::span<std::byte> buffer, uint64_t position) override {
    co_return co_await reactor::read(fd, buffer, position);
  }

  Task<IoResult> fdatasync(int fd) override {
    if (mode_ == WriteMode::kInlineWithSync) co_return inline_fdatasync(fd);
    co_return co_await reactor::fdatasync(fd);
  }

  Result<void, Errno> ftruncate(int fd, uint64_t size_bytes) override {
    if (::ftruncate(fd, static_cast<off_t>(size_bytes)) != 0) return last_errno();
    return {};
  }

  Result<void, Errno> preallocate(int fd, uint64_t position, uint64_t length,
                                  Preallocation mode) override {
    const int flags = mode == Preallocation::kKeepSize ? FALLOC_FL_KEEP_SIZE : 0;
    if (::fallocate(fd, flags, static_cast<off_t>(position), static_cast<off_t>(length)) != 0) {
      return last_errno();
    }
    return {};
  }

  Task<IoResult> pwrite_direct(int fd, std::span<const std::byte> bytes,
                               uint64_t position) override {
    co_return co_await reactor::write(fd, bytes, position);
  }

  Result<uint32_t, Errno> direct_io_alignment(int fd) override {
    struct statx stx{};
    if (::statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN | STATX_BASIC_STATS, &stx) != 0) {
      return last_errno();
    }
    if ((stx.stx_mask & STATX_DIOALIGN) == 0 || stx.stx_dio_offset_align == 0) {
      return Errno{EOPNOTSUPP};
    }
    return std::max({stx.stx_dio_offset_align, stx.stx_dio_mem_align, stx.stx_blksize});
  }

  Result<uint64_t, Errno> file_size(int fd) override {
    struct stat st{};
    if (::fstat(fd, &st) != 0) return last_errno();
    return static_cast<uint64_t>(st.st_size);
  }

  Result<void, Errno> unlink(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return last_errno();
    return {};
  }

  Result<bool, Errno> exists(const std::string& path) override {
    struct stat st{};
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT) return false;
    return last_errno();
  }

  Result<std::vector<std::string>, Errno> list_dir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return last_errno();
    std::vector<std::string> names;
    errno = 0;
    while (dirent* e = ::readdir(d)) {
      const std::string_view name(e->d_name);
      if (name != "." && name != "..") names.emplace_back(name);
    }
    const int read_errno = errno;
    ::closedir(d);
    if (read_errno != 0) return Errno{read_errno};
    return names;
  }

  Result<void, Errno> make_dirs(const std::string& dir) override {
    RL_ASSERT(!dir.empty());
    for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
      const std::string prefix = dir.substr(0, slash);
      if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) return last_errno();
      if (slash == std::string::npos) break;
    }
    return {};
  }

  Result<void, Errno> sync_dir(const std::string& dir) override {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return last_errno();
    const int rc = ::fsync(fd);
    const int sync_errno = errno;
    ::close(fd);
    if (rc != 0) return Errno{sync_errno};
    return {};
  }

 private:
  static IoResult inline_pwritev(int fd, const iovec* iov, unsigned count, uint64_t position) {
    ssize_t n;
    do {
      n = ::pwritev(fd, iov, static_cast<int>(count), static_cast<off_t>(position));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return last_errno();
    return static_cast<uint32_t>(n);
  }

  static IoResult inline_fdatasync(int fd) {
    if (::fdatasync(fd) != 0) return last_errno();
    return 0u;
  }

  WriteMode mode_;
};

}  // namespace

FileSystem& real_file_system() {
  static RealFileSystem fs(WriteMode::kInline);
  return fs;
}

FileSystem& inline_sync_file_system() {
  static RealFileSystem fs(WriteMode::kInlineWithSync);
  return fs;
}

FileSystem& ring_write_file_system() {
  static RealFileSystem fs(WriteMode::kRing);
  return fs;
}

FileHandle::~FileHandle() {
  // Nothing useful can be done about a failing close of a file we only read or already synced.
  [[maybe_unused]] Result<void, Errno> r = fs_->close(fd_);
}

Task<Result<void, Errno>> write_all(FileSystem* fs, int fd, std::span<const std::byte> bytes,
                                    uint64_t position) {
  while (!bytes.empty()) {
    iovec iov{.iov_base = const_cast<std::byte*>(bytes.data()), .iov_len = bytes.size()};
    IoResult r = co_await fs->pwritev(fd, &iov, 1, position);
    if (!r) co_return r.error();
    if (*r == 0) co_return Errno{EIO};  // no progress
    RL_ASSERT(*r <= bytes.size());
    bytes = bytes.subspan(*r);
    position += *r;
  }
  co_return Result<void, Errno>{};
}

Task<Result<size_t, Errno>> read_exact(FileSystem* fs, int fd, std::span<std::byte> buffer,
                                       uint64_t position) {
  size_t done = 0;
  while (done < buffer.size()) {
    IoResult r = co_await fs->pread(fd, buffer.subspan(done), position + done);
    if (!r) co_return r.error();
    if (*r == 0) break;  // end of file
    done += *r;
  }
  co_return done;
}

}  // namespace ringlog::storage
