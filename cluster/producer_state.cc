#include "cluster/producer_state.h"

#include <limits>

#include "engine/base/assert.h"

namespace ringlog::cluster {
namespace {

constexpr int32_t kSequenceMax = std::numeric_limits<int32_t>::max();

bool in_sequence(int32_t last_sequence, int32_t next_sequence) {
  if (last_sequence == kSequenceMax) return next_sequence == 0;
  return next_sequence == last_sequence + 1;
}

}  // namespace

int32_t last_sequence_of(int32_t first_sequence, int32_t last_offset_delta) {
  RL_ASSERT(first_sequence >= 0);
  RL_ASSERT(last_offset_delta >= 0);
  if (first_sequence > kSequenceMax - last_offset_delta) {
    return last_offset_delta - (kSequenceMax - first_sequence) - 1;
  }
  return first_sequence + last_offset_delta;
}

ProducerStateTable::ProducerStateTable(size_t producers_max) : producers_max_(producers_max) {
  RL_ASSERT(producers_max_ > 0);
}

ProducerStateTable::Producer& ProducerStateTable::insert(int64_t producer_id) {
  if (producers_.size() >= producers_max_) {
    auto oldest = producers_.begin();
    for (auto it = producers_.begin(); it != producers_.end(); ++it) {
      if (it->second.last_write < oldest->second.last_write) oldest = it;
    }
    producers_.erase(oldest);
  }
  Producer& producer = producers_[producer_id];
  RL_ASSERT(producer.count == 0);
  return producer;
}

void ProducerStateTable::push(Producer& producer, const BatchEntry& entry) {
  if (producer.count == kBatchesPerProducer) {
    for (size_t i = 1; i < kBatchesPerProducer; ++i) producer.batches[i - 1] = producer.batches[i];
    --producer.count;
  }
  producer.batches[producer.count++] = entry;
  RL_DASSERT(producer.count <= kBatchesPerProducer);
}

void ProducerStateTable::start_over(Producer& producer, int16_t epoch, const BatchEntry& entry) {
  producer.epoch = epoch;
  producer.count = 0;
  push(producer, entry);
}

SequenceCheck ProducerStateTable::check_and_reserve(const SequencedBatch& batch) {
  RL_ASSERT(batch.producer_id >= 0);
  RL_ASSERT(batch.first_sequence >= 0);
  const BatchEntry entry{batch.first_sequence, batch.last_sequence, -1};
  auto it = producers_.find(batch.producer_id);
  if (it == producers_.end()) {
    // Unknown producer (new, or its state is gone): any sequence is taken (KIP-360).
    Producer& producer = insert(batch.producer_id);
    start_over(producer, batch.producer_epoch, entry);
    producer.last_write = ++clock_;
    return {};
  }
  Producer& producer = it->second;
  if (batch.producer_epoch < producer.epoch) return {.verdict = SequenceVerdict::kInvalidEpoch};
  if (batch.producer_epoch > producer.epoch) {
    if (batch.first_sequence != 0) return {.verdict = SequenceVerdict::kOutOfOrder};
    start_over(producer, batch.producer_epoch, entry);
    producer.last_write = ++clock_;
    return {};
  }
  for (uint8_t i = 0; i < producer.count; ++i) {
    const BatchEntry& stored = producer.batches[i];
    if (stored.first_sequence != batch.first_sequence) continue;
    if (stored.last_sequence != batch.last_sequence) continue;
    if (stored.base_offset < 0) return {.verdict = SequenceVerdict::kDuplicatePending};
    return {.verdict = SequenceVerdict::kDuplicate, .base_offset = stored.base_offset};
  }
  // After an abandoned append the window may be empty: nothing to continue from.
  if (producer.count > 0 &&
      !in_sequence(producer.batches[producer.count - 1].last_sequence, batch.first_sequence)) {
    return {.verdict = SequenceVerdict::kOutOfOrder};
  }
  push(producer, entry);
  producer.last_write = ++clock_;
  return {};
}

void ProducerStateTable::complete(const SequencedBatch& batch, int64_t base_offset) {
  RL_ASSERT(base_offset >= 0);
  auto it = producers_.find(batch.producer_id);
  // Evicted, or a newer epoch started over while the append was in flight: nothing to fill in.
  if (it == producers_.end() || it->second.epoch != batch.producer_epoch) return;
  Producer& producer = it->second;
  for (uint8_t i = 0; i < producer.count; ++i) {
    BatchEntry& stored = producer.batches[i];
    if (stored.first_sequence == batch.first_sequence &&
        stored.last_sequence == batch.last_sequence && stored.base_offset < 0) {
      stored.base_offset = base_offset;
      return;
    }
  }
}

void ProducerStateTable::abandon(const SequencedBatch& batch) {
  auto it = producers_.find(batch.producer_id);
  if (it == producers_.end() || it->second.epoch != batch.producer_epoch) return;
  Producer& producer = it->second;
  for (uint8_t i = 0; i < producer.count; ++i) {
    const BatchEntry& stored = producer.batches[i];
    if (stored.first_sequence != batch.first_sequence ||
        stored.last_sequence != batch.last_sequence || stored.base_offset >= 0) {
      continue;
    }
    for (uint8_t j = static_cast<uint8_t>(i + 1); j < producer.count; ++j) {
      producer.batches[j - 1] = producer.batches[j];
    }
    --producer.count;
    return;
  }
}

void ProducerStateTable::replay(const SequencedBatch& batch, int64_t base_offset) {
  RL_ASSERT(batch.producer_id >= 0);
  RL_ASSERT(base_offset >= 0);
  const BatchEntry entry{batch.first_sequence, batch.last_sequence, base_offset};
  auto it = producers_.find(batch.producer_id);
  Producer& producer = it == producers_.end() ? insert(batch.producer_id) : it->second;
  if (producer.count == 0 || batch.producer_epoch != producer.epoch) {
    start_over(producer, batch.producer_epoch, entry);
  } else {
    push(producer, entry);
  }
  producer.last_write = ++clock_;
}

}  // namespace ringlog::cluster
