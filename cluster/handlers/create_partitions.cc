// CreatePartitions: raises a topic's partition count (a controller operation per topic);
// validate_only checks without changing anything.
#include <map>

#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {

using kafka::ErrorCode;

Task<Response> create_partitions(Context ctx, kafka::CreatePartitionsRequest request) {
  Broker& broker = *ctx.broker;
  std::map<std::string, int, std::less<>> seen;
  for (const auto& t : request.topics) ++seen[t.name];
  kafka::CreatePartitionsResponse response;
  for (const auto& t : request.topics) {
    kafka::CreatePartitionsResponse::CreatePartitionsTopicResult out;
    out.name = t.name;
    if (seen[t.name] > 1) {
      out.error_code = code(ErrorCode::kInvalidRequest);
      out.error_message = "topic named more than once in the request";
    } else if (t.assignments.has_value() && !t.assignments->empty()) {
      out.error_code = code(ErrorCode::kInvalidReplicaAssignment);
      out.error_message = "manual replica assignment is not supported";
    } else {
      TopicOpResult r = co_await broker.create_partitions(t.name, t.count, request.validate_only);
      out.error_code = code(r.error);
      if (r.error != ErrorCode::kNone) out.error_message = r.message;
    }
    response.results.push_back(std::move(out));
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
