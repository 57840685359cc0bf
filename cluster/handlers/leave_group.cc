// LeaveGroup: one member (v0-2) or several by member or instance id (v3+).
#include "cluster/groups/group_routing.h"
#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {

Task<Response> leave_group(Context ctx, kafka::LeaveGroupRequest request) {
  kafka::LeaveGroupResponse response;
  const bool batch = ctx.header.api_version >= 3;
  std::vector<groups::MemberRef> members;
  if (batch) {
    for (const auto& m : request.members) {
      members.push_back({.member_id = m.member_id, .instance_id = m.group_instance_id});
    }
  } else {
    members.push_back({.member_id = request.member_id});
  }
  groups::GroupRoute route = co_await groups::route_group(*ctx.broker, request.group_id);
  groups::LeaveResult result;
  if (route.error != kafka::ErrorCode::kNone) {
    result.error = route.error;
  } else {
    auto run = [group = request.group_id, members] {
      return Broker::local().groups().leave(group, members);
    };
    result = co_await ctx.broker->smp().call(route.shard, run);
  }
  if (!batch) {
    // One member: its own error is the answer.
    response.error_code = code(result.members.empty() ? result.error : result.members.front());
    co_return respond(ctx.header, response);
  }
  // v3+: the request's error only for the whole group; members carry their own.
  response.error_code =
      code(route.error != kafka::ErrorCode::kNone ? route.error : kafka::ErrorCode::kNone);
  for (size_t i = 0; i < result.members.size() && i < members.size(); ++i) {
    response.members.push_back({.member_id = members[i].member_id,
                                .group_instance_id = members[i].instance_id,
                                .error_code = code(result.members[i])});
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
