// Proves the consumer-group offset arithmetic: lag is log end - committed (never negative, none
// without a commit) and every reset target lands inside [log start, log end] with
// kafka-consumer-groups.sh's rules (timestamp past the end = log end; shift needs a commit).
#include "client/group_offsets.h"

#include <gtest/gtest.h>

#include <limits>

namespace ringlog::client {
namespace {

using Kind = ResetTarget::Kind;

PartitionPosition position(std::optional<int64_t> committed, int64_t start, int64_t end) {
  PartitionPosition p{
      .topic = "t", .partition = 3, .log_start = Offset(start), .log_end = Offset(end)};
  if (committed) p.committed = Offset(*committed);
  return p;
}

int64_t target_of(const PartitionPosition& p, Kind kind, int64_t value = 0) {
  Result<PlannedReset, PlanError> plan = plan_reset(p, ResetTarget{.kind = kind, .value = value});
  EXPECT_TRUE(plan.has_value());
  if (!plan) return -1;
  EXPECT_EQ(plan->topic, "t");
  EXPECT_EQ(plan->partition, 3);
  EXPECT_EQ(plan->current, p.committed);
  return plan->target.value();
}

TEST(GroupOffsetsTest, LagIsLogEndMinusCommittedAndNeverNegative) {
  EXPECT_EQ(consumer_lag(Offset(40), Offset(100)), 60);
  EXPECT_EQ(consumer_lag(Offset(100), Offset(100)), 0);
  EXPECT_EQ(consumer_lag(Offset(120), Offset(100)), 0);
  EXPECT_EQ(consumer_lag(std::nullopt, Offset(100)), std::nullopt);
}

TEST(GroupOffsetsTest, EarliestAndLatestAreTheLogBounds) {
  const PartitionPosition p = position(50, 10, 90);
  EXPECT_EQ(target_of(p, Kind::kEarliest), 10);
  EXPECT_EQ(target_of(p, Kind::kLatest), 90);
  EXPECT_EQ(target_of(position(std::nullopt, 0, 0), Kind::kLatest), 0);
}

TEST(GroupOffsetsTest, AnOffsetIsClampedToTheLog) {
  const PartitionPosition p = position(50, 10, 90);
  EXPECT_EQ(target_of(p, Kind::kOffset, 42), 42);
  EXPECT_EQ(target_of(p, Kind::kOffset, 5), 10);
  EXPECT_EQ(target_of(p, Kind::kOffset, 1000), 90);
  EXPECT_EQ(target_of(position(std::nullopt, 10, 90), Kind::kOffset, 42), 42);
}

TEST(GroupOffsetsTest, ATimestampPastTheLastRecordMeansTheLogEnd) {
  PartitionPosition p = position(50, 10, 90);
  p.at_timestamp = Offset(33);
  EXPECT_EQ(target_of(p, Kind::kTimestamp, 1'700'000'000'000), 33);
  p.at_timestamp = std::nullopt;
  EXPECT_EQ(target_of(p, Kind::kTimestamp, 1'700'000'000'000), 90);
}

TEST(GroupOffsetsTest, ShiftMovesFromTheCommittedOffsetWithinTheLog) {
  const PartitionPosition p = position(50, 10, 90);
  EXPECT_EQ(target_of(p, Kind::kShiftBy, -5), 45);
  EXPECT_EQ(target_of(p, Kind::kShiftBy, 15), 65);
  EXPECT_EQ(target_of(p, Kind::kShiftBy, -100), 10);
  EXPECT_EQ(target_of(p, Kind::kShiftBy, 100), 90);
  EXPECT_EQ(target_of(p, Kind::kShiftBy, std::numeric_limits<int64_t>::max()), 90);
  EXPECT_EQ(target_of(p, Kind::kShiftBy, std::numeric_limits<int64_t>::min()), 10);
}

TEST(GroupOffsetsTest, ShiftWithoutACommittedOffsetIsRefused) {
  Result<PlannedReset, PlanError> plan =
      plan_reset(position(std::nullopt, 0, 10), ResetTarget{.kind = Kind::kShiftBy, .value = 1});
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error(), PlanError::kNoCommittedOffset);
}

}  // namespace
}  // namespace ringlog::client
