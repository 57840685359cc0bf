#include "net/server/uncached_range.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "engine/storage/file_system.h"
#include "engine/storage/staging_buffer.h"

namespace ringlog::server {
namespace {

// cachestat(2): Debian 12's headers predate it (Linux 6.5); the number is the same on every
// architecture.
constexpr long kCachestatSyscall = 451;
struct CachestatRange {
  uint64_t off;
  uint64_t len;
};
struct Cachestat {
  uint64_t nr_cache;
  uint64_t nr_dirty;
  uint64_t nr_writeback;
  uint64_t nr_evicted;
  uint64_t nr_recently_evicted;
};

// Set once cachestat answered ENOSYS (an older kernel): every range counts as cached.
thread_local bool cachestat_missing = false;

}  // namespace

bool range_is_cached(int fd, uint64_t position, uint64_t length) {
  if (length == 0 || cachestat_missing) return true;
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t first = position / page;
  const uint64_t last = (position + length - 1) / page;
  CachestatRange range{.off = first * page, .len = (last - first + 1) * page};
  Cachestat stat{};
  if (::syscall(kCachestatSyscall, fd, &range, &stat, 0) != 0) {
    if (errno == ENOSYS) cachestat_missing = true;
    return true;
  }
  return stat.nr_cache >= last - first + 1;
}

Result<int, Errno> open_direct_reader(int fd) {
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  const int direct = ::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
  if (direct < 0) return Errno{errno};
  auto alignment = storage::real_file_system().direct_io_alignment(direct);
  if (!alignment || *alignment > storage::StagingBuffer::kAlignment) {
    ::close(direct);
    return Errno{EOPNOTSUPP};
  }
  return direct;
}

}  // namespace ringlog::server
