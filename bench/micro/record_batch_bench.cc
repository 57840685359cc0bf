// Cost of accepting a produced batch in place: header + CRC validation, the record walk, splitting
// a buffer into batches and patching offset/epoch, at 1 KiB, 16 KiB and 64 KiB batches; and what a
// consumer pays for a compressed batch (decompress_records + the record walk) per codec.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/storage/crc32c.h"
#include "engine/storage/record_batch.h"
#include "engine/storage/record_compression.h"

namespace ringlog::storage {
namespace {

constexpr size_t kValueBytes = 100;  // a typical small Kafka record value

// An uncompressed batch of records with 100-byte values, as close to `target_bytes` as fits.
std::vector<std::byte> make_batch(size_t target_bytes) {
  const std::string value(kValueBytes, 'v');
  RecordBatchBuilder builder;
  int64_t i = 0;
  for (;;) {
    RecordBatchBuilder next = builder;
    const std::string key = "key-" + std::to_string(i);
    next.add({.timestamp = TimestampMs(1'700'000'000'000 + i), .key = key, .value = value});
    if (next.size_bytes() > target_bytes && builder.records_count() > 0) break;
    builder = std::move(next);
    ++i;
  }
  return builder.build();
}

void set_counters(benchmark::State& state, size_t batch_bytes) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * batch_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_ValidateBatch(benchmark::State& state) {
  const std::vector<std::byte> batch = make_batch(static_cast<size_t>(state.range(0)));
  state.SetLabel(std::string(crc32c_impl::selected_name()));
  for (auto _ : state) {
    auto info = RecordBatchView(batch).validate(BatchSource::kProducer);
    benchmark::DoNotOptimize(info);
    if (!info) state.SkipWithError("invalid batch");
  }
  set_counters(state, batch.size());
}

void BM_ValidateBatchAndRecords(benchmark::State& state) {
  const std::vector<std::byte> batch = make_batch(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    RecordBatchView view(batch);
    auto info = view.validate(BatchSource::kProducer);
    auto records = validate_records(view, BatchSource::kProducer);
    benchmark::DoNotOptimize(info);
    benchmark::DoNotOptimize(records);
    if (!info || !records) state.SkipWithError("invalid batch");
  }
  state.counters["records_per_batch"] = RecordBatchView(batch).records_count();
  set_counters(state, batch.size());
}

void BM_SplitAndValidate(benchmark::State& state) {
  const std::vector<std::byte> one = make_batch(static_cast<size_t>(state.range(0)));
  std::vector<std::byte> buffer;
  const size_t batches = (1U << 20) / one.size();
  for (size_t i = 0; i < batches; ++i) buffer.insert(buffer.end(), one.begin(), one.end());
  for (auto _ : state) {
    auto split = split_batches(buffer);
    size_t valid = 0;
    for (RecordBatchView batch : split) valid += batch.validate(BatchSource::kLog).has_value();
    benchmark::DoNotOptimize(valid);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buffer.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batches));
}

void BM_PatchOffsetAndEpoch(benchmark::State& state) {
  std::vector<std::byte> batch = make_batch(static_cast<size_t>(state.range(0)));
  MutableRecordBatchView view(batch);
  int64_t offset = 0;
  for (auto _ : state) {
    view.patch_base_offset(Offset(offset++));
    view.patch_partition_leader_epoch(LeaderEpoch(7));
    benchmark::ClobberMemory();
  }
  set_counters(state, batch.size());
}

// What a consumer does with a fetched compressed batch: decompress its records and read every
// one. Bytes processed are the uncompressed records; arg 0 is the codec (1 gzip, 2 snappy,
// 3 lz4, 4 zstd).
void BM_DecompressAndReadRecords(benchmark::State& state) {
  const auto codec = static_cast<Compression>(state.range(0));
  const std::vector<std::byte> plain = make_batch(1 << 20);
  const std::vector<std::byte> batch = compress_batch(RecordBatchView(plain), codec).value();
  const RecordBatchView view(batch);
  const std::span<const std::byte> packed = view.records();
  std::vector<std::byte> records;
  for (auto _ : state) {
    if (!decompress_records(codec, packed, 64 << 20, records)) state.SkipWithError("corrupt");
    RecordReader reader(records, view.records_count());
    RecordView record;
    for (;;) {
      Result<bool, RecordError> more = reader.next(record);
      if (!more || !*more) break;
      benchmark::DoNotOptimize(record);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * records.size()));
  state.counters["ratio"] =
      static_cast<double>(records.size()) / static_cast<double>(packed.size());
}

BENCHMARK(BM_ValidateBatch)->Arg(1 << 10)->Arg(16 << 10)->Arg(64 << 10);
BENCHMARK(BM_ValidateBatchAndRecords)->Arg(1 << 10)->Arg(16 << 10)->Arg(64 << 10);
BENCHMARK(BM_SplitAndValidate)->Arg(1 << 10)->Arg(16 << 10)->Arg(64 << 10);
BENCHMARK(BM_PatchOffsetAndEpoch)->Arg(1 << 10);
BENCHMARK(BM_DecompressAndReadRecords)->DenseRange(1, 4);

}  // namespace
}  // namespace ringlog::storage

BENCHMARK_MAIN();
