#pragma once
// Completion: what an io_uring CQE's user_data points at. Every in-flight operation is an object
// that lives in the awaiting coroutine's frame (no allocation per I/O); the reactor calls
// complete() when its CQE arrives. Small integers below kReservedUserData are reactor-internal
// tags, never pointers.

#include <cstdint>

namespace ringlog::reactor {

inline constexpr uint64_t kReservedUserData = 4096;
inline constexpr uint64_t kIgnoredUserData = 0;  // a CQE nobody waits for (e.g. a cancel's own)
inline constexpr uint64_t kWakeUserData = 1;     // a cross-shard wake-up (MSG_RING or eventfd)

class Completion {
 public:
  virtual void complete(int32_t result, uint32_t cqe_flags) = 0;

 protected:
  ~Completion() = default;
};

// Something an in-flight wait can be asked to stop: an I/O operation (async cancel) or a timer.
class Cancellable {
 public:
  virtual void request_cancel() = 0;

 protected:
  ~Cancellable() = default;
};

}  // namespace ringlog::reactor
