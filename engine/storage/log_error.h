#pragma once
// LogError: what the partition log returns when it cannot do what was asked. A small trivially
// copyable value (an enum plus the detail that explains it), so failing costs no allocation.
// The Kafka error code for each is chosen once, at the request handler (net/), not here.

#include <cstdint>
#include <string>

#include "engine/base/errno.h"
#include "engine/storage/record_batch.h"

namespace ringlog::storage {

enum class LogErrc : uint8_t {
  kInvalidBatch,           // a batch failed validation; `batch` says why (CORRUPT_MESSAGE)
  kBatchTooLarge,          // a batch is over LogOptions::batch_bytes_max (MESSAGE_TOO_LARGE)
  kTooManyPendingAppends,  // the append queue is at its limit; retry later
  kIo,                     // a file operation failed; `io` holds the errno
  kOffsetOutOfRange,       // read below the log start offset or past the log end offset
  kClosed,                 // the log is closing or closed
  kLogFailed,              // an earlier write error could not be undone; the log takes no appends
  kBadDirectory,           // the directory holds segments that do not fit together
};

struct LogError {
  LogErrc code = LogErrc::kIo;
  Errno io{};                // for kIo (and kLogFailed: the error that failed it)
  BatchError batch{};        // for kInvalidBatch
  uint32_t batch_index = 0;  // for kInvalidBatch / kBatchTooLarge: which batch of the buffer

  static LogError from_errno(Errno e) { return LogError{.code = LogErrc::kIo, .io = e}; }
  friend bool operator==(const LogError& a, const LogError& b) {
    return a.code == b.code && a.io == b.io && a.batch == b.batch;
  }
};

std::string to_string(const LogError& error);

}  // namespace ringlog::storage
