// Partition log micro-benchmarks: append throughput at 1 KiB, 16 KiB and 64 KiB batches with
// flush none and flush every append (one producer, i.e. one append in flight, as fio's queue
// depth 1; and 16 concurrent producers whose appends the log coalesces), and read-by-offset
// latency (index lookup + header scan to file ranges; and with the bytes read into memory).
//
// Files go to $RINGLOG_BENCH_DIR (default /tmp); perf/storage_vs_fio.sh runs fio in the same
// place. Each case starts from an empty log and deletes it afterwards.

#include <benchmark/benchmark.h>
#include <sched.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "engine/reactor/reactor.h"
#include "engine/reactor/task.h"
#include "engine/reactor/timer.h"
#include "engine/storage/file_system.h"
#include "engine/storage/log.h"
#include "engine/storage/parked.h"
#include "engine/storage/record_batch.h"

namespace ringlog::storage {
namespace {

using reactor::Task;

constexpr size_t kValueBytes = 100;
// Appends per benchmark iteration (spread over the producers).
constexpr int kAppendsPerIteration = 256;

std::string bench_dir() {
  const char* base = std::getenv("RINGLOG_BENCH_DIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/ringlog-log-bench-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  return pattern;
}

// An uncompressed batch of 100-byte records, as close to `target_bytes` as fits.
// A batch of exactly `target_bytes` (so the log writes the same block size fio does: writes
// that straddle page boundaries cost the kernel ~35% more at 64 KiB, for fio as for us):
// records of kValueBytes values, then one last record whose value fills the rest.
std::vector<std::byte> make_batch(size_t target_bytes) {
  const std::string value(kValueBytes, 'v');
  RecordBatchBuilder builder;
  int64_t i = 0;
  // Leave room for the filler record (its framing takes at most ~30 bytes).
  while (builder.size_bytes() + 2 * (kValueBytes + 32) <= target_bytes) {
    builder.add({.timestamp = TimestampMs(1'700'000'000'000 + i), .key = "key", .value = value});
    ++i;
  }
  for (size_t fill = target_bytes - builder.size_bytes(); fill > 0; --fill) {
    RecordBatchBuilder last = builder;
    last.add({.timestamp = TimestampMs(1'700'000'000'000 + i),
              .key = "key",
              .value = std::string(fill, 'f')});
    if (last.size_bytes() == target_bytes) return last.build();
  }
  return builder.build();  // not reachable for the sizes benchmarked (checked by the caller)
}

// The log writes inline (real_file_system); with RINGLOG_BENCH_RING_WRITES=1 its data writes go
// through io_uring instead (ring_write_file_system), to compare the two (perf/storage.md).
FileSystem* bench_file_system() {
  const char* v = std::getenv("RINGLOG_BENCH_RING_WRITES");
  if (v != nullptr && std::string(v) == "1") return &ring_write_file_system();
  const char* s = std::getenv("RINGLOG_BENCH_INLINE_SYNC");
  if (s != nullptr && std::string(s) == "1") return &inline_sync_file_system();
  return &real_file_system();
}

struct Producers {
  Log* log;
  int remaining = 0;  // appends left in this iteration
  int running = 0;
  bool failed = false;
  Parked driver;  // the benchmark loop, woken when the last producer is done
};

// Appends its own buffer (patched in place each time) until the iteration's quota is used up.
Task<void> produce(Producers* p, std::vector<std::byte>* buffer) {
  while (p->remaining > 0) {
    --p->remaining;
    auto r = co_await p->log->append(*buffer);
    if (!r) p->failed = true;
  }
  if (--p->running == 0) p->driver.wake();
}

Task<void> append_loop(benchmark::State* state, size_t batch_bytes, FlushPolicy flush,
                       int producers) {
  const std::string dir = bench_dir();
  auto opened = co_await Log::open(bench_file_system(), dir,
                                   {.segment_ms = int64_t{1} << 60, .flush = flush});
  if (!opened) {
    state->SkipWithError("open failed");
    co_return;
  }
  auto log = std::move(*opened);
  std::vector<std::vector<std::byte>> buffers(producers, make_batch(batch_bytes));
  if (buffers[0].size() != batch_bytes) {
    state->SkipWithError("could not build a batch of exactly the block size");
    co_return;
  }
  Producers p{log.get()};
  for (auto _ : *state) {
    p.remaining = kAppendsPerIteration;
    p.running = producers;
    for (int i = 0; i < producers; ++i) {
      reactor::Reactor::current().spawn(produce(&p, &buffers[i]));
    }
    // Parked, not polling: a yield loop would keep the reactor from ever waiting in the kernel.
    while (p.running > 0) co_await p.driver.wait();
  }
  if (p.failed) state->SkipWithError("append failed");
  state->SetBytesProcessed(state->iterations() * kAppendsPerIteration *
                           static_cast<int64_t>(buffers[0].size()));
  state->SetItemsProcessed(state->iterations() * kAppendsPerIteration);
  state->counters["writes_per_append"] =
      static_cast<double>(log->stats().writes) / static_cast<double>(log->stats().appends);
  state->counters["syncs"] = static_cast<double>(log->stats().syncs);
  state->counters["rolls"] = static_cast<double>(log->stats().rolls);
  [[maybe_unused]] auto closed = co_await log->close();
  std::filesystem::remove_all(dir);
}

void BM_Append(benchmark::State& state, size_t batch_bytes, FlushPolicy flush, int producers) {
  reactor::ReactorOptions options;
  if (const char* poll = std::getenv("RINGLOG_BENCH_IDLE_POLL_US")) {
    options.idle_poll_us = std::chrono::microseconds(std::stoul(poll));
  }
  // 0 turns off polling while a sync is in flight (the comparison in perf/engine.md).
  if (const char* poll = std::getenv("RINGLOG_BENCH_IN_FLIGHT_POLL_US")) {
    options.in_flight_poll_us = std::chrono::microseconds(std::stoul(poll));
  }
  // Pinned to one CPU with its io_uring workers on the others, as a broker shard is (Smp),
  // unless RINGLOG_BENCH_PIN=0.
  const char* pin = std::getenv("RINGLOG_BENCH_PIN");
  cpu_set_t saved;
  sched_getaffinity(0, sizeof(saved), &saved);
  if (pin == nullptr || std::string(pin) != "0") {
    const int own = sched_getcpu();
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(own, &one);
    sched_setaffinity(0, sizeof(one), &one);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (cpu != own && CPU_ISSET(cpu, &saved)) options.io_worker_cpus.push_back(cpu);
    }
  }
  {
    reactor::Reactor reactor(ShardId(0), options);
    reactor.block_on(append_loop(&state, batch_bytes, flush, producers));
  }
  sched_setaffinity(0, sizeof(saved), &saved);
}

// Cases are registered in main() with a fixed amount of data, as fio writes a fixed size:
// 1 GiB per case without sync (so the page cache sees the same load), 4096 appends with sync.
}  // namespace

void register_append_benchmarks() {
  for (int sync = 0; sync <= 1; ++sync) {
    for (size_t batch : {size_t{1024}, size_t{16 * 1024}, size_t{64 * 1024}}) {
      for (int producers : {1, 16}) {
        const int64_t appends = sync != 0 ? 4096 : int64_t{1 << 30} / static_cast<int64_t>(batch);
        const std::string name = "BM_Append/batch:" + std::to_string(batch) +
                                 "/sync:" + std::to_string(sync) +
                                 "/producers:" + std::to_string(producers);
        benchmark::RegisterBenchmark(name.c_str(), BM_Append, batch,
                                     sync != 0 ? FlushPolicy::every_append() : FlushPolicy::none(),
                                     producers)
            ->Iterations(appends / kAppendsPerIteration)
            ->UseRealTime();
      }
    }
  }
}

namespace {

Task<void> read_loop(benchmark::State* state, bool copy) {
  const std::string dir = bench_dir();
  auto opened = co_await Log::open(&real_file_system(), dir, {.segment_bytes = 16 << 20});
  if (!opened) {
    state->SkipWithError("open failed");
    co_return;
  }
  auto log = std::move(*opened);
  // 64 MiB of 1 KiB batches over four segments.
  std::vector<std::byte> buffer = make_batch(1024);
  for (int i = 0; i < 64 * 1024; ++i) {
    auto appended = co_await log->append(buffer);
    if (!appended) state->SkipWithError("append failed");
  }
  std::mt19937_64 random(42);
  std::uniform_int_distribution<int64_t> pick(0, log->log_end_offset().value() - 1);
  int64_t bytes = 0;
  for (auto _ : *state) {
    auto r = co_await log->read({.start = Offset(pick(random)), .max_bytes = 16 * 1024});
    if (!r) {
      state->SkipWithError("read failed");
      break;
    }
    if (copy) {
      auto data = co_await read_file_ranges(&real_file_system(), r->ranges);
      if (!data) state->SkipWithError("read_file_ranges failed");
      bytes += static_cast<int64_t>(data->size());
    } else {
      bytes += static_cast<int64_t>(r->size_bytes);
    }
  }
  state->SetBytesProcessed(bytes);
  state->SetItemsProcessed(state->iterations());
  [[maybe_unused]] auto closed = co_await log->close();
  std::filesystem::remove_all(dir);
}

// Random offset → file ranges of up to 16 KiB (what a fetch splices).
void BM_ReadByOffsetRanges(benchmark::State& state) {
  reactor::Reactor reactor;
  reactor.block_on(read_loop(&state, false));
}
BENCHMARK(BM_ReadByOffsetRanges)->UseRealTime();

// The same, with the ranges' bytes read into memory (page cache hits).
void BM_ReadByOffsetCopy(benchmark::State& state) {
  reactor::Reactor reactor;
  reactor.block_on(read_loop(&state, true));
}
BENCHMARK(BM_ReadByOffsetCopy)->UseRealTime();

}  // namespace
}  // namespace ringlog::storage

int main(int argc, char** argv) {
  ringlog::storage::register_append_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
