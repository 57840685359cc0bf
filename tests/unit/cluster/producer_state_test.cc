// Proves the idempotent-producer sequence check follows Kafka's rules: in-order batches append,
// a retry of any of the last 5 batches is a duplicate answered with its original offset (and a
// retry of one still in flight is a duplicate without one), gaps and repeats outside the window
// are out of order, stale epochs are refused, a new epoch must start at sequence 0, unknown
// producers are taken at any sequence, sequences wrap after INT32_MAX, abandoned appends leave
// the window, replayed log batches rebuild the same state, and the table stays bounded.
#include "cluster/producer_state.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace ringlog::cluster {
namespace {

constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

SequencedBatch batch(int32_t first, int32_t count, int16_t epoch = 0, int64_t producer_id = 7) {
  return {.producer_id = producer_id,
          .producer_epoch = epoch,
          .first_sequence = first,
          .last_sequence = last_sequence_of(first, count - 1)};
}

// Reserves and completes `b` at `offset`; expects it to be taken.
void append(ProducerStateTable& table, const SequencedBatch& b, int64_t offset) {
  ASSERT_EQ(table.check_and_reserve(b).verdict, SequenceVerdict::kAppend);
  table.complete(b, offset);
}

TEST(ProducerStateTest, InOrderBatchesAppend) {
  ProducerStateTable table;
  append(table, batch(0, 3), 0);
  append(table, batch(3, 1), 3);
  append(table, batch(4, 10), 4);
  EXPECT_EQ(table.size(), 1u);
}

TEST(ProducerStateTest, RetryOfAnyOfTheLastFiveIsADuplicateWithItsOriginalOffset) {
  ProducerStateTable table;
  for (int i = 0; i < 7; ++i) append(table, batch(i * 2, 2), 100 + i * 2);
  // Batches 2..6 are in the window; 0 and 1 have left it.
  for (int i = 2; i < 7; ++i) {
    SequenceCheck c = table.check_and_reserve(batch(i * 2, 2));
    EXPECT_EQ(c.verdict, SequenceVerdict::kDuplicate) << i;
    EXPECT_EQ(c.base_offset, 100 + i * 2) << i;
  }
  EXPECT_EQ(table.check_and_reserve(batch(2, 2)).verdict, SequenceVerdict::kOutOfOrder);
  EXPECT_EQ(table.check_and_reserve(batch(0, 2)).verdict, SequenceVerdict::kOutOfOrder);
  // Duplicates changed nothing: the next batch still continues at 14.
  append(table, batch(14, 1), 114);
}

TEST(ProducerStateTest, SameFirstSequenceWithAnotherLastIsNotADuplicate) {
  ProducerStateTable table;
  append(table, batch(0, 3), 0);
  EXPECT_EQ(table.check_and_reserve(batch(0, 2)).verdict, SequenceVerdict::kOutOfOrder);
}

TEST(ProducerStateTest, RetryOfABatchStillInFlightIsAPendingDuplicate) {
  ProducerStateTable table;
  ASSERT_EQ(table.check_and_reserve(batch(0, 5)).verdict, SequenceVerdict::kAppend);
  // Pipelined: the next batch is checked before the first one's append completed.
  ASSERT_EQ(table.check_and_reserve(batch(5, 5)).verdict, SequenceVerdict::kAppend);
  EXPECT_EQ(table.check_and_reserve(batch(0, 5)).verdict, SequenceVerdict::kDuplicatePending);
  table.complete(batch(0, 5), 40);
  SequenceCheck c = table.check_and_reserve(batch(0, 5));
  EXPECT_EQ(c.verdict, SequenceVerdict::kDuplicate);
  EXPECT_EQ(c.base_offset, 40);
}

TEST(ProducerStateTest, GapIsOutOfOrder) {
  ProducerStateTable table;
  append(table, batch(0, 5), 0);
  EXPECT_EQ(table.check_and_reserve(batch(6, 1)).verdict, SequenceVerdict::kOutOfOrder);
  EXPECT_EQ(table.check_and_reserve(batch(4, 2)).verdict, SequenceVerdict::kOutOfOrder);
  append(table, batch(5, 1), 5);
}

TEST(ProducerStateTest, StaleEpochIsInvalidAndNewEpochStartsAtZero) {
  ProducerStateTable table;
  append(table, batch(0, 5, /*epoch=*/3), 0);
  EXPECT_EQ(table.check_and_reserve(batch(5, 1, 2)).verdict, SequenceVerdict::kInvalidEpoch);
  EXPECT_EQ(table.check_and_reserve(batch(0, 5, 2)).verdict, SequenceVerdict::kInvalidEpoch);
  EXPECT_EQ(table.check_and_reserve(batch(5, 1, 4)).verdict, SequenceVerdict::kOutOfOrder);
  append(table, batch(0, 2, 4), 5);
  // The old epoch's batches are gone from the window; the old epoch itself is now stale.
  EXPECT_EQ(table.check_and_reserve(batch(0, 5, 3)).verdict, SequenceVerdict::kInvalidEpoch);
  append(table, batch(2, 1, 4), 7);
}

TEST(ProducerStateTest, UnknownProducerIsTakenAtAnySequence) {
  ProducerStateTable table;
  append(table, batch(42, 3, 0, /*producer_id=*/1), 0);
  append(table, batch(0, 1, 5, /*producer_id=*/2), 3);
  EXPECT_EQ(table.check_and_reserve(batch(46, 1, 0, 1)).verdict, SequenceVerdict::kOutOfOrder);
  append(table, batch(45, 1, 0, 1), 4);
  EXPECT_EQ(table.size(), 2u);
}

TEST(ProducerStateTest, SequencesWrapAfterInt32Max) {
  EXPECT_EQ(last_sequence_of(kMax, 0), kMax);
  EXPECT_EQ(last_sequence_of(kMax, 1), 0);
  EXPECT_EQ(last_sequence_of(kMax - 1, 3), 1);
  ProducerStateTable table;
  append(table, batch(kMax - 2, 3), 0);
  append(table, batch(0, 2), 3);
  ProducerStateTable wrapped;
  append(wrapped, batch(kMax - 1, 4), 0);  // kMax-1, kMax, 0, 1
  append(wrapped, batch(2, 1), 4);
}

TEST(ProducerStateTest, AbandonedAppendLeavesTheWindow) {
  ProducerStateTable table;
  append(table, batch(0, 2), 0);
  ASSERT_EQ(table.check_and_reserve(batch(2, 2)).verdict, SequenceVerdict::kAppend);
  table.abandon(batch(2, 2));
  // The client retries the same batch: it is taken again, not a duplicate.
  append(table, batch(2, 2), 2);
  // An abandoned first batch leaves an empty window: the retry is taken too.
  ProducerStateTable fresh;
  ASSERT_EQ(fresh.check_and_reserve(batch(0, 1)).verdict, SequenceVerdict::kAppend);
  fresh.abandon(batch(0, 1));
  append(fresh, batch(0, 1), 0);
}

TEST(ProducerStateTest, ReplayedLogRebuildsTheSameWindow) {
  ProducerStateTable table;
  // As found in the log: an old epoch, then the current one with seven batches.
  table.replay(batch(0, 4, 0), 0);
  for (int i = 0; i < 7; ++i) table.replay(batch(i, 1, 1), 4 + i);
  SequenceCheck c = table.check_and_reserve(batch(6, 1, 1));
  EXPECT_EQ(c.verdict, SequenceVerdict::kDuplicate);
  EXPECT_EQ(c.base_offset, 10);
  EXPECT_EQ(table.check_and_reserve(batch(1, 1, 1)).verdict, SequenceVerdict::kOutOfOrder);
  EXPECT_EQ(table.check_and_reserve(batch(0, 1, 0)).verdict, SequenceVerdict::kInvalidEpoch);
  append(table, batch(7, 1, 1), 11);
}

TEST(ProducerStateTest, TableForgetsTheLeastRecentlyWritingProducerAtItsLimit) {
  ProducerStateTable table(/*producers_max=*/3);
  append(table, batch(0, 1, 0, 1), 0);
  append(table, batch(0, 1, 0, 2), 1);
  append(table, batch(0, 1, 0, 3), 2);
  append(table, batch(1, 1, 0, 1), 3);  // producer 1 wrote again: 2 is now the oldest
  append(table, batch(0, 1, 0, 4), 4);
  EXPECT_EQ(table.size(), 3u);
  // Producer 2 is forgotten: its retry is no longer recognised (taken as unknown).
  EXPECT_EQ(table.check_and_reserve(batch(0, 1, 0, 2)).verdict, SequenceVerdict::kAppend);
  EXPECT_EQ(table.size(), 3u);
  SequenceCheck c = table.check_and_reserve(batch(1, 1, 0, 1));
  EXPECT_EQ(c.verdict, SequenceVerdict::kDuplicate);
  EXPECT_EQ(c.base_offset, 3);
}

}  // namespace
}  // namespace ringlog::cluster
