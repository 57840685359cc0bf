// CreateTopics: one controller operation per topic, answered per topic.
#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {

using kafka::ErrorCode;

Task<Response> create_topics(Context ctx, kafka::CreateTopicsRequest request) {
  Broker& broker = *ctx.broker;
  kafka::CreateTopicsResponse response;
  for (const auto& topic : request.topics) {
    kafka::CreateTopicsResponse::CreatableTopicResult out;
    out.name = topic.name;
    if (topic.replication_factor != -1 && topic.replication_factor != 1) {
      out.error_code = code(ErrorCode::kInvalidReplicationFactor);
      out.error_message = "a single-node broker keeps one replica: replication factor must be 1";
      response.topics.push_back(std::move(out));
      continue;
    }
    if (!topic.assignments.empty()) {
      out.error_code = code(ErrorCode::kInvalidRequest);
      out.error_message = "manual replica assignment is not supported";
      response.topics.push_back(std::move(out));
      continue;
    }
    ConfigMap overrides;
    for (const auto& c : topic.configs) {
      if (c.value.has_value()) overrides.insert_or_assign(c.name, *c.value);
    }
    TopicOpResult r = co_await broker.create_topic(topic.name, topic.num_partitions,
                                                   std::move(overrides), request.validate_only);
    out.error_code = code(r.error);
    if (r.error != ErrorCode::kNone) {
      out.error_message = r.message;
    } else {
      out.topic_id = r.topic->id;
      out.num_partitions = r.topic->partitions;
      out.replication_factor = 1;
      std::vector<kafka::CreateTopicsResponse::CreatableTopicConfigs> configs;
      for (const ConfigEntry& e : broker.config_of(*r.topic).entries()) {
        configs.push_back({.name = e.name,
                           .value = e.value,
                           .read_only = e.read_only,
                           .config_source = static_cast<int8_t>(e.is_default ? 5 : 1),
                           .is_sensitive = false});
      }
      out.configs = std::move(configs);
    }
    response.topics.push_back(std::move(out));
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
