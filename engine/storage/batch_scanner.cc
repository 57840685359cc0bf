#include "engine/storage/batch_scanner.h"

#include <algorithm>
#include <cstring>

#include "engine/base/assert.h"
#include "engine/storage/record_batch_format.h"

namespace ringlog::storage {

const char* to_string(ScanStop stop) {
  switch (stop) {
    case ScanStop::kEnd:
      return "end";
    case ScanStop::kTornHeader:
      return "torn batch header";
    case ScanStop::kTornBatch:
      return "torn batch";
    case ScanStop::kBadLength:
      return "bad batch length";
    case ScanStop::kInvalid:
      return "invalid batch";
  }
  return "?";
}

BatchScanner::BatchScanner(FileSystem* fs, int fd, Options options)
    : fs_(fs), fd_(fd), options_(options), position_(options.start), read_position_(options.start) {
  RL_ASSERT(options_.start <= options_.end);
  RL_ASSERT(options_.chunk_bytes >= batch_format::kHeaderBytes);
  RL_ASSERT(!(options_.validate && options_.headers_only), "validation needs whole batches");
}

Task<Result<std::optional<ScannedBatch>, Errno>> BatchScanner::next() {
  for (;;) {
    RL_DASSERT(begin_ <= end_);
    const size_t available = end_ - begin_;
    const uint64_t region_left = options_.end - position_;
    if (region_left == 0) {
      stop_ = ScanStop::kEnd;
      co_return std::nullopt;
    }
    size_t needed = batch_format::kLogOverheadBytes;
    if (available >= batch_format::kLogOverheadBytes) {
      const int32_t batch_length =
          batch_format::load_be<int32_t>(buffer_.data() + begin_ + batch_format::kBatchLengthAt);
      if (batch_length < batch_format::kBatchLengthMin) {
        stop_ = ScanStop::kBadLength;
        co_return std::nullopt;
      }
      const uint64_t size = static_cast<uint64_t>(batch_length) + batch_format::kLogOverheadBytes;
      if (size > region_left) {
        stop_ = ScanStop::kTornBatch;
        co_return std::nullopt;
      }
      const size_t view_bytes = options_.headers_only ? batch_format::kHeaderBytes : size;
      if (available >= view_bytes) {
        const RecordBatchView view(
            std::span<const std::byte>(buffer_.data() + begin_, view_bytes));
        if (options_.validate) {
          auto info = view.validate(BatchSource::kLog);
          if (!info) {
            stop_ = ScanStop::kInvalid;
            batch_error_ = info.error();
            co_return std::nullopt;
          }
        }
        ScannedBatch batch{.position = position_, .view = view, .size_bytes = size};
        if (available >= size) {
          begin_ += size;
        } else {
          // headers_only: skip the part of the body not read (the view stays valid: the
          // buffer is only reused by the next refill).
          read_position_ = position_ + size;
          begin_ = end_ = 0;
        }
        position_ += size;
        co_return batch;
      }
      needed = view_bytes;  // bounded by region_left, so never more than the file holds
    } else if (available == region_left) {
      stop_ = ScanStop::kTornHeader;
      co_return std::nullopt;
    }
    auto r = co_await refill(needed);
    if (!r) co_return r.error();
  }
}

Task<Result<void, Errno>> BatchScanner::refill(size_t needed_bytes) {
  const size_t available = end_ - begin_;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, available);
    begin_ = 0;
    end_ = available;
  }
  const size_t capacity = std::max(needed_bytes, options_.chunk_bytes);
  if (buffer_.size() < capacity) buffer_.resize(capacity);
  const uint64_t file_left = options_.end - read_position_;
  const size_t want = static_cast<size_t>(std::min<uint64_t>(buffer_.size() - end_, file_left));
  RL_ASSERT(want > 0, "refill with nothing to read");
  auto got = co_await read_exact(fs_, fd_, std::span(buffer_.data() + end_, want), read_position_);
  if (!got) co_return got.error();
  if (*got < want) {
    // The file is shorter than the region said: the region ends where the file does.
    options_.end = read_position_ + *got;
  }
  end_ += *got;
  read_position_ += *got;
  co_return Result<void, Errno>{};
}

}  // namespace ringlog::storage
