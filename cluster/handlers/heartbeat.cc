// Heartbeat: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
#include "cluster/groups/group_routing.h"
#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {

Task<Response> heartbeat(Context ctx, kafka::HeartbeatRequest request) {
  kafka::HeartbeatResponse response;
  groups::GroupRoute route = co_await groups::route_group(*ctx.broker, request.group_id);
  if (route.error != kafka::ErrorCode::kNone) {
    response.error_code = code(route.error);
    co_return respond(ctx.header, response);
  }
  auto run = [request] {
    return Broker::local().groups().heartbeat(request.group_id, request.generation_id,
                                              request.member_id, request.group_instance_id);
  };
  response.error_code = code(co_await ctx.broker->smp().call(route.shard, run));
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
