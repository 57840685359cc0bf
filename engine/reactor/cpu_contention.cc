#include "engine/reactor/cpu_contention.h"

#include <sys/resource.h>

namespace ringlog::reactor {

uint64_t thread_involuntary_switches() {
  rusage usage{};
  if (::getrusage(RUSAGE_THREAD, &usage) != 0) return 0;
  return static_cast<uint64_t>(usage.ru_nivcsw);
}

}  // namespace ringlog::reactor
