// Proves the admin APIs librdkafka 2.0 cannot send (DescribeCluster, IncrementalAlterConfigs,
// OffsetForLeaderEpoch, DeleteTopics by topic id) work on the real broker process, request and
// response encoded with our generated message types over a plain blocking socket.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/kafka/error_code.h"
#include "net/kafka/headers.h"
#include "net/kafka/messages/all_messages.h"
#include "net/kafka/reader.h"
#include "net/kafka/writer.h"
#include "tests/integration/broker_process.h"
#include "tests/integration/wire_client.h"

namespace ringlog::testing {
namespace {

using kafka::ErrorCode;

int16_t code(ErrorCode e) { return static_cast<int16_t>(e); }


std::map<std::string, std::string> topic_configs(WireClient& client, const std::string& topic,
                                                 int16_t version) {
  kafka::DescribeConfigsRequest request;
  request.resources.push_back(
      {.resource_type = 2, .resource_name = topic, .configuration_keys = std::nullopt});
  auto response = client.call<kafka::DescribeConfigsResponse>(request, version);
  std::map<std::string, std::string> out;
  if (!response || response->results.size() != 1) return out;
  EXPECT_EQ(response->results[0].error_code, 0);
  for (const auto& c : response->results[0].configs) out[c.name] = c.value.value_or("<null>");
  return out;
}

int16_t incremental_alter(WireClient& client, const std::string& topic, std::string name, int8_t op,
                          std::optional<std::string> value, int16_t version,
                          bool validate_only = false) {
  kafka::IncrementalAlterConfigsRequest request;
  kafka::IncrementalAlterConfigsRequest::AlterConfigsResource resource;
  resource.resource_type = 2;
  resource.resource_name = topic;
  resource.configs.push_back({.name = std::move(name), .config_operation = op, .value = value});
  request.resources.push_back(resource);
  request.validate_only = validate_only;
  auto response = client.call<kafka::IncrementalAlterConfigsResponse>(request, version);
  if (!response || response->responses.size() != 1) return -100;
  EXPECT_EQ(response->responses[0].resource_name, topic);
  return response->responses[0].error_code;
}

TEST(AdminWireTest, DescribeClusterNamesThisNodeAsTheWholeClusterAndController) {
  BrokerProcess broker;
  broker.start();
  WireClient client(broker.port());
  for (int16_t version : {0, 1}) {
    auto response =
        client.call<kafka::DescribeClusterResponse>(kafka::DescribeClusterRequest{}, version);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->error_code, 0);
    EXPECT_FALSE(response->cluster_id.empty());
    EXPECT_EQ(response->controller_id, 0);
    ASSERT_EQ(response->brokers.size(), 1u);
    EXPECT_EQ(response->brokers[0].broker_id, 0);
    EXPECT_EQ(response->brokers[0].port, broker.port());
  }
  kafka::DescribeClusterRequest controllers;
  controllers.endpoint_type = 2;
  auto refused = client.call<kafka::DescribeClusterResponse>(controllers, 1);
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->error_code, 0);
}

TEST(AdminWireTest, IncrementalAlterConfigsSetsDeletesAppendsAndSubtracts) {
  BrokerProcess broker;
  broker.start();
  WireClient client(broker.port());
  const std::string topic = "incremental";
  create_topic(client, topic, 2);
  const std::map<std::string, std::string> defaults = topic_configs(client, topic, 4);
  ASSERT_EQ(defaults.at("retention.ms"), "604800000");
  for (int16_t version : {0, 1}) {
    EXPECT_EQ(incremental_alter(client, topic, "retention.ms", 0, "1000", version), 0);
    EXPECT_EQ(topic_configs(client, topic, 4).at("retention.ms"), "1000");
    // Validate-only and invalid values change nothing.
    EXPECT_EQ(incremental_alter(client, topic, "retention.ms", 0, "2000", version, true), 0);
    EXPECT_EQ(incremental_alter(client, topic, "retention.ms", 0, "x", version),
              code(ErrorCode::kInvalidConfig));
    EXPECT_EQ(topic_configs(client, topic, 0).at("retention.ms"), "1000");
    // Other overrides are kept by a SET.
    EXPECT_EQ(incremental_alter(client, topic, "segment.ms", 0, "60000", version), 0);
    EXPECT_EQ(topic_configs(client, topic, 1).at("retention.ms"), "1000");
    EXPECT_EQ(incremental_alter(client, topic, "cleanup.policy", 2, "compact", version), 0);
    EXPECT_EQ(topic_configs(client, topic, 4).at("cleanup.policy"), "delete,compact");
    EXPECT_EQ(incremental_alter(client, topic, "cleanup.policy", 3, "delete", version), 0);
    EXPECT_EQ(topic_configs(client, topic, 4).at("cleanup.policy"), "compact");
    EXPECT_EQ(incremental_alter(client, topic, "retention.ms", 2, "5", version),
              code(ErrorCode::kInvalidConfig));
    // DELETE returns each to its default.
    for (const char* name : {"retention.ms", "segment.ms", "cleanup.policy"}) {
      EXPECT_EQ(incremental_alter(client, topic, name, 1, std::nullopt, version), 0);
    }
    EXPECT_EQ(topic_configs(client, topic, 4), defaults);
  }
  EXPECT_EQ(incremental_alter(client, "no-such-topic", "retention.ms", 0, "1", 1),
            code(ErrorCode::kUnknownTopicOrPartition));
}

