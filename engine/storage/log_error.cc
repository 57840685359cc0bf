#include "engine/storage/log_error.h"

#include <fmt/format.h>

namespace ringlog::storage {

std::string to_string(const LogError& error) {
  switch (error.code) {
    case LogErrc::kInvalidBatch:
      return fmt::format("invalid batch #{}: {}", error.batch_index, to_string(error.batch));
    case LogErrc::kBatchTooLarge:
      return fmt::format("batch #{} too large", error.batch_index);
    case LogErrc::kTooManyPendingAppends:
      return "too many pending appends";
    case LogErrc::kIo:
      return fmt::format("I/O error: {}", error.io.name());
    case LogErrc::kOffsetOutOfRange:
      return "offset out of range";
    case LogErrc::kClosed:
      return "log closed";
    case LogErrc::kLogFailed:
      return fmt::format("log failed: {}", error.io.name());
    case LogErrc::kBadDirectory:
      return "log directory holds inconsistent segments";
  }
  return "unknown log error";
}

}  // namespace ringlog::storage
