// Proves murmur2 and the key partitioner match the Java client bit for bit (vectors from Kafka's
// UtilsTest.testMurmur2; partitions are toPositive(hash) % count, never abs()).
#include "client/murmur2.h"

#include <gtest/gtest.h>

#include <string>

namespace ringlog::client {
namespace {

TEST(Murmur2Test, MatchesTheJavaClientsVectors) {
  EXPECT_EQ(murmur2("21"), -973932308);
  EXPECT_EQ(murmur2("foobar"), -790332482);
  EXPECT_EQ(murmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(murmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(murmur2("abc"), 479470107);
  EXPECT_EQ(murmur2(""), 275646681);
}

TEST(Murmur2Test, BytesAboveSevenBitsAreUnsigned) {
  // Java masks each byte with 0xff; a signed char would flip the hash.
  const std::string high = "\xff\xfe\x80";
  const std::string low = "\x7f\x7e\x00";
  EXPECT_NE(murmur2(high), murmur2(low));
  EXPECT_EQ(murmur2(high), murmur2(std::string("\xff\xfe\x80")));
}

TEST(Murmur2Test, PartitionIsToPositiveOfTheHashModuloTheCount) {
  // toPositive(-790332482) = 1357151166; 1357151166 % 50 = 16.
  EXPECT_EQ(to_positive(-790332482), 1357151166);
  EXPECT_EQ(partition_for_key("foobar", 50), 16);
  EXPECT_EQ(partition_for_key("foobar", 1), 0);
  // toPositive clears the sign bit; abs() would give a different partition.
  EXPECT_EQ(to_positive(INT32_MIN), 0);
  EXPECT_EQ(to_positive(-1), INT32_MAX);
  EXPECT_EQ(partition_for_key("21", 7), (-973932308 & 0x7fffffff) % 7);
}

}  // namespace
}  // namespace ringlog::client