TEST(AdminWireTest, OffsetForLeaderEpochAnswersEpochZeroAndTheLogEndOffset) {
  BrokerProcess broker;
  broker.start();
  WireClient client(broker.port());
  const std::string topic = "epochs";
  create_topic(client, topic, 1);
  CommandResult produced =
      run_command({"kcat", "-b", broker.bootstrap(), "-P", "-t", topic, "-p", "0"},
                  "a\nb\nc\nd\ne\n", std::chrono::seconds(30));
  ASSERT_EQ(produced.exit_code, 0) << produced.err;

  for (int16_t version : {2, 3, 4}) {
    kafka::OffsetForLeaderEpochRequest request;
    kafka::OffsetForLeaderEpochRequest::OffsetForLeaderTopic t;
    t.topic = topic;
    // (current leader epoch, requested epoch) per partition.
    t.partitions.push_back({.partition = 0, .current_leader_epoch = -1, .leader_epoch = 0});
    t.partitions.push_back({.partition = 0, .current_leader_epoch = 0, .leader_epoch = 3});
    t.partitions.push_back({.partition = 0, .current_leader_epoch = -1, .leader_epoch = -1});
    t.partitions.push_back({.partition = 0, .current_leader_epoch = 1, .leader_epoch = 0});
    t.partitions.push_back({.partition = 7, .current_leader_epoch = -1, .leader_epoch = 0});
    request.topics.push_back(t);
    auto response = client.call<kafka::OffsetForLeaderEpochResponse>(request, version);
    ASSERT_TRUE(response);
    ASSERT_EQ(response->topics.size(), 1u);
    const auto& p = response->topics[0].partitions;
    ASSERT_EQ(p.size(), 5u);
    EXPECT_EQ(p[0].error_code, 0);
    EXPECT_EQ(p[0].leader_epoch, 0);
    EXPECT_EQ(p[0].end_offset, 5);
    EXPECT_EQ(p[1].error_code, 0);
    EXPECT_EQ(p[1].leader_epoch, 0);
    EXPECT_EQ(p[1].end_offset, 5);
    EXPECT_EQ(p[2].error_code, 0);
    EXPECT_EQ(p[2].leader_epoch, -1);
    EXPECT_EQ(p[2].end_offset, -1);
    EXPECT_EQ(p[3].error_code, code(ErrorCode::kUnknownLeaderEpoch));
    EXPECT_EQ(p[4].error_code, code(ErrorCode::kUnknownTopicOrPartition));
    EXPECT_EQ(p[4].partition, 7);
  }
}

TEST(AdminWireTest, DeleteTopicsByNameAndByTopicId) {
  BrokerProcess broker;
  broker.start();
  WireClient client(broker.port());
  const kafka::Uuid id = create_topic(client, "by-id", 2);
  ASSERT_FALSE(id.is_zero());
  create_topic(client, "by-name", 1);

  kafka::DeleteTopicsRequest by_id;
  by_id.topics.push_back({.name = std::nullopt, .topic_id = id});
  kafka::Uuid unknown = id;
  unknown.bytes[0] ^= std::byte{0xff};
  by_id.topics.push_back({.name = std::nullopt, .topic_id = unknown});
  auto response = client.call<kafka::DeleteTopicsResponse>(by_id, 6);
  ASSERT_TRUE(response);
  ASSERT_EQ(response->responses.size(), 2u);
  EXPECT_EQ(response->responses[0].error_code, 0);
  EXPECT_EQ(response->responses[0].name, std::optional<std::string>("by-id"));
  EXPECT_EQ(response->responses[0].topic_id, id);
  EXPECT_EQ(response->responses[1].error_code, code(ErrorCode::kUnknownTopicId));

  kafka::DeleteTopicsRequest by_name;
  by_name.topic_names = {"by-name", "by-id"};
  auto named = client.call<kafka::DeleteTopicsResponse>(by_name, 0);
  ASSERT_TRUE(named);
  ASSERT_EQ(named->responses.size(), 2u);
  EXPECT_EQ(named->responses[0].error_code, 0);
  EXPECT_EQ(named->responses[1].error_code, code(ErrorCode::kUnknownTopicOrPartition));

  kafka::MetadataRequest all;
  all.topics = std::nullopt;
  auto metadata = client.call<kafka::MetadataResponse>(all, 9);
  ASSERT_TRUE(metadata);
  EXPECT_TRUE(metadata->topics.empty());
}

}  // namespace
}  // namespace ringlog::testing
