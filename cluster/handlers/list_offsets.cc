// ListOffsets: earliest (-2), latest (-1) and by timestamp, per partition on its owner shard.
#include "cluster/handlers/handler.h"
#include "engine/reactor/when_all.h"
#include "engine/storage/file_range.h"
#include "engine/storage/file_system.h"
#include "engine/storage/record_batch.h"

namespace ringlog::cluster::handlers {
namespace {

using kafka::ErrorCode;

constexpr int64_t kLatestTimestamp = -1;
constexpr int64_t kEarliestTimestamp = -2;

struct OffsetLookup {
  ErrorCode error = ErrorCode::kNone;
  int64_t timestamp = -1;
  int64_t offset = -1;
};

// The storage index finds the first BATCH whose max timestamp is >= `timestamp`; Kafka answers
// the first RECORD with a timestamp >= `timestamp`, and that record's timestamp. Records inside a
// batch need not be in timestamp order, nor is the first one the match, so walk the batch.
// (Fix: answering the batch's base offset and the requested timestamp made librdkafka's
// offsets_for_times and kcat -o s@ start up to a batch early; found by
// tests/integration/acceptance_offsets_test.cc.) Compressed batches cannot be walked here (no
// decompression in the broker): they answer the batch's base offset and max timestamp.
Task<OffsetLookup> first_record_at_or_after(storage::Log& log, Offset batch_base,
                                            int64_t timestamp) {
  OffsetLookup fallback{.timestamp = timestamp, .offset = batch_base.value()};
  auto read = co_await log.read(storage::ReadOptions{.start = batch_base, .max_bytes = 1});
  if (!read || read->ranges.empty()) co_return fallback;
  const storage::FileRange& first = read->ranges.front();
  std::vector<std::byte> bytes(first.length);
  auto got = co_await storage::read_exact(&storage::real_file_system(), first.fd(), bytes,
                                          first.position.value());
  if (!got || *got != bytes.size()) co_return fallback;
  for (storage::RecordBatchView batch : storage::split_batches(bytes)) {
    if (batch.last_offset() < batch_base) continue;
    if (batch.max_timestamp().value() < timestamp) continue;
    fallback = OffsetLookup{.timestamp = batch.max_timestamp().value(),
                            .offset = std::max(batch.base_offset(), batch_base).value()};
    if (batch.compression_codec() != 0 ||
        batch.timestamp_type() == storage::TimestampType::kLogAppendTime) {
      co_return fallback;  // LogAppendTime: every record has the batch's max timestamp
    }
    storage::RecordReader reader(batch);
    storage::RecordView record;
    for (;;) {
      auto more = reader.next(record);
      if (!more || !*more) break;
      const int64_t ts = batch.base_timestamp().value() + record.timestamp_delta;
      const Offset offset = batch.base_offset() + record.offset_delta;
      if (offset >= batch_base && ts >= timestamp) {
        co_return OffsetLookup{.timestamp = ts, .offset = offset.value()};
      }
    }
    co_return fallback;
  }
  co_return fallback;
}

Task<OffsetLookup> lookup_on_owner(std::string topic, int32_t index, int64_t timestamp) {
  Partition* partition = Broker::local().partitions().find(topic, index);
  if (partition == nullptr) co_return OffsetLookup{.error = ErrorCode::kUnknownTopicOrPartition};
  storage::Log& log = partition->log();
  if (timestamp == kLatestTimestamp) co_return OffsetLookup{.offset = log.log_end_offset().value()};
  if (timestamp == kEarliestTimestamp) {
    co_return OffsetLookup{.offset = log.log_start_offset().value()};
  }
  if (timestamp < 0) co_return OffsetLookup{.error = ErrorCode::kInvalidRequest};
  auto found = co_await log.offset_for_timestamp(TimestampMs(timestamp));
  if (!found) co_return OffsetLookup{.error = error_for(found.error())};
  // No batch that new: Kafka answers offset -1 and timestamp -1.
  if (!found->has_value()) co_return OffsetLookup{};
  co_return co_await first_record_at_or_after(log, **found, timestamp);
}

Task<OffsetLookup> lookup_one(Broker* broker, std::string topic, int32_t index, int64_t timestamp) {
  auto lookup = [=] { return lookup_on_owner(topic, index, timestamp); };
  co_return co_await broker->smp().call(broker->owner(topic, index), lookup);
}


}  // namespace

Task<Response> list_offsets(Context ctx, kafka::ListOffsetsRequest request) {
  Broker& broker = *ctx.broker;
  TopicTableSnapshot snapshot = broker.snapshot();
  std::vector<Task<OffsetLookup>> work;
  for (const auto& topic : request.topics) {
    const TopicMetadata* meta = snapshot->find(topic.name);
    for (const auto& p : topic.partitions) {
      if (!has_partition(meta, p.partition_index)) {
        work.push_back(ready<OffsetLookup>({.error = ErrorCode::kUnknownTopicOrPartition}));
      } else {
        work.push_back(lookup_one(&broker, topic.name, p.partition_index, p.timestamp));
      }
    }
  }
  std::vector<OffsetLookup> results = co_await reactor::when_all(std::move(work));
  kafka::ListOffsetsResponse response;
  size_t i = 0;
  for (const auto& topic : request.topics) {
    kafka::ListOffsetsResponse::ListOffsetsTopicResponse out_topic{.name = topic.name};
    for (const auto& p : topic.partitions) {
      const OffsetLookup& r = results[i++];
      kafka::ListOffsetsResponse::ListOffsetsPartitionResponse out;
      out.partition_index = p.partition_index;
      out.error_code = code(r.error);
      out.timestamp = r.timestamp;
      out.offset = r.offset;
      out.leader_epoch = r.error == ErrorCode::kNone ? 0 : -1;
      out_topic.partitions.push_back(out);
    }
    response.topics.push_back(std::move(out_topic));
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
