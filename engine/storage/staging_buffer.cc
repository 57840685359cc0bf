#include "engine/storage/staging_buffer.h"

#include <cstdlib>
#include <vector>

#include "engine/base/assert.h"

namespace ringlog::storage {
namespace {

// A shard's free buffers (thread-local: a shard is a thread). A buffer taken on one shard may be
// put back on another (a connection that moved); the memory is plain heap memory either way.
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
    void* b = std::aligned_alloc(StagingBuffer::kAlignment, StagingBuffer::kBytes);
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

}  // namespace

StagingBuffer::StagingBuffer() : bytes_(staging_pool.take()) {}

StagingBuffer::~StagingBuffer() { staging_pool.give(bytes_); }

}  // namespace ringlog::storage
