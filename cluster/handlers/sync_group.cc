// SyncGroup: the leader brings the assignment; every member waits on the coordinator shard
// until it arrives and gets its own share.
#include "cluster/groups/group_routing.h"
#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {

Task<Response> sync_group(Context ctx, kafka::SyncGroupRequest request) {
  kafka::SyncGroupResponse response;
  groups::GroupRoute route = co_await groups::route_group(*ctx.broker, request.group_id);
  if (route.error != kafka::ErrorCode::kNone) {
    response.error_code = code(route.error);
    co_return respond(ctx.header, response);
  }
  groups::SyncArgs args{.group_id = std::move(request.group_id),
                        .generation = request.generation_id,
                        .member_id = std::move(request.member_id),
                        .instance_id = std::move(request.group_instance_id),
                        .protocol_type = std::move(request.protocol_type),
                        .protocol_name = std::move(request.protocol_name)};
  for (auto& a : request.assignments) {
    args.assignments.emplace_back(std::move(a.member_id), std::move(a.assignment));
  }
  auto run = [args] { return Broker::local().groups().sync(args); };
  groups::SyncResult result = co_await ctx.broker->smp().call(route.shard, run);
  response.error_code = code(result.error);
  if (result.error == kafka::ErrorCode::kNone) {
    response.protocol_type = result.protocol_type;
    response.protocol_name = result.protocol_name;
    response.assignment = std::move(result.assignment);
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
