#pragma once
// ProducerStateTable: one partition's idempotent-producer state (DESIGN.md "Producer state"),
// kept on the partition's owner shard. For each producer id it holds the epoch and the last
// kBatchesPerProducer batches (first sequence, last sequence, base offset), which is what Kafka's
// ProducerStateManager checks a Produce against:
//
//   - epoch below the stored one                        -> INVALID_PRODUCER_EPOCH
//   - same epoch, same first and last sequence as one of
//     the stored batches                                -> duplicate: success with that batch's
//                                                          base offset, nothing appended
//   - same epoch, first sequence == last sequence + 1   -> append
//     (after INT32_MAX comes 0)
//   - same epoch, any other sequence                    -> OUT_OF_ORDER_SEQUENCE_NUMBER
//   - higher epoch: first sequence must be 0            -> append (the window starts over),
//                                                          else OUT_OF_ORDER_SEQUENCE_NUMBER
//   - producer id not in the table                      -> append, whatever the sequence
//
// The last rule is Kafka's since 2.5 (KIP-360): a producer whose state retention or DeleteRecords
// removed is accepted rather than failed with UNKNOWN_PRODUCER_ID, and clients (librdkafka 2.0,
// Java 3.x) are written against it.
//
// Appends complete asynchronously and a client pipelines up to 5 batches per partition, so a
// batch is recorded when it passes the check (reserve), before its offset is known; complete()
// fills in the offset, abandon() forgets it if the append failed. A retry of a batch whose append
// is still in flight is a duplicate without an offset (kDuplicatePending).
//
// The table is bounded: past producers_max producer ids, the one that wrote least recently is
// forgotten (Kafka expires idle producers after producer.id.expiration.ms instead).
//
// Producer ids are not checked against the ids InitProducerId handed out (Kafka does not either).

#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace ringlog::cluster {

// The producer fields of one batch header. Only batches with producer_id >= 0 are sequenced.
struct SequencedBatch {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t first_sequence = -1;
  int32_t last_sequence = -1;

  friend bool operator==(const SequencedBatch&, const SequencedBatch&) = default;
};

// first_sequence + last_offset_delta, wrapping after INT32_MAX to 0 as Kafka's sequences do.
int32_t last_sequence_of(int32_t first_sequence, int32_t last_offset_delta);

enum class SequenceVerdict : uint8_t {
  kAppend,            // reserved: append it, then complete() or abandon()
  kDuplicate,         // already stored at SequenceCheck::base_offset; do not append
  kDuplicatePending,  // an identical batch is being appended right now; do not append
  kOutOfOrder,        // OUT_OF_ORDER_SEQUENCE_NUMBER
  kInvalidEpoch,      // INVALID_PRODUCER_EPOCH
};

struct SequenceCheck {
  SequenceVerdict verdict = SequenceVerdict::kAppend;
  int64_t base_offset = -1;  // kDuplicate: where the original batch was stored
};

// Producer ids one partition keeps state for; beyond it the least recently writing one goes.
inline constexpr size_t kProducersPerPartitionMax = 10'000;

class ProducerStateTable {
 public:
  static constexpr size_t kBatchesPerProducer = 5;

  explicit ProducerStateTable(size_t producers_max = kProducersPerPartitionMax);

  // Checks `batch` (producer_id >= 0) and, on kAppend, records it as in flight.
  SequenceCheck check_and_reserve(const SequencedBatch& batch);
  // The reserved `batch` was appended at `base_offset`.
  void complete(const SequencedBatch& batch, int64_t base_offset);
  // The reserved `batch` was not appended: it leaves the window.
  void abandon(const SequencedBatch& batch);
  // A batch found in the log when the partition opens, in log order: recorded without checks
  // (the log is the truth), a new epoch starting the window over.
  void replay(const SequencedBatch& batch, int64_t base_offset);

  size_t size() const { return producers_.size(); }

 private:
  struct BatchEntry {
    int32_t first_sequence = -1;
    int32_t last_sequence = -1;
    int64_t base_offset = -1;  // -1 while its append is in flight
  };
  struct Producer {
    int16_t epoch = -1;
    uint8_t count = 0;  // batches[0, count), oldest first
    std::array<BatchEntry, kBatchesPerProducer> batches{};
    uint64_t last_write = 0;  // table clock at its last reserve/replay (for eviction)
  };

  Producer& insert(int64_t producer_id);
  static void push(Producer& producer, const BatchEntry& entry);
  static void start_over(Producer& producer, int16_t epoch, const BatchEntry& entry);

  size_t producers_max_;
  uint64_t clock_ = 0;
  std::unordered_map<int64_t, Producer> producers_;
};

}  // namespace ringlog::cluster
