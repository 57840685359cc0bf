#pragma once
// BatchScanner: walks the batches of a region of a segment file, reading it in chunks through
// the FileSystem seam. Used by recovery (with validation: length and CRC of every batch), by
// index rebuilds, and by offset and timestamp lookups (framing only, from an index entry on).
//
// Nothing read from the file is trusted: a batch length is checked against the region before
// anything is allocated for it, and the walk stops at the first batch that cannot be framed or
// (when validating) does not validate, saying why and where.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/base/errno.h"
#include "engine/base/result.h"
#include "engine/storage/file_system.h"
#include "engine/storage/record_batch.h"

namespace ringlog::storage {

enum class ScanStop : uint8_t {
  kEnd,         // the region ended exactly after a batch
  kTornHeader,  // fewer than 12 bytes left: a cut-off batch
  kTornBatch,   // the batch's length runs past the end of the region: a cut-off batch
  kBadLength,   // batchLength < 49: nothing after it can be framed
  kInvalid,     // validate(kLog) refused the batch (see batch_error())
};

const char* to_string(ScanStop stop);

struct ScannedBatch {
  uint64_t position = 0;
  // Valid until the next call to next(); with Options::headers_only, the batch header only.
  RecordBatchView view;
  uint64_t size_bytes = 0;  // of the whole batch
};

class BatchScanner {
 public:
  struct Options {
    uint64_t start = 0;  // position of the first batch
    uint64_t end = 0;    // the region ends here (usually the file size)
    size_t chunk_bytes = 64 * 1024;
    bool validate = false;  // validate(kLog) each batch (recovery); else framing only
    // Reads batch headers only and skips the bodies (lookups): the header holds the offsets
    // and timestamps, and a fetch of a 1 MiB batch then reads ~16 KiB to find it instead of
    // the whole batch a second time. Not with validate.
    bool headers_only = false;
  };

  BatchScanner(FileSystem* fs, int fd, Options options);

  // The next batch, or nullopt once the walk stopped (see stop(), position()).
  Task<Result<std::optional<ScannedBatch>, Errno>> next();

  // Meaningful once next() returned nullopt.
  ScanStop stop() const { return stop_; }
  BatchError batch_error() const { return batch_error_; }
  // Where the next batch would start: after the last batch returned. Once stopped, where the
  // valid prefix of the region ends.
  uint64_t position() const { return position_; }

 private:
  Task<Result<void, Errno>> refill(size_t needed_bytes);

  FileSystem* fs_;
  int fd_;
  Options options_;
  std::vector<std::byte> buffer_;
  size_t begin_ = 0;  // first unconsumed byte in buffer_ (file position position_)
  size_t end_ = 0;    // end of the bytes read into buffer_ (file position read_position_)
  uint64_t position_ = 0;
  uint64_t read_position_ = 0;
  ScanStop stop_ = ScanStop::kEnd;
  BatchError batch_error_{};
};

}  // namespace ringlog::storage
