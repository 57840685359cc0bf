// IncrementalAlterConfigs: SET / DELETE / APPEND / SUBTRACT on a topic's config overrides, the
// others kept. APPEND and SUBTRACT apply to list configs only (cleanup.policy). Broker configs
// are read-only.
#include <algorithm>
#include <set>

#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {
namespace {

using kafka::ErrorCode;

constexpr int8_t kResourceTopic = 2;
constexpr int8_t kResourceBroker = 4;

enum class Op : int8_t { kSet = 0, kDelete = 1, kAppend = 2, kSubtract = 3 };

bool is_list_config(std::string_view name) { return name == "cleanup.policy"; }

std::vector<std::string> split_list(std::string_view value) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= value.size()) {
    size_t comma = value.find(',', at);
    if (comma == std::string_view::npos) comma = value.size();
    std::string item(value.substr(at, comma - at));
    if (!item.empty()) out.push_back(std::move(item));
    at = comma + 1;
  }
  return out;
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

// Applies one resource's operations to `overrides`; returns an error message or nullopt.
std::optional<std::string> apply(
    const kafka::IncrementalAlterConfigsRequest::AlterConfigsResource& resource,
    const TopicConfig& current, ConfigMap& overrides) {
  std::set<std::string> named;
  for (const auto& c : resource.configs) {
    if (!named.insert(c.name).second) return "config '" + c.name + "' is named more than once";
    if (!TopicConfig::is_known(c.name))
      return "unknown or unsupported topic config '" + c.name + "'";
    switch (static_cast<Op>(c.config_operation)) {
      case Op::kSet:
        if (!c.value.has_value()) return "SET of '" + c.name + "' needs a value";
        overrides.insert_or_assign(c.name, *c.value);
        break;
      case Op::kDelete:
        overrides.erase(c.name);
        break;
      case Op::kAppend:
      case Op::kSubtract: {
        if (!is_list_config(c.name)) return "'" + c.name + "' is not a list config";
        std::string effective;
        for (const ConfigEntry& e : current.entries()) {
          if (e.name == c.name) effective = e.value;
        }
        std::vector<std::string> items = split_list(effective);
        for (const std::string& v : split_list(c.value.value_or(""))) {
          auto it = std::find(items.begin(), items.end(), v);
          if (static_cast<Op>(c.config_operation) == Op::kAppend) {
            if (it == items.end()) items.push_back(v);
          } else if (it != items.end()) {
            items.erase(it);
          }
        }
        overrides.insert_or_assign(c.name, join_list(items));
        break;
      }
      default:
        return "unknown config operation " + std::to_string(c.config_operation);
    }
  }
  return std::nullopt;
}

}  // namespace

Task<Response> incremental_alter_configs(Context ctx,
                                         kafka::IncrementalAlterConfigsRequest request) {
  Broker& broker = *ctx.broker;
  kafka::IncrementalAlterConfigsResponse response;
  for (const auto& resource : request.resources) {
    kafka::IncrementalAlterConfigsResponse::AlterConfigsResourceResponse out;
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    out.error_message = std::nullopt;
    if (resource.resource_type != kResourceTopic) {
      const bool is_broker = resource.resource_type == kResourceBroker;
      out.error_code = code(is_broker ? ErrorCode::kInvalidConfig : ErrorCode::kInvalidRequest);
      out.error_message = is_broker ? "broker configs are read-only" : "unsupported resource type";
      response.responses.push_back(std::move(out));
      continue;
    }
    // Read-modify-write of the overrides; the controller validates and applies the result.
    TopicTableSnapshot snapshot = broker.snapshot();
    const TopicMetadata* topic = snapshot->find(resource.resource_name);
    if (topic == nullptr) {
      out.error_code = code(ErrorCode::kUnknownTopicOrPartition);
      out.error_message = "no topic '" + resource.resource_name + "'";
      response.responses.push_back(std::move(out));
      continue;
    }
    ConfigMap overrides = topic->overrides;
    if (auto why = apply(resource, broker.config_of(*topic), overrides)) {
      out.error_code = code(ErrorCode::kInvalidConfig);
      out.error_message = *why;
      response.responses.push_back(std::move(out));
      continue;
    }
    TopicOpResult r = co_await broker.alter_topic_config(
        resource.resource_name, std::move(overrides), request.validate_only);
    out.error_code = code(r.error);
    if (r.error != ErrorCode::kNone) out.error_message = r.message;
    response.responses.push_back(std::move(out));
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
