// DeleteTopics: one controller operation per topic, answered per topic. v0-5 name topics; v6
// names each by name or by topic id.
#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {

using kafka::DeleteTopicsResponse;
using kafka::ErrorCode;

namespace {

DeleteTopicsResponse::DeletableTopicResult failed(std::optional<std::string> name, kafka::Uuid id,
                                                  ErrorCode error, std::string message) {
  DeleteTopicsResponse::DeletableTopicResult out;
  out.name = std::move(name);
  out.topic_id = id;
  out.error_code = code(error);
  out.error_message = std::move(message);
  return out;
}

}  // namespace

Task<Response> delete_topics(Context ctx, kafka::DeleteTopicsRequest request) {
  Broker& broker = *ctx.broker;
  // (name or nullopt, id) per requested topic, in request order.
  std::vector<std::pair<std::optional<std::string>, kafka::Uuid>> wanted;
  if (ctx.header.api_version >= 6) {
    for (const auto& t : request.topics) wanted.emplace_back(t.name, t.topic_id);
  } else {
    for (const auto& name : request.topic_names) wanted.emplace_back(name, kafka::Uuid{});
  }
  DeleteTopicsResponse response;
  for (auto& [name, id] : wanted) {
    if (name.has_value() && !id.is_zero()) {
      response.responses.push_back(
          failed(name, id, ErrorCode::kInvalidRequest, "name a topic by name or by id, not both"));
      continue;
    }
    std::string target;
    if (name.has_value()) {
      target = *name;
    } else {
      TopicTableSnapshot snapshot = broker.snapshot();
      const TopicMetadata* topic = id.is_zero() ? nullptr : snapshot->find(id);
      if (topic == nullptr) {
        response.responses.push_back(
            failed(std::nullopt, id, ErrorCode::kUnknownTopicId, "no topic with this id"));
        continue;
      }
      target = topic->name;
    }
    TopicOpResult r = co_await broker.delete_topic(target);
    DeleteTopicsResponse::DeletableTopicResult out;
    out.name = target;
    out.topic_id = r.topic ? r.topic->id : id;
    out.error_code = code(r.error);
    if (r.error != ErrorCode::kNone) out.error_message = r.message;
    response.responses.push_back(std::move(out));
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
