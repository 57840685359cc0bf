// DescribeConfigs: topic resources list every topic config with its effective value; the broker
// resource lists a few read-only broker settings. Synonyms and documentation are not kept.
#include <algorithm>
#include <charconv>

#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {
namespace {

using kafka::DescribeConfigsResponse;
using kafka::ErrorCode;

constexpr int8_t kResourceTopic = 2;
constexpr int8_t kResourceBroker = 4;
// ConfigSource values (v1+).
constexpr int8_t kSourceDynamicTopic = 1;
constexpr int8_t kSourceStaticBroker = 4;
constexpr int8_t kSourceDefault = 5;

bool wanted(const std::optional<std::vector<std::string>>& keys, const std::string& name) {
  return !keys.has_value() || std::find(keys->begin(), keys->end(), name) != keys->end();
}

DescribeConfigsResponse::DescribeConfigsResourceResult entry(std::string name, std::string value,
                                                             bool is_default, bool read_only,
                                                             int8_t source) {
  DescribeConfigsResponse::DescribeConfigsResourceResult out;
  out.name = std::move(name);
  out.value = std::move(value);
  out.read_only = read_only;
  out.is_default = is_default;
  out.config_source = source;
  out.is_sensitive = false;
  out.documentation = std::nullopt;
  return out;
}

// The broker settings DescribeConfigs shows (all read-only: they come from the properties file).
std::vector<std::pair<std::string, std::string>> broker_configs(const BrokerOptions& o) {
  const TopicDefaults& d = o.topic_defaults;
  return {
      {"auto.create.topics.enable", o.auto_create_topics ? "true" : "false"},
      {"broker.id", std::to_string(o.node_id)},
      {"log.retention.bytes", std::to_string(d.retention_bytes)},
      {"log.retention.ms", std::to_string(d.retention_ms)},
      {"log.segment.bytes", std::to_string(d.segment_bytes)},
      {"message.max.bytes", std::to_string(d.max_message_bytes)},
      {"num.partitions", std::to_string(o.num_partitions)},
  };
}

}  // namespace

Task<Response> describe_configs(Context ctx, kafka::DescribeConfigsRequest request) {
  Broker& broker = *ctx.broker;
  TopicTableSnapshot snapshot = broker.snapshot();
  DescribeConfigsResponse response;
  for (const auto& resource : request.resources) {
    DescribeConfigsResponse::DescribeConfigsResult out;
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    out.error_message = std::nullopt;
    if (resource.resource_type == kResourceTopic) {
      const TopicMetadata* topic = snapshot->find(resource.resource_name);
      if (topic == nullptr) {
        out.error_code = code(ErrorCode::kUnknownTopicOrPartition);
        out.error_message = "no topic '" + resource.resource_name + "'";
      } else {
        for (const ConfigEntry& e : broker.config_of(*topic).entries()) {
          if (!wanted(resource.configuration_keys, e.name)) continue;
          out.configs.push_back(entry(e.name, e.value, e.is_default, e.read_only,
                                      e.is_default ? kSourceDefault : kSourceDynamicTopic));
        }
      }
    } else if (resource.resource_type == kResourceBroker) {
      const std::string& name = resource.resource_name;
      int32_t id = -1;
      auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
      const bool ours = name.empty() || (ec == std::errc() && ptr == name.data() + name.size() &&
                                         id == broker.options().node_id);
      if (!ours) {
        out.error_code = code(ErrorCode::kInvalidRequest);
        out.error_message = "broker " + name + " is not this node";
      } else {
        for (auto& [key, value] : broker_configs(broker.options())) {
          if (!wanted(resource.configuration_keys, key)) continue;
          out.configs.push_back(
              entry(key, value, /*is_default=*/false, /*read_only=*/true, kSourceStaticBroker));
        }
      }
    } else {
      out.error_code = code(ErrorCode::kInvalidRequest);
      out.error_message = "unsupported resource type " + std::to_string(resource.resource_type);
    }
    response.results.push_back(std::move(out));
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
