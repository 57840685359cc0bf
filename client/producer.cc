#include "client/producer.h"

#include "client/admin.h"
#include "client/murmur2.h"
#include "net/kafka/messages/produce.h"

namespace ringlog::client {

reactor::Task<ClientResult<int32_t>> Producer::partition_count(std::string topic) {
  if (auto it = partition_counts_.find(topic); it != partition_counts_.end()) {
    co_return it->second;
  }
  Admin admin(connection_);
  ClientResult<TopicInfo> info = co_await admin.describe_topic(topic);
  if (!info) co_return info.error();
  const auto count = static_cast<int32_t>(info->partitions.size());
  if (count == 0) {
    co_return ClientError::broker(static_cast<int16_t>(kafka::ErrorCode::kLeaderNotAvailable),
                                  "Metadata");
  }
  partition_counts_[topic] = count;
  co_return count;
}

reactor::Task<ClientResult<std::vector<PartitionAck>>> Producer::send(
    std::string topic, std::vector<OutgoingRecord> records) {
  if (records.empty()) co_return std::vector<PartitionAck>{};
  ClientResult<int32_t> count = co_await partition_count(topic);
  if (!count) co_return count.error();
  const int32_t partitions = *count;
  const int32_t sticky = static_cast<int32_t>(sticky_next_++ % static_cast<uint32_t>(partitions));

  std::map<int32_t, std::vector<ProducerRecord>> by_partition;
  for (OutgoingRecord& r : records) {
    int32_t partition = sticky;
    if (r.partition) {
      partition = *r.partition;
      if (partition < 0 || partition >= partitions) {
        co_return ClientError{.errc = ClientErrc::kBadArgument, .context = "no such partition"};
      }
    } else if (r.record.key) {
      partition = partition_for_key(*r.record.key, partitions);
    }
    by_partition[partition].push_back(std::move(r.record));
  }

  const auto now = TimestampMs(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
  // The encoded batches live here until the response arrived (the request holds views).
  std::vector<std::vector<std::byte>> batches;
  kafka::ProduceRequest request;
  request.acks = static_cast<int16_t>(options_.acks);
  request.timeout_ms = static_cast<int32_t>(options_.ack_timeout_ms.count());
  kafka::ProduceRequest::TopicProduceData data;
  data.name = topic;
  std::vector<PartitionAck> acks;
  for (auto& [partition, list] : by_partition) {
    batches.push_back(encode_batch(list, now, options_.compression));
    data.partition_data.push_back(
        {.index = partition, .records = kafka::RecordsView{batches.back()}});
    acks.push_back({.partition = partition, .records = static_cast<int32_t>(list.size())});
  }
  request.topic_data.push_back(std::move(data));
  const ExpectResponse expect =
      options_.acks == Acks::kNone ? ExpectResponse::kNo : ExpectResponse::kYes;
  ClientResult<Reply<kafka::ProduceResponse>> reply =
      co_await connection_->call<kafka::ProduceResponse>(std::move(request), expect);
  if (!reply) co_return reply.error();
  if (expect == ExpectResponse::kNo) co_return acks;
  for (PartitionAck& ack : acks) {
    bool answered = false;
    for (const auto& t : reply->body.responses) {
      if (t.name != topic) continue;
      for (const auto& p : t.partition_responses) {
        if (p.index != ack.partition) continue;
        if (p.error_code != 0) co_return ClientError::broker(p.error_code, "Produce");
        ack.base_offset = Offset(p.base_offset);
        answered = true;
      }
    }
    if (!answered) co_return ClientError{.errc = ClientErrc::kMissingAnswer, .context = "Produce"};
  }
  co_return acks;
}

}  // namespace ringlog::client
