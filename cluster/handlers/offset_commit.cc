// OffsetCommit: checked against the group's membership and appended to __consumer_offsets on
// the coordinator shard before the answer (errors per partition, in request order).
#include "cluster/groups/group_routing.h"
#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {

Task<Response> offset_commit(Context ctx, kafka::OffsetCommitRequest request) {
  groups::CommitArgs args{.group_id = request.group_id,
                          .generation = request.generation_id_or_member_epoch,
                          .member_id = request.member_id,
                          .instance_id = request.group_instance_id};
  for (const auto& t : request.topics) {
    for (const auto& p : t.partitions) {
      args.partitions.push_back({.topic = t.name,
                                 .partition = p.partition_index,
                                 .offset = p.committed_offset,
                                 .leader_epoch = p.committed_leader_epoch,
                                 .metadata = p.committed_metadata});
    }
  }
  std::vector<kafka::ErrorCode> errors;
  groups::GroupRoute route = co_await groups::route_group(*ctx.broker, request.group_id);
  if (route.error != kafka::ErrorCode::kNone) {
    errors.assign(args.partitions.size(), route.error);
  } else {
    auto run = [args] { return Broker::local().groups().commit(args); };
    errors = co_await ctx.broker->smp().call(route.shard, run);
  }
  kafka::OffsetCommitResponse response;
  size_t i = 0;
  for (const auto& t : request.topics) {
    kafka::OffsetCommitResponse::OffsetCommitResponseTopic topic{.name = t.name};
    for (const auto& p : t.partitions) {
      topic.partitions.push_back(
          {.partition_index = p.partition_index, .error_code = code(errors[i++])});
    }
    response.topics.push_back(std::move(topic));
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
