// DeleteRecords: raises each partition's log start offset (on its owner shard); -1 means the
// high watermark. Answers the new low watermark.
#include "cluster/handlers/handler.h"
#include "engine/reactor/when_all.h"

namespace ringlog::cluster::handlers {
namespace {

using kafka::ErrorCode;

struct Deleted {
  ErrorCode error = ErrorCode::kNone;
  int64_t low_watermark = -1;
};

Task<Deleted> delete_on_owner(std::string topic, int32_t index, int64_t offset) {
  Partition* partition = Broker::local().partitions().find(topic, index);
  if (partition == nullptr) co_return Deleted{.error = ErrorCode::kUnknownTopicOrPartition};
  auto advanced = co_await partition->log().advance_log_start(Offset(offset));
  if (!advanced) co_return Deleted{.error = error_for(advanced.error())};
  co_return Deleted{.low_watermark = advanced->value()};
}

Task<Deleted> delete_one(Broker* broker, std::string topic, int32_t index, int64_t offset) {
  auto run = [=] { return delete_on_owner(topic, index, offset); };
  co_return co_await broker->smp().call(broker->owner(topic, index), run);
}


}  // namespace

Task<Response> delete_records(Context ctx, kafka::DeleteRecordsRequest request) {
  Broker& broker = *ctx.broker;
  TopicTableSnapshot snapshot = broker.snapshot();
  std::vector<Task<Deleted>> work;
  for (const auto& topic : request.topics) {
    const TopicMetadata* meta = snapshot->find(topic.name);
    for (const auto& p : topic.partitions) {
      if (!has_partition(meta, p.partition_index)) {
        work.push_back(ready<Deleted>({.error = ErrorCode::kUnknownTopicOrPartition}));
      } else {
        work.push_back(delete_one(&broker, topic.name, p.partition_index, p.offset));
      }
    }
  }
  std::vector<Deleted> results = co_await reactor::when_all(std::move(work));
  kafka::DeleteRecordsResponse response;
  size_t i = 0;
  for (const auto& topic : request.topics) {
    kafka::DeleteRecordsResponse::DeleteRecordsTopicResult out_topic{.name = topic.name};
    for (const auto& p : topic.partitions) {
      const Deleted& r = results[i++];
      kafka::DeleteRecordsResponse::DeleteRecordsPartitionResult out;
      out.partition_index = p.partition_index;
      out.low_watermark = r.low_watermark;
      out.error_code = code(r.error);
      out_topic.partitions.push_back(out);
    }
    response.topics.push_back(std::move(out_topic));
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
