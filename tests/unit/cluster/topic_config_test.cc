// TopicConfig::validate for compression.type: Kafka's topic values (a codec, "uncompressed",
// "producer") pass; the producers' "none" and anything else are refused with the config named.

#include "cluster/topic_config.h"

#include <gtest/gtest.h>

namespace ringlog::cluster {
namespace {

TEST(TopicConfigTest, CompressionTypeTakesKafkasTopicValues) {
  for (const char* value : {"producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"}) {
    EXPECT_EQ(TopicConfig::validate({{"compression.type", value}}), std::nullopt) << value;
  }
  for (const char* value : {"none", "brotli", "", "GZIP"}) {
    const std::optional<std::string> error = TopicConfig::validate({{"compression.type", value}});
    ASSERT_TRUE(error.has_value()) << value;
    EXPECT_NE(error->find("compression.type"), std::string::npos) << *error;
  }
}

}  // namespace
}  // namespace ringlog::cluster
