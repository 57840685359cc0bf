#include "net/server/shard_affinity.h"

#include <gtest/gtest.h>

namespace ringlog::server {
namespace {

TEST(AffinityCollector, OneShardIsThatShardSeveralAreMixedNoneIsNone) {
  AffinityCollector none;
  EXPECT_EQ(none.value(), kNoAffinity);
  AffinityCollector one;
  one.note(1);
  one.note(1);
  EXPECT_EQ(one.value(), 1);
  AffinityCollector mixed;
  mixed.note(1);
  mixed.note(0);
  mixed.note(1);
  EXPECT_EQ(mixed.value(), kMixedAffinity);
}

TEST(MoveDecider, AsksForAMoveAfterAStreakForAnotherShard) {
  MoveDecider d;
  for (uint32_t i = 0; i + 1 < MoveDecider::kStreak; ++i) d.observe(1);
  EXPECT_FALSE(d.target(0));
  d.observe(kNoAffinity);  // neither builds nor breaks the streak
  EXPECT_FALSE(d.target(0));
  d.observe(1);
  EXPECT_EQ(d.target(0), 1u);
  EXPECT_FALSE(d.target(1)) << "already home";
}

TEST(MoveDecider, MixedOrChangingHomesBreakTheStreak) {
  MoveDecider d;
  for (int i = 0; i < 3; ++i) d.observe(1);
  d.observe(kMixedAffinity);
  for (int i = 0; i < 3; ++i) d.observe(1);
  EXPECT_FALSE(d.target(0));
  d.observe(0);
  for (int i = 0; i < 3; ++i) d.observe(1);
  EXPECT_FALSE(d.target(0));
}

TEST(MoveDecider, NoMoveOnceTheConnectionMovedMovesMaxTimes) {
  MoveDecider d(MoveDecider::kMovesMax);
  for (int i = 0; i < 10; ++i) d.observe(1);
  EXPECT_FALSE(d.target(0));
}

}  // namespace
}  // namespace ringlog::server
