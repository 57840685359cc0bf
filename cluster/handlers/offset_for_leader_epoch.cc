// OffsetForLeaderEpoch: a single node whose leader epoch is always 0. For a requested epoch E the
// answer is the largest epoch <= E the log knows and where it ends: (0, log end offset) for any
// E >= 0, (-1, -1) for E = -1 (UNDEFINED). CurrentLeaderEpoch above 0 means the client knows a
// newer leader than this one: UNKNOWN_LEADER_EPOCH.
#include "cluster/handlers/handler.h"
#include "engine/reactor/when_all.h"

namespace ringlog::cluster::handlers {
namespace {

using kafka::ErrorCode;

constexpr int32_t kCurrentEpoch = 0;
constexpr int32_t kUndefinedEpoch = -1;

struct EpochEnd {
  ErrorCode error = ErrorCode::kNone;
  int32_t leader_epoch = kUndefinedEpoch;
  int64_t end_offset = -1;
};

Task<EpochEnd> end_on_owner(std::string topic, int32_t index, int32_t epoch) {
  Partition* partition = Broker::local().partitions().find(topic, index);
  if (partition == nullptr) co_return EpochEnd{.error = ErrorCode::kUnknownTopicOrPartition};
  if (epoch < 0) co_return EpochEnd{};
  co_return EpochEnd{.leader_epoch = kCurrentEpoch,
                     .end_offset = partition->log().log_end_offset().value()};
}

Task<EpochEnd> end_one(Broker* broker, std::string topic, int32_t index, int32_t epoch) {
  auto run = [=] { return end_on_owner(topic, index, epoch); };
  co_return co_await broker->smp().call(broker->owner(topic, index), run);
}


}  // namespace

Task<Response> offset_for_leader_epoch(Context ctx, kafka::OffsetForLeaderEpochRequest request) {
  Broker& broker = *ctx.broker;
  TopicTableSnapshot snapshot = broker.snapshot();
  std::vector<Task<EpochEnd>> work;
  for (const auto& topic : request.topics) {
    const TopicMetadata* meta = snapshot->find(topic.topic);
    for (const auto& p : topic.partitions) {
      if (!has_partition(meta, p.partition)) {
        work.push_back(ready<EpochEnd>({.error = ErrorCode::kUnknownTopicOrPartition}));
      } else if (p.current_leader_epoch > kCurrentEpoch) {
        work.push_back(ready<EpochEnd>({.error = ErrorCode::kUnknownLeaderEpoch}));
      } else if (p.current_leader_epoch != kUndefinedEpoch &&
                 p.current_leader_epoch < kCurrentEpoch) {
        work.push_back(ready<EpochEnd>({.error = ErrorCode::kFencedLeaderEpoch}));
      } else {
        work.push_back(end_one(&broker, topic.topic, p.partition, p.leader_epoch));
      }
    }
  }
  std::vector<EpochEnd> results = co_await reactor::when_all(std::move(work));
  kafka::OffsetForLeaderEpochResponse response;
  size_t i = 0;
  for (const auto& topic : request.topics) {
    kafka::OffsetForLeaderEpochResponse::OffsetForLeaderTopicResult out_topic{.topic = topic.topic};
    for (const auto& p : topic.partitions) {
      const EpochEnd& r = results[i++];
      kafka::OffsetForLeaderEpochResponse::EpochEndOffset out;
      out.error_code = code(r.error);
      out.partition = p.partition;
      out.leader_epoch = r.leader_epoch;
      out.end_offset = r.end_offset;
      out_topic.partitions.push_back(out);
    }
    response.topics.push_back(std::move(out_topic));
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
