#include "client/admin.h"

#include <algorithm>

#include "net/kafka/messages/create_topics.h"
#include "net/kafka/messages/delete_topics.h"
#include "net/kafka/messages/describe_configs.h"
#include "net/kafka/messages/incremental_alter_configs.h"
#include "net/kafka/messages/list_offsets.h"
#include "net/kafka/messages/metadata.h"

namespace ringlog::client {

namespace {

// How long the broker may take over CreateTopics/DeleteTopics (its own timeout, in the request).
constexpr int32_t kAdminTimeoutMs = 30'000;
constexpr int8_t kTopicResource = 2;
constexpr int8_t kConfigSourceDefault = 5;

}  // namespace

reactor::Task<ClientResult<ClusterInfo>> Admin::metadata(
    std::optional<std::vector<std::string>> topics, AutoCreate auto_create) {
  kafka::MetadataRequest request;
  if (topics) {
    request.topics.emplace();
    for (std::string& name : *topics) {
      kafka::MetadataRequest::MetadataRequestTopic t;
      t.name = std::move(name);
      request.topics->push_back(std::move(t));
    }
  } else {
    request.topics = std::nullopt;
  }
  request.allow_auto_topic_creation = auto_create == AutoCreate::kYes;
  ClientResult<Reply<kafka::MetadataResponse>> reply =
      co_await connection_->call<kafka::MetadataResponse>(std::move(request));
  if (!reply) co_return reply.error();
  ClusterInfo info;
  info.cluster_id = reply->body.cluster_id;
  info.controller_id = reply->body.controller_id;
  for (const auto& b : reply->body.brokers) {
    info.brokers.push_back({.node_id = b.node_id, .host = b.host, .port = b.port});
  }
  for (const auto& t : reply->body.topics) {
    TopicInfo topic{.name = t.name.value_or(""), .id = t.topic_id, .internal = t.is_internal};
    if (t.error_code != 0) {
      topic.partitions.push_back(
          {.partition = -1, .error = static_cast<kafka::ErrorCode>(t.error_code)});
    } else {
      for (const auto& p : t.partitions) {
        topic.partitions.push_back({.partition = p.partition_index,
                                    .error = static_cast<kafka::ErrorCode>(p.error_code),
                                    .leader = p.leader_id,
                                    .leader_epoch = p.leader_epoch,
                                    .replicas = p.replica_nodes,
                                    .isr = p.isr_nodes});
      }
      std::sort(
          topic.partitions.begin(), topic.partitions.end(),
          [](const PartitionInfo& a, const PartitionInfo& b) { return a.partition < b.partition; });
    }
    info.topics.push_back(std::move(topic));
  }
  std::sort(info.topics.begin(), info.topics.end(),
            [](const TopicInfo& a, const TopicInfo& b) { return a.name < b.name; });
  co_return info;
}

reactor::Task<ClientResult<TopicInfo>> Admin::describe_topic(std::string name) {
  // (Built outside the co_await: GCC 12 rejects a braced list inside one.)
  std::vector<std::string> names;
  names.push_back(name);
  ClientResult<ClusterInfo> cluster = co_await metadata(std::move(names), AutoCreate::kNo);
  if (!cluster) co_return cluster.error();
  for (TopicInfo& topic : cluster->topics) {
    if (topic.name != name) continue;
    if (topic.partitions.size() == 1 && topic.partitions[0].partition == -1) {
      co_return ClientError{
          .errc = ClientErrc::kBroker, .code = topic.partitions[0].error, .context = "Metadata"};
    }
    co_return std::move(topic);
  }
  co_return ClientError::broker(static_cast<int16_t>(kafka::ErrorCode::kUnknownTopicOrPartition),
                                "Metadata");
}

reactor::Task<ClientResult<std::vector<std::string>>> Admin::list_topics() {
  std::optional<std::vector<std::string>> all;  // (named: no temporaries as coroutine arguments)
  ClientResult<ClusterInfo> cluster = co_await metadata(std::move(all), AutoCreate::kNo);
  if (!cluster) co_return cluster.error();
  std::vector<std::string> names;
  for (const TopicInfo& topic : cluster->topics) names.push_back(topic.name);
  co_return names;
}

reactor::Task<ClientResult<void>> Admin::create_topic(NewTopic topic) {
  kafka::CreateTopicsRequest request;
  kafka::CreateTopicsRequest::CreatableTopic t;
  t.name = topic.name;
  t.num_partitions = topic.partitions;
  t.replication_factor = 1;
  for (auto& [name, value] : topic.configs) {
    t.configs.push_back({.name = name, .value = value});
  }
  request.topics.push_back(std::move(t));
  request.timeout_ms = kAdminTimeoutMs;
  ClientResult<Reply<kafka::CreateTopicsResponse>> reply =
      co_await connection_->call<kafka::CreateTopicsResponse>(std::move(request));
  if (!reply) co_return reply.error();
  for (const auto& result : reply->body.topics) {
    if (result.name != topic.name) continue;
    if (result.error_code != 0) co_return ClientError::broker(result.error_code, "CreateTopics");
    co_return ClientResult<void>{};
  }
  co_return ClientError{.errc = ClientErrc::kMissingAnswer, .context = "CreateTopics"};
}

reactor::Task<ClientResult<void>> Admin::delete_topic(std::string name) {
  kafka::DeleteTopicsRequest request;
  request.topic_names.push_back(name);                       // versions 0-5
  request.topics.push_back({.name = name, .topic_id = {}});  // version 6+
  request.timeout_ms = kAdminTimeoutMs;
  ClientResult<Reply<kafka::DeleteTopicsResponse>> reply =
      co_await connection_->call<kafka::DeleteTopicsResponse>(std::move(request));
  if (!reply) co_return reply.error();
  for (const auto& result : reply->body.responses) {
    if (result.name != name) continue;
    if (result.error_code != 0) co_return ClientError::broker(result.error_code, "DeleteTopics");
    co_return ClientResult<void>{};
  }
  co_return ClientError{.errc = ClientErrc::kMissingAnswer, .context = "DeleteTopics"};
}

reactor::Task<ClientResult<std::vector<ConfigEntry>>> Admin::describe_configs(std::string topic) {
  kafka::DescribeConfigsRequest request;
  request.resources.push_back(
      {.resource_type = kTopicResource, .resource_name = topic, .configuration_keys = {}});
  request.resources.back().configuration_keys = std::nullopt;  // all of them
  ClientResult<Reply<kafka::DescribeConfigsResponse>> reply =
      co_await connection_->call<kafka::DescribeConfigsResponse>(std::move(request));
  if (!reply) co_return reply.error();
  for (const auto& result : reply->body.results) {
    if (result.resource_name != topic) continue;
    if (result.error_code != 0) co_return ClientError::broker(result.error_code, "DescribeConfigs");
    std::vector<ConfigEntry> entries;
    for (const auto& c : result.configs) {
      entries.push_back({.name = c.name,
                         .value = c.value,
                         .read_only = c.read_only,
                         .is_default = reply->version == 0
                                           ? c.is_default
                                           : c.config_source == kConfigSourceDefault,
                         .is_sensitive = c.is_sensitive});
    }
    std::sort(entries.begin(), entries.end(),
              [](const ConfigEntry& a, const ConfigEntry& b) { return a.name < b.name; });
    co_return entries;
  }
  co_return ClientError{.errc = ClientErrc::kMissingAnswer, .context = "DescribeConfigs"};
}

reactor::Task<ClientResult<void>> Admin::alter_configs(std::string topic,
                                                       std::vector<ConfigChange> changes) {
  kafka::IncrementalAlterConfigsRequest request;
  kafka::IncrementalAlterConfigsRequest::AlterConfigsResource resource;
  resource.resource_type = kTopicResource;
  resource.resource_name = topic;
  for (ConfigChange& change : changes) {
    resource.configs.push_back({.name = std::move(change.name),
                                .config_operation = static_cast<int8_t>(change.op),
                                .value = std::move(change.value)});
  }
  request.resources.push_back(std::move(resource));
  ClientResult<Reply<kafka::IncrementalAlterConfigsResponse>> reply =
      co_await connection_->call<kafka::IncrementalAlterConfigsResponse>(std::move(request));
  if (!reply) co_return reply.error();
  for (const auto& result : reply->body.responses) {
    if (result.resource_name != topic) continue;
    if (result.error_code != 0) {
      co_return ClientError::broker(result.error_code, "IncrementalAlterConfigs");
    }
    co_return ClientResult<void>{};
  }
  co_return ClientError{.errc = ClientErrc::kMissingAnswer, .context = "IncrementalAlterConfigs"};
}

reactor::Task<ClientResult<std::optional<Offset>>> Admin::list_offset(std::string topic,
                                                                      int32_t partition,
                                                                      int64_t timestamp) {
  kafka::ListOffsetsRequest request;
  request.replica_id = -1;
  kafka::ListOffsetsRequest::ListOffsetsTopic t;
  t.name = topic;
  t.partitions.push_back({.partition_index = partition, .timestamp = timestamp});
  request.topics.push_back(std::move(t));
  ClientResult<Reply<kafka::ListOffsetsResponse>> reply =
      co_await connection_->call<kafka::ListOffsetsResponse>(std::move(request));
  if (!reply) co_return reply.error();
  for (const auto& t_response : reply->body.topics) {
    if (t_response.name != topic) continue;
    for (const auto& p : t_response.partitions) {
      if (p.partition_index != partition) continue;
      if (p.error_code != 0) co_return ClientError::broker(p.error_code, "ListOffsets");
      if (p.offset < 0) co_return std::optional<Offset>();
      co_return std::optional<Offset>(Offset(p.offset));
    }
  }
  co_return ClientError{.errc = ClientErrc::kMissingAnswer, .context = "ListOffsets"};
}

reactor::Task<ClientResult<std::vector<ListedOffset>>> Admin::list_offsets(
    std::vector<TopicPartition> partitions, int64_t timestamp) {
  kafka::ListOffsetsRequest request;
  request.replica_id = -1;
  for (const TopicPartition& tp : partitions) {
    if (request.topics.empty() || request.topics.back().name != tp.topic) {
      kafka::ListOffsetsRequest::ListOffsetsTopic t;
      t.name = tp.topic;
      request.topics.push_back(std::move(t));
    }
    request.topics.back().partitions.push_back(
        {.partition_index = tp.partition, .timestamp = timestamp});
  }
  ClientResult<Reply<kafka::ListOffsetsResponse>> reply =
      co_await connection_->call<kafka::ListOffsetsResponse>(std::move(request));
  if (!reply) co_return reply.error();
  std::vector<ListedOffset> out;
  for (const TopicPartition& tp : partitions) {
    const kafka::ListOffsetsResponse::ListOffsetsPartitionResponse* found = nullptr;
    for (const auto& t : reply->body.topics) {
      if (t.name != tp.topic) continue;
      for (const auto& p : t.partitions) {
        if (p.partition_index == tp.partition) found = &p;
      }
    }
    if (found == nullptr) {
      co_return ClientError{.errc = ClientErrc::kMissingAnswer, .context = "ListOffsets"};
    }
    ListedOffset listed{.error = static_cast<kafka::ErrorCode>(found->error_code)};
    if (listed.error == kafka::ErrorCode::kNone && found->offset >= 0) {
      listed.offset = Offset(found->offset);
    }
    out.push_back(listed);
  }
  co_return out;
}

}  // namespace ringlog::client
