#include "client/consumer.h"

#include <algorithm>

#include "net/kafka/messages/fetch.h"

namespace ringlog::client {

void Consumer::assign(int32_t partition, Offset offset) {
  partitions_[partition] =
      PartitionState{.position = offset, .max_bytes = options_.partition_bytes};
}

bool Consumer::at_end() const {
  return std::all_of(partitions_.begin(), partitions_.end(), [](const auto& entry) {
    const PartitionState& p = entry.second;
    return p.high_watermark >= Offset(0) && p.position >= p.high_watermark;
  });
}

reactor::Task<ClientResult<std::vector<Record>>> Consumer::poll() {
  kafka::FetchRequest request;
  request.replica_id = -1;
  request.max_wait_ms = static_cast<int32_t>(options_.max_wait_ms.count());
  request.min_bytes = options_.min_bytes;
  request.max_bytes = options_.max_bytes;
  kafka::FetchRequest::FetchTopic topic;
  topic.topic = topic_;
  for (const auto& [partition, state] : partitions_) {
    kafka::FetchRequest::FetchPartition p;
    p.partition = partition;
    p.fetch_offset = state.position.value();
    p.partition_max_bytes = state.max_bytes;
    topic.partitions.push_back(p);
  }
  request.topics.push_back(std::move(topic));
  ClientResult<Reply<kafka::FetchResponse>> reply =
      co_await connection_->call<kafka::FetchResponse>(std::move(request));
  if (!reply) co_return reply.error();
  if (reply->body.error_code != 0) co_return ClientError::broker(reply->body.error_code, "Fetch");
  std::vector<Record> records;
  for (const auto& t : reply->body.responses) {
    if (t.topic != topic_) continue;
    for (const auto& p : t.partitions) {
      auto it = partitions_.find(p.partition_index);
      if (it == partitions_.end()) continue;
      PartitionState& state = it->second;
      if (p.error_code != 0) co_return ClientError::broker(p.error_code, "Fetch");
      state.high_watermark = Offset(p.high_watermark);
      if (!p.records || p.records->empty()) continue;
      ClientResult<DecodedBatches> decoded =
          decode_batches(p.records->bytes, p.partition_index, state.position, records);
      if (!decoded) co_return decoded.error();
      if (decoded->consumed_bytes == 0 && decoded->partial_tail) {
        // The first batch alone is larger than the limit: ask for more next time.
        state.max_bytes = std::min(kPartitionBytesMax, state.max_bytes * 2);
        if (state.max_bytes == kPartitionBytesMax &&
            p.records->size() >= size_t{kPartitionBytesMax}) {
          co_return ClientError{.errc = ClientErrc::kResponseTooLarge,
                                .context = "record batch larger than the fetch limit"};
        }
        continue;
      }
      state.position = decoded->next_offset;
    }
  }
  co_return records;
}

}  // namespace ringlog::client
