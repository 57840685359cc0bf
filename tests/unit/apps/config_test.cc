// Proves broker settings parse from Kafka-style properties with the right defaults and errors.
#include <gtest/gtest.h>

#include "apps/ringlog/broker_config.h"
#include "apps/ringlog/properties.h"

namespace ringlog::apps {
namespace {

TEST(PropertiesTest, ParsesKeyValuesCommentsAndContinuations) {
  Properties p = parse_properties(
      "# a comment\n! another\n\nlog.dirs = /tmp/x\nnum.partitions:3\n"
      "listeners=PLAINTEXT://127.0.0.1:1234,\\\n  OTHER://127.0.0.2:99\n",
      "test");
  EXPECT_EQ(p.at("log.dirs"), "/tmp/x");
  EXPECT_EQ(p.at("num.partitions"), "3");
  EXPECT_EQ(p.at("listeners"), "PLAINTEXT://127.0.0.1:1234,OTHER://127.0.0.2:99");
  EXPECT_EQ(p.size(), 3u);
}

TEST(PropertiesTest, LineWithoutSeparatorIsAnErrorNamingTheLine) {
  try {
    (void)parse_properties("a=1\nnot a pair\n", "server.properties");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("server.properties:2"), std::string::npos) << e.what();
  }
}

TEST(BrokerConfigTest, DefaultsAreASingleNodeBrokerOnLoopback9092) {
  BrokerConfig c;
  ASSERT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(c.listeners[0].host, "127.0.0.1");
  EXPECT_EQ(c.listeners[0].port, 9092);
  EXPECT_EQ(c.log_dir, "./ringlog-data");
  EXPECT_TRUE(c.auto_create_topics_enable);
  EXPECT_EQ(c.num_partitions, 1);
  EXPECT_FALSE(c.log_direct_writes);
  EXPECT_EQ(c.log_sealed_sync_delay_ms, 30'000);
}

TEST(BrokerConfigTest, KafkaNamesOverrideDefaultsAndUnknownKeysAreReported) {
  BrokerConfig c;
  auto unknown = apply_properties(c, {{"num.partitions", "8"},
                                      {"log.retention.hours", "2"},
                                      {"auto.create.topics.enable", "false"},
                                      {"log.direct.writes", "true"},
                                      {"log.sealed.sync.delay.ms", "0"},
                                      {"listeners", "PLAINTEXT://localhost:19092"},
                                      {"zookeeper.connect", "x:2181"}});
  EXPECT_EQ(c.num_partitions, 8);
  EXPECT_EQ(c.log_retention_ms, 2 * 3'600'000);
  EXPECT_FALSE(c.auto_create_topics_enable);
  EXPECT_TRUE(c.log_direct_writes);
  EXPECT_EQ(c.log_sealed_sync_delay_ms, 0);
  EXPECT_EQ(c.listeners[0].port, 19092);
  EXPECT_EQ(c.listeners[0].host, "127.0.0.1");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0], "zookeeper.connect");
}

TEST(BrokerConfigTest, BadValuesThrowWithTheKeyName) {
  BrokerConfig c;
  EXPECT_THROW(apply_properties(c, {{"num.partitions", "zero"}}), ConfigError);
  EXPECT_THROW(apply_properties(c, {{"num.partitions", "0"}}), ConfigError);
  EXPECT_THROW(apply_properties(c, {{"auto.create.topics.enable", "yes"}}), ConfigError);
  EXPECT_THROW(apply_properties(c, {{"listeners", "127.0.0.1:9092"}}), ConfigError);
  EXPECT_THROW(apply_properties(c, {{"listeners", "PLAINTEXT://h:70000"}}), ConfigError);
}

}  // namespace
}  // namespace ringlog::apps
