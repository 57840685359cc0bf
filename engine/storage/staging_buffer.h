#pragma once
// StagingBuffer: one aligned, resident buffer for direct I/O, taken from its shard's pool for one
// write or read and put back. A few stay allocated per shard, so that the memory a busy shard
// moves data through is touched once and reused: no page faults, and on a VM none of the host
// faults fresh pages cost (perf/broker.md, session 5). Direct writes (direct_writer.h) and the
// direct reads of uncached file ranges (net/server/direct_range_reader.h) use them.

#include <cstddef>
#include <cstdint>

namespace ringlog::storage {

class StagingBuffer {
 public:
  static constexpr size_t kBytes = 4u << 20;
  // Alignment of the memory: a direct I/O needing more is not done (callers go buffered).
  static constexpr uint32_t kAlignment = 4096;

  StagingBuffer();
  ~StagingBuffer();
  StagingBuffer(const StagingBuffer&) = delete;
  StagingBuffer& operator=(const StagingBuffer&) = delete;

  std::byte* data() const { return bytes_; }

 private:
  std::byte* bytes_;
};

}  // namespace ringlog::storage
