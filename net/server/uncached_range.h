#pragma once
// Reading file ranges that are not in the page cache. A fetch of recent data usually finds it
// cached (written buffered, or read before) and splices it to the socket. Data the log wrote
// with direct writes (engine/storage/direct_writer.h), or that the kernel evicted, is not
// cached, and splicing it would fill the page cache with fresh pages on the shard's thread: on
// this VM, where fresh pages fault in the host, a consumer of such a log got 430-500 MB/s
// against 1.5-2.1 GB/s from a cached one (perf/broker.md, session 5). Such a range is read with
// O_DIRECT through io_uring into a resident staging buffer and sent from there: one copy, into
// the socket, and nothing left in the page cache.

#include <cstdint>

#include "engine/base/errno.h"
#include "engine/base/result.h"

namespace ringlog::server {

// Whether every page of [position, position + length) of `fd`'s file is in the page cache
// (cachestat(2), Linux 6.5). True where the kernel has no cachestat: the caller splices.
bool range_is_cached(int fd, uint64_t position, uint64_t length);

// A second descriptor of `fd`'s file, opened read-only with O_DIRECT (through /proc/self/fd),
// for reads aligned to storage::StagingBuffer::kAlignment. An error where the file system has
// no direct I/O or needs a larger alignment (storage::FileSystem::direct_io_alignment).
Result<int, Errno> open_direct_reader(int fd);

}  // namespace ringlog::server
