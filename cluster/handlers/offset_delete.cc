// OffsetDelete: removes committed offsets of partitions the group is not subscribed to
// (GROUP_SUBSCRIBED_TO_TOPIC otherwise).
#include "cluster/groups/group_routing.h"
#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {

Task<Response> offset_delete(Context ctx, kafka::OffsetDeleteRequest request) {
  std::vector<groups::TopicPartitions> topics;
  size_t count = 0;
  for (const auto& t : request.topics) {
    groups::TopicPartitions tp{.topic = t.name};
    for (const auto& p : t.partitions) tp.partitions.push_back(p.partition_index);
    count += tp.partitions.size();
    topics.push_back(std::move(tp));
  }
  groups::OffsetDeleteResult result;
  groups::GroupRoute route = co_await groups::route_group(*ctx.broker, request.group_id);
  if (route.error != kafka::ErrorCode::kNone) {
    result.error = route.error;
  } else {
    auto run = [group = request.group_id, topics] {
      return Broker::local().groups().delete_offsets(group, topics);
    };
    result = co_await ctx.broker->smp().call(route.shard, run);
  }
  kafka::OffsetDeleteResponse response;
  response.error_code = code(result.error);
  if (result.error == kafka::ErrorCode::kNone && result.partitions.size() == count) {
    size_t i = 0;
    for (const auto& t : request.topics) {
      kafka::OffsetDeleteResponse::OffsetDeleteResponseTopic topic{.name = t.name};
      for (const auto& p : t.partitions) {
        topic.partitions.push_back(
            {.partition_index = p.partition_index, .error_code = code(result.partitions[i++])});
      }
      response.topics.push_back(std::move(topic));
    }
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
