// ListOffsets: earliest (-2), latest (-1) and by timestamp, per partition on its owner shard.
#include "cluster/handlers/handler.h"
#include "engine/reactor/when_all.h"

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
  co_return OffsetLookup{.timestamp = timestamp, .offset = (*found)->value()};
}

Task<OffsetLookup> lookup_one(Broker* broker, std::string topic, int32_t index, int64_t timestamp) {
  auto lookup = [=] { return lookup_on_owner(topic, index, timestamp); };
  co_return co_await broker->smp().call(broker->owner(topic, index), lookup);
}

Task<OffsetLookup> immediate(OffsetLookup r) { co_return r; }

}  // namespace

Task<Response> list_offsets(Context ctx, kafka::ListOffsetsRequest request) {
  Broker& broker = *ctx.broker;
  TopicTableSnapshot snapshot = broker.snapshot();
  std::vector<Task<OffsetLookup>> work;
  for (const auto& topic : request.topics) {
    const TopicMetadata* meta = snapshot->find(topic.name);
    for (const auto& p : topic.partitions) {
      if (meta == nullptr || p.partition_index < 0 || p.partition_index >= meta->partitions) {
        work.push_back(immediate({.error = ErrorCode::kUnknownTopicOrPartition}));
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
