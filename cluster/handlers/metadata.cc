#include "cluster/groups/group_routing.h"
#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {
namespace {

using kafka::ErrorCode;
using kafka::MetadataResponse;

MetadataResponse::MetadataResponseTopic describe(const Broker& broker, const TopicMetadata& t) {
  MetadataResponse::MetadataResponseTopic out;
  out.name = t.name;
  out.topic_id = t.id;
  out.is_internal = t.name == groups::kOffsetsTopic;
  const int32_t node = broker.options().node_id;
  for (int32_t p = 0; p < t.partitions; ++p) {
    MetadataResponse::MetadataResponsePartition part;
    part.partition_index = p;
    part.leader_id = node;
    part.leader_epoch = 0;
    part.replica_nodes = {node};
    part.isr_nodes = {node};
    out.partitions.push_back(std::move(part));
  }
  return out;
}

MetadataResponse::MetadataResponseTopic error_topic(std::string name, ErrorCode error) {
  MetadataResponse::MetadataResponseTopic out;
  out.name = std::move(name);
  out.error_code = code(error);
  return out;
}

}  // namespace

Task<Response> metadata(Context ctx, kafka::MetadataRequest request) {
  Broker& broker = *ctx.broker;
  MetadataResponse response;
  response.brokers.push_back({.node_id = broker.options().node_id,
                              .host = broker.options().advertised_host,
                              .port = broker.options().advertised_port,
                              .rack = std::nullopt});
  response.cluster_id = broker.options().cluster_id;
  response.controller_id = broker.options().node_id;

  // v0: an empty list means every topic; v1+: null means every topic, empty means none.
  const bool all_topics =
      !request.topics.has_value() || (ctx.header.api_version == 0 && request.topics->empty());
  if (all_topics) {
    for (const auto& [name, topic] : broker.topics().topics()) {
      response.topics.push_back(describe(broker, topic));
    }
    co_return respond(ctx.header, response);
  }

  const bool may_create = broker.options().auto_create_topics &&
                          (ctx.header.api_version < 4 || request.allow_auto_topic_creation);
  for (const auto& wanted : *request.topics) {
    TopicTableSnapshot snapshot = broker.snapshot();
    const TopicMetadata* topic = nullptr;
    if (wanted.name.has_value()) {
      topic = snapshot->find(*wanted.name);
    } else if (!wanted.topic_id.is_zero()) {
      topic = snapshot->find(wanted.topic_id);
      if (topic == nullptr) {
        auto t = error_topic("", ErrorCode::kUnknownTopicId);
        t.name = std::nullopt;
        t.topic_id = wanted.topic_id;
        response.topics.push_back(std::move(t));
        continue;
      }
    }
    if (topic != nullptr) {
      response.topics.push_back(describe(broker, *topic));
      continue;
    }
    const std::string name = wanted.name.value_or("");
    if (invalid_topic_name(name)) {
      response.topics.push_back(error_topic(name, ErrorCode::kInvalidTopicException));
      continue;
    }
    if (!may_create) {
      response.topics.push_back(error_topic(name, ErrorCode::kUnknownTopicOrPartition));
      continue;
    }
    // __consumer_offsets is made with the coordinator's partition count and compaction.
    TopicOpResult created;
    if (name == groups::kOffsetsTopic) {
      created.error = co_await groups::ensure_offsets_topic(broker);
    } else {
      ConfigMap no_overrides;  // named: see the temporaries hazard in CHANGELOG
      created = co_await broker.create_topic(name, -1, no_overrides, false);
    }
    if (created.error == ErrorCode::kNone || created.error == ErrorCode::kTopicAlreadyExists) {
      TopicTableSnapshot now = broker.snapshot();
      if (const TopicMetadata* t = now->find(name)) {
        response.topics.push_back(describe(broker, *t));
        continue;
      }
    }
    response.topics.push_back(error_topic(name, created.error == ErrorCode::kNone
                                                    ? ErrorCode::kLeaderNotAvailable
                                                    : created.error));
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
