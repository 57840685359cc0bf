#include <fmt/format.h>

#include "cluster/handlers/handler.h"
#include "engine/reactor/when_all.h"

namespace ringlog::cluster::handlers {
namespace {

using kafka::ErrorCode;

struct PartitionAppend {
  ErrorCode error = ErrorCode::kNone;
  int64_t base_offset = -1;
  int64_t log_start_offset = -1;
  std::string message;
};

// Runs on the partition's owner shard: appends the batches (patched in place in the request
// frame, which stays alive on the handling shard until this returns) and wakes waiting fetches.
Task<PartitionAppend> append_on_owner(std::string topic, int32_t index, std::span<std::byte> bytes) {
  Broker& broker = Broker::local();
  Partition* partition = broker.partitions().find(topic, index);
  if (partition == nullptr) co_return PartitionAppend{.error = ErrorCode::kUnknownTopicOrPartition};
  auto appended = co_await partition->log().append(bytes);
  if (!appended) {
    co_return PartitionAppend{.error = error_for(appended.error()),
                              .message = storage::to_string(appended.error())};
  }
  co_await broker.wake_waiters(*partition);
  co_return PartitionAppend{.base_offset = appended->base_offset.value(),
                            .log_start_offset = partition->log().log_start_offset().value()};
}

Task<PartitionAppend> append_one(Broker* broker, std::string topic, int32_t index,
                                 std::span<std::byte> bytes) {
  const ShardId owner = broker->owner(topic, index);
  auto append = [=] { return append_on_owner(topic, index, bytes); };
  co_return co_await broker->smp().call(owner, append);
}


}  // namespace

Task<Response> produce(Context ctx, kafka::ProduceRequest request) {
  Broker& broker = *ctx.broker;
  const int16_t acks = request.acks;
  kafka::ProduceResponse response;
  std::vector<Task<PartitionAppend>> work;
  const bool valid_acks = acks == 0 || acks == 1 || acks == -1;
  TopicTableSnapshot snapshot = broker.snapshot();
  for (const auto& topic : request.topic_data) {
    const TopicMetadata* meta = snapshot->find(topic.name);
    for (const auto& part : topic.partition_data) {
      if (!valid_acks) {
        work.push_back(ready<PartitionAppend>({.error = ErrorCode::kInvalidRequiredAcks}));
      } else if (!has_partition(meta, part.index)) {
        work.push_back(ready<PartitionAppend>({.error = ErrorCode::kUnknownTopicOrPartition}));
      } else if (!part.records || part.records->empty()) {
        work.push_back(ready<PartitionAppend>({.error = ErrorCode::kCorruptMessage,
                                  .message = "no record batches"}));
      } else {
        // The records are a view into the frame we own: write them from there, no copy.
        auto& buffer = ctx.frame->buffer;
        const size_t offset = static_cast<size_t>(part.records->bytes.data() - buffer.data());
        RL_ASSERT(offset + part.records->size() <= buffer.size());
        std::span<std::byte> bytes(buffer.data() + offset, part.records->size());
        work.push_back(append_one(&broker, topic.name, part.index, bytes));
      }
    }
  }
  std::vector<PartitionAppend> results = co_await reactor::when_all(std::move(work));

  size_t i = 0;
  bool any_error = false;
  for (const auto& topic : request.topic_data) {
    kafka::ProduceResponse::TopicProduceResponse out_topic{.name = topic.name};
    for (const auto& part : topic.partition_data) {
      PartitionAppend& r = results[i++];
      any_error = any_error || r.error != ErrorCode::kNone;
      kafka::ProduceResponse::PartitionProduceResponse p;
      p.index = part.index;
      p.error_code = code(r.error);
      p.base_offset = r.base_offset;
      p.log_start_offset = r.log_start_offset;
      if (!r.message.empty()) p.error_message = r.message;
      out_topic.partition_responses.push_back(std::move(p));
    }
    response.responses.push_back(std::move(out_topic));
  }
  if (acks == 0) {
    // No response with acks=0; an error can only be signalled by closing the connection.
    co_return any_error ? Response::close() : Response::none();
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
