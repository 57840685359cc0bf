#include <fmt/format.h>

#include <optional>

#include "cluster/handlers/handler.h"
#include "cluster/producer_state.h"
#include "engine/reactor/when_all.h"
#include "engine/storage/record_batch_format.h"
#include "net/server/shard_affinity.h"

namespace ringlog::cluster::handlers {
namespace {

using kafka::ErrorCode;

struct PartitionAppend {
  ErrorCode error = ErrorCode::kNone;
  int64_t base_offset = -1;
  int64_t log_start_offset = -1;
  std::string message;
};

// What the batches of one partition's records say about sequencing.
struct Sequencing {
  ErrorCode error = ErrorCode::kNone;
  std::optional<SequencedBatch> batch;  // set when the (single) batch has a producer id
};

// Walks the batch headers (no allocation; usually one batch). Batches without a producer id
// (-1) need nothing. A batch with one must be the only batch of its partition, as Kafka requires
// of every Produce v3+, and carry a sequence. Framing errors are left to the log's validation.
Sequencing sequencing_of(std::span<const std::byte> records) {
  namespace bf = storage::batch_format;
  size_t at = 0;
  size_t batches = 0;
  const std::byte* sequenced = nullptr;
  while (records.size() - at >= bf::kHeaderBytes) {
    const std::byte* header = records.data() + at;
    if (bf::load_be<int64_t>(header + bf::kProducerIdAt) >= 0 && sequenced == nullptr) {
      sequenced = header;
    }
    const int32_t length = bf::load_be<int32_t>(header + bf::kBatchLengthAt);
    if (length < bf::kBatchLengthMin ||
        static_cast<size_t>(length) > records.size() - at - bf::kLogOverheadBytes) {
      break;
    }
    at += bf::kLogOverheadBytes + static_cast<size_t>(length);
    ++batches;
  }
  if (sequenced == nullptr) return {};
  if (batches > 1) return {.error = ErrorCode::kInvalidRecord};
  const int32_t first_sequence = bf::load_be<int32_t>(sequenced + bf::kBaseSequenceAt);
  const int32_t last_offset_delta = bf::load_be<int32_t>(sequenced + bf::kLastOffsetDeltaAt);
  if (first_sequence < 0 || last_offset_delta < 0) return {.error = ErrorCode::kInvalidRecord};
  return {.batch = SequencedBatch{
              .producer_id = bf::load_be<int64_t>(sequenced + bf::kProducerIdAt),
              .producer_epoch = bf::load_be<int16_t>(sequenced + bf::kProducerEpochAt),
              .first_sequence = first_sequence,
              .last_sequence = last_sequence_of(first_sequence, last_offset_delta)}};
}

// Runs on the partition's owner shard: checks an idempotent producer's sequence, appends the
// batches (patched in place in the request frame, which stays alive on the handling shard until
// this returns) and wakes waiting fetches.
Task<PartitionAppend> append_on_owner(std::string topic, int32_t index,
                                      std::span<std::byte> bytes) {
  Broker& broker = Broker::local();
  Partition* partition = broker.partitions().find(topic, index);
  if (partition == nullptr) co_return PartitionAppend{.error = ErrorCode::kUnknownTopicOrPartition};
  const Sequencing sequencing = sequencing_of(bytes);
  if (sequencing.error != ErrorCode::kNone) {
    co_return PartitionAppend{
        .error = sequencing.error,
        .message = "a batch with a producer id must be the only batch, with a sequence"};
  }
  if (sequencing.batch) {
    const SequenceCheck check = partition->producers().check_and_reserve(*sequencing.batch);
    switch (check.verdict) {
      case SequenceVerdict::kAppend:
        break;
      case SequenceVerdict::kDuplicate:
        // Kafka answers a retry of one of the last 5 batches with success and the offset the
        // batch was stored at; nothing is appended.
        co_return PartitionAppend{.base_offset = check.base_offset,
                                  .log_start_offset = partition->log().log_start_offset().value()};
      case SequenceVerdict::kDuplicatePending:
        // Stored, or about to be, but its offset is not known yet: clients take this error as
        // success without an offset.
        co_return PartitionAppend{.error = ErrorCode::kDuplicateSequenceNumber};
      case SequenceVerdict::kOutOfOrder:
        co_return PartitionAppend{.error = ErrorCode::kOutOfOrderSequenceNumber};
      case SequenceVerdict::kInvalidEpoch:
        co_return PartitionAppend{.error = ErrorCode::kInvalidProducerEpoch};
    }
  }
  // No co_await between the reservation and this call: Log::append validates, admits and
  // assigns offsets before it first suspends, so a batch refused there (invalid, too large,
  // queue full, log closed) is abandoned before any later batch of the producer is checked.
  auto appended = co_await partition->log().append(bytes);
  // The partition may have been deleted while the append was in flight.
  Partition* after = broker.partitions().find(topic, index);
  if (!appended) {
    if (sequencing.batch && after == partition) partition->producers().abandon(*sequencing.batch);
    co_return PartitionAppend{.error = error_for(appended.error()),
                              .message = storage::to_string(appended.error())};
  }
  if (after != partition) co_return PartitionAppend{.error = ErrorCode::kUnknownTopicOrPartition};
  if (sequencing.batch) {
    partition->producers().complete(*sequencing.batch, appended->base_offset.value());
  }
  co_await broker.wake_waiters(*partition);
  co_return PartitionAppend{.base_offset = appended->base_offset.value(),
                            .log_start_offset = partition->log().log_start_offset().value()};
}

// Produce v0-v2 carry message sets of magic 0 or 1 (a v2 batch is legal there too). Both
// formats start with offset (int64) and size (int32) and keep the magic byte at byte 16, so the
// entries can be walked without knowing the format. True if any entry is not magic 2; a
// truncated or malformed tail is left to batch validation (CORRUPT_MESSAGE).
bool has_legacy_magic(std::span<const std::byte> records) {
  namespace bf = storage::batch_format;
  size_t at = 0;
  while (records.size() - at > bf::kMagicAt) {
    const std::byte* entry = records.data() + at;
    if (bf::load_be<int8_t>(entry + bf::kMagicAt) != bf::kMagicV2) return true;
    const int32_t size = bf::load_be<int32_t>(entry + bf::kBatchLengthAt);
    if (size < 0 || static_cast<size_t>(size) > records.size() - at - bf::kLogOverheadBytes) {
      return false;
    }
    at += bf::kLogOverheadBytes + static_cast<size_t>(size);
  }
  return false;
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
  server::AffinityCollector affinity;
  for (const auto& topic : request.topic_data) {
    const TopicMetadata* meta = snapshot->find(topic.name);
    for (const auto& part : topic.partition_data) {
      if (!valid_acks) {
        work.push_back(ready<PartitionAppend>({.error = ErrorCode::kInvalidRequiredAcks}));
      } else if (!has_partition(meta, part.index)) {
        work.push_back(ready<PartitionAppend>({.error = ErrorCode::kUnknownTopicOrPartition}));
      } else if (!part.records || part.records->empty()) {
        work.push_back(ready<PartitionAppend>(
            {.error = ErrorCode::kCorruptMessage, .message = "no record batches"}));
      } else if (ctx.header.api_version <= 2 && has_legacy_magic(part.records->bytes)) {
        // The log stores only magic-2 batches and we do not up-convert. Kafka 3.x would
        // up-convert magic 0/1 to v2 and store it; Kafka 4.0 no longer serves Produce v0-v2 at
        // all. We refuse the partition with UNSUPPORTED_FOR_MESSAGE_FORMAT ("the message format
        // version on the broker does not support the request"): not retriable, so the client
        // fails the batch at once instead of resending what we will never take (CORRUPT_MESSAGE
        // is retriable). Nothing of the partition's data is stored.
        work.push_back(ready<PartitionAppend>(
            {.error = ErrorCode::kUnsupportedForMessageFormat,
             .message = "only record batches of magic 2 are stored; magic 0/1 message sets are "
                        "not converted"}));
      } else {
        // The records are a view into the frame we own: write them from there, no copy.
        auto& buffer = ctx.frame->buffer;
        const size_t offset = static_cast<size_t>(part.records->bytes.data() - buffer.data());
        RL_ASSERT(offset + part.records->size() <= buffer.size());
        std::span<std::byte> bytes(buffer.data() + offset, part.records->size());
        affinity.note(broker.owner(topic.name, part.index).value());
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
  // No response with acks=0; an error can only be signalled by closing the connection.
  Response out = acks != 0   ? respond(ctx.header, response)
                 : any_error ? Response::close()
                             : Response::none();
  out.shard_affinity = affinity.value();
  co_return out;
}

}  // namespace ringlog::cluster::handlers
