#include "engine/storage/log_options.h"

#include <chrono>

namespace ringlog::storage {

TimestampMs system_time_ms() {
  return TimestampMs(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
}

}  // namespace ringlog::storage
