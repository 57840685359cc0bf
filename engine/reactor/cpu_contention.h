#pragma once
// CpuContention: whether a shard's thread shares its CPU with other runnable work, judged by
// the thread's involuntary context switches (the scheduler took the CPU from it to run
// something else). The idle loop spins (idle_poll_us, reply_linger_us) only when it does not:
// a spin costs nothing but power on an idle core, but on a busy one every microsecond of it is
// taken from the work sharing that core, often the clients themselves on a small machine. With
// two shards on 2 vCPUs under an 8-partition, 100 B produce load, no spin at all cut the
// broker's CPU from 0.34-0.41 to 0.27-0.31 s per GB but raised p99 latency at 1,000 requests/s
// from 0.97x to 1.15x the mock; spinning only when not preempted gave 0.30-0.32 against
// 0.31-0.33 and kept the latency (1.01x / 0.94x; perf/broker.md, session 7).
//
//   - the count is read at most once per kCheckInterval (one getrusage call);
//   - the thread counts as contended for kHold after a read found the count grown: a thread
//     that stopped spinning sleeps instead and is preempted less, which alone says little.

#include <chrono>
#include <cstdint>

namespace ringlog::reactor {

class CpuContention {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::microseconds kCheckInterval{1000};
  static constexpr std::chrono::microseconds kHold{20'000};

  // `read_involuntary_switches` is called only when a check is due.
  template <typename Read>
  bool contended(Clock::time_point now, Read&& read_involuntary_switches) {
    if (!checked_once_ || now - last_check_ >= kCheckInterval) {
      const uint64_t count = read_involuntary_switches();
      if (checked_once_ && count != last_count_) {
        contended_until_ = now + kHold;
      }
      last_count_ = count;
      last_check_ = now;
      checked_once_ = true;
    }
    return now < contended_until_;
  }

 private:
  Clock::time_point last_check_{};
  Clock::time_point contended_until_{};
  uint64_t last_count_ = 0;
  bool checked_once_ = false;
};

// This thread's involuntary context switches so far (getrusage RUSAGE_THREAD).
uint64_t thread_involuntary_switches();

}  // namespace ringlog::reactor
