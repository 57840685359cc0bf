#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {

kafka::ErrorCode error_for(const storage::LogError& e) {
  using storage::LogErrc;
  switch (e.code) {
    case LogErrc::kInvalidBatch:
      return kafka::ErrorCode::kCorruptMessage;
    case LogErrc::kBatchTooLarge:
      return kafka::ErrorCode::kMessageTooLarge;
    case LogErrc::kTooManyPendingAppends:
      return kafka::ErrorCode::kRequestTimedOut;  // retriable: the client backs off and retries
    case LogErrc::kOffsetOutOfRange:
      return kafka::ErrorCode::kOffsetOutOfRange;
    case LogErrc::kClosed:
      return kafka::ErrorCode::kNotLeaderOrFollower;
    case LogErrc::kIo:
    case LogErrc::kLogFailed:
    case LogErrc::kBadDirectory:
      return kafka::ErrorCode::kKafkaStorageError;
  }
  return kafka::ErrorCode::kUnknownServerError;
}

}  // namespace ringlog::cluster::handlers
