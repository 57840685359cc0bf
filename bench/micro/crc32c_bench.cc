// CRC-32C throughput of each implementation over buffer sizes a record batch takes (64 B..1 MiB).
// Run: build/<preset>/bench/micro/crc32c_bench --benchmark_filter=...

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/storage/crc32c.h"

namespace ringlog::storage {
namespace {

using ExtendFn = uint32_t (*)(uint32_t, std::span<const std::byte>);

std::vector<std::byte> make_buffer(size_t size) {
  std::vector<std::byte> buffer(size);
  uint32_t x = 0x9E3779B9U;
  for (std::byte& b : buffer) {
    x = x * 1664525U + 1013904223U;
    b = static_cast<std::byte>(x >> 24);
  }
  return buffer;
}

void run(benchmark::State& state, ExtendFn fn) {
  const auto size = static_cast<size_t>(state.range(0));
  std::vector<std::byte> buffer = make_buffer(size);
  uint32_t crc = 0;
  for (auto _ : state) {
    crc = fn(crc, buffer);
    benchmark::DoNotOptimize(crc);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_Crc32cPortable(benchmark::State& state) { run(state, crc32c_impl::portable); }
void BM_Crc32cSse42(benchmark::State& state) { run(state, crc32c_impl::sse42); }
void BM_Crc32cSse42ThreeWay(benchmark::State& state) {
  if (!crc32c_impl::has_pclmul()) {
    state.SkipWithError("no PCLMULQDQ on this CPU");
    return;
  }
  run(state, crc32c_impl::sse42_3way);
}
void BM_Crc32cIsal(benchmark::State& state) {
  if (!crc32c_impl::has_isal()) {
    state.SkipWithError("built without isa-l");
    return;
  }
  run(state, crc32c_impl::isal);
}
void BM_Crc32cSelected(benchmark::State& state) {
  state.SetLabel(std::string(crc32c_impl::selected_name()));
  run(state, crc32c_extend);
}

BENCHMARK(BM_Crc32cPortable)->Arg(1 << 10)->Arg(16 << 10);
BENCHMARK(BM_Crc32cSse42)->RangeMultiplier(4)->Range(64, 1 << 20);
BENCHMARK(BM_Crc32cSse42ThreeWay)->RangeMultiplier(4)->Range(64, 1 << 20);
BENCHMARK(BM_Crc32cIsal)->RangeMultiplier(4)->Range(64, 1 << 20);
BENCHMARK(BM_Crc32cSelected)->RangeMultiplier(4)->Range(64, 1 << 20);

}  // namespace
}  // namespace ringlog::storage

BENCHMARK_MAIN();
