// AlterConfigs: replaces a topic's config overrides with the ones given (configs left out return
// to their defaults). Broker configs are read-only.
#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {

using kafka::ErrorCode;

namespace {
constexpr int8_t kResourceTopic = 2;
constexpr int8_t kResourceBroker = 4;
}  // namespace

Task<Response> alter_configs(Context ctx, kafka::AlterConfigsRequest request) {
  Broker& broker = *ctx.broker;
  kafka::AlterConfigsResponse response;
  for (const auto& resource : request.resources) {
    kafka::AlterConfigsResponse::AlterConfigsResourceResponse out;
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
    ConfigMap overrides;
    bool duplicate = false;
    for (const auto& c : resource.configs) {
      // A null value leaves the config at its default, as if it were not named.
      if (!c.value.has_value()) continue;
      duplicate = duplicate || !overrides.emplace(c.name, *c.value).second;
    }
    if (duplicate) {
      out.error_code = code(ErrorCode::kInvalidRequest);
      out.error_message = "a config is named more than once";
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
