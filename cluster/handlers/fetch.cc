// Fetch: read every requested partition on its owner shard, long-poll until min_bytes arrived or
// max_wait_ms passed (woken by appends), and answer with the record batches as file ranges that
// the connection splices from the segment files to the socket.
#include <algorithm>

#include "cluster/handlers/handler.h"
#include "engine/reactor/timer.h"
#include "engine/reactor/when_all.h"
#include "net/server/shard_affinity.h"

namespace ringlog::cluster::handlers {
namespace {

using kafka::ErrorCode;

struct PartitionRead {
  ErrorCode error = ErrorCode::kNone;
  int64_t high_watermark = -1;
  int64_t log_start_offset = -1;
  std::vector<storage::FileRange> ranges;
  uint64_t bytes = 0;
  bool more_arrived = false;  // empty read, but the log grew meanwhile: read again at once
};

struct WaitToken {
  ShardId shard;
  uint64_t id = 0;  // 0: do not register
  reactor::Clock::time_point deadline;
};

// Runs on the owner shard.
Task<PartitionRead> read_on_owner(std::string topic, int32_t index, int64_t offset,
                                  uint32_t max_bytes, WaitToken wait) {
  Partition* partition = Broker::local().partitions().find(topic, index);
  if (partition == nullptr) co_return PartitionRead{.error = ErrorCode::kUnknownTopicOrPartition};
  storage::Log& log = partition->log();
  PartitionRead out;
  out.high_watermark = log.log_end_offset().value();
  out.log_start_offset = log.log_start_offset().value();
  if (offset < out.log_start_offset || offset > out.high_watermark) {
    out.error = ErrorCode::kOffsetOutOfRange;
    co_return out;
  }
  if (offset < out.high_watermark) {
    auto read = co_await log.read({.start = Offset(offset), .max_bytes = max_bytes});
    if (!read) {
      out.error = error_for(read.error());
      co_return out;
    }
    out.ranges = std::move(read->ranges);
    out.bytes = read->size_bytes;
    out.high_watermark = read->log_end_offset.value();
    out.log_start_offset = read->log_start_offset.value();
  }
  if (out.bytes == 0) {
    if (log.log_end_offset().value() > offset) {
      out.more_arrived = true;
    } else if (wait.id != 0) {
      partition->add_waiter({.shard = wait.shard, .waiter_id = wait.id, .deadline = wait.deadline});
    }
  }
  co_return out;
}

Task<PartitionRead> read_one(Broker* broker, std::string topic, int32_t index, int64_t offset,
                             uint32_t max_bytes, WaitToken wait) {
  auto read = [=] { return read_on_owner(topic, index, offset, max_bytes, wait); };
  co_return co_await broker->smp().call(broker->owner(topic, index), read);
}

// Keeps the first `keep` bytes of `ranges`.
std::vector<storage::FileRange> cut(std::vector<storage::FileRange> ranges, uint64_t keep) {
  std::vector<storage::FileRange> out;
  for (storage::FileRange& r : ranges) {
    if (keep == 0) break;
    if (r.length > keep) r.length = static_cast<uint32_t>(keep);
    keep -= r.length;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Task<Response> fetch(Context ctx, kafka::FetchRequest request) {
  Broker& broker = *ctx.broker;
  const auto deadline =
      reactor::Clock::now() + std::chrono::milliseconds(std::max(request.max_wait_ms, 0));
  reactor::CancelSource wake;
  const uint64_t waiter_id = broker.fetch_waiters().add(&wake);
  TopicTableSnapshot snapshot = broker.snapshot();

  std::vector<PartitionRead> reads;
  server::AffinityCollector affinity;
  for (const auto& topic : request.topics) {
    const TopicMetadata* meta = snapshot->find(topic.topic);
    for (const auto& p : topic.partitions) {
      if (has_partition(meta, p.partition))
        affinity.note(broker.owner(topic.topic, p.partition).value());
    }
  }
  while (true) {
    wake.reset();
    std::vector<Task<PartitionRead>> work;
    const WaitToken token{.shard = broker.shard(),
                          .id = request.max_wait_ms > 0 ? waiter_id : 0,
                          .deadline = deadline};
    for (const auto& topic : request.topics) {
      const TopicMetadata* meta = snapshot->find(topic.topic);
      for (const auto& p : topic.partitions) {
        if (!has_partition(meta, p.partition)) {
          work.push_back(ready<PartitionRead>({.error = ErrorCode::kUnknownTopicOrPartition}));
          continue;
        }
        const auto max_bytes = static_cast<uint32_t>(
            std::clamp(std::min(p.partition_max_bytes, request.max_bytes), 0, INT32_MAX));
        work.push_back(
            read_one(&broker, topic.topic, p.partition, p.fetch_offset, max_bytes, token));
      }
    }
    reads = co_await reactor::when_all(std::move(work));
    uint64_t total = 0;
    bool any_error = false;
    bool more = false;
    for (const PartitionRead& r : reads) {
      total += r.bytes;
      any_error = any_error || r.error != ErrorCode::kNone;
      more = more || r.more_arrived;
    }
    // min_bytes <= 0 answers at once, data or not (Kafka's semantics); otherwise wait for
    // min_bytes or the deadline.
    const bool enough = request.min_bytes <= 0 || total >= static_cast<uint64_t>(request.min_bytes);
    if (enough || any_error || request.max_wait_ms <= 0 || reactor::Clock::now() >= deadline) {
      break;
    }
    if (more) continue;
    co_await reactor::sleep_until(deadline, &wake);  // an append wakes us early
  }
  broker.fetch_waiters().remove(waiter_id);

  // Assemble: partitions in request order; past the first partition with data, the response
  // stops growing at max_bytes (the first batch is always sent whole, KIP-74).
  kafka::FetchResponse response;
  std::vector<std::vector<storage::FileRange>> deferred;
  uint64_t budget = static_cast<uint64_t>(std::max(request.max_bytes, 0));
  bool sent_data = false;
  size_t i = 0;
  for (const auto& topic : request.topics) {
    kafka::FetchResponse::FetchableTopicResponse out_topic{.topic = topic.topic};
    for (const auto& p : topic.partitions) {
      PartitionRead& r = reads[i++];
      kafka::FetchResponse::PartitionData out;
      out.partition_index = p.partition;
      out.error_code = code(r.error);
      out.high_watermark = r.high_watermark;
      out.last_stable_offset = r.high_watermark;
      out.log_start_offset = r.log_start_offset;
      uint64_t take = r.bytes;
      if (sent_data) take = std::min(take, budget);
      if (take > 0) {
        std::vector<storage::FileRange> kept = cut(std::move(r.ranges), take);
        out.records = kafka::RecordsView::deferred(static_cast<uint32_t>(take));
        deferred.push_back(std::move(kept));
        budget = take >= budget ? 0 : budget - take;
        sent_data = true;
      } else {
        out.records = kafka::RecordsView{};
      }
      out_topic.partitions.push_back(std::move(out));
    }
    response.responses.push_back(std::move(out_topic));
  }

  kafka::Writer w;
  kafka::ResponseHeader{ctx.header.correlation_id}.encode(
      w, kafka::response_header_version(kafka::ApiKey::kFetch, ctx.header.api_version));
  response.encode(w, ctx.header.api_version);
  const std::vector<kafka::Writer::DeferredRecords> holes = w.deferred_records();
  RL_ASSERT(holes.size() == deferred.size());
  std::vector<std::byte> encoded = std::move(w).take();

  Response out;
  out.shard_affinity = affinity.value();
  size_t from = 0;
  for (size_t h = 0; h < holes.size(); ++h) {
    out.chunks.push_back(
        std::vector<std::byte>(encoded.begin() + static_cast<ptrdiff_t>(from),
                               encoded.begin() + static_cast<ptrdiff_t>(holes[h].position)));
    for (storage::FileRange& range : deferred[h]) {
      out.chunks.push_back(server::FileRange{.fd = range.fd(),
                                             .position = range.position.value(),
                                             .length = range.length,
                                             .keep_alive = range.file});
    }
    from = holes[h].position;
  }
  out.chunks.push_back(
      std::vector<std::byte>(encoded.begin() + static_cast<ptrdiff_t>(from), encoded.end()));
  co_return out;
}

}  // namespace ringlog::cluster::handlers
