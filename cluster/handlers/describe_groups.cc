// DescribeGroups: state, protocol and members (with assignments once Stable) of each group,
// from its coordinator shard. An unknown group is "Dead" without an error, as in Kafka.
#include "cluster/groups/group_routing.h"
#include "cluster/handlers/handler.h"
#include "engine/reactor/when_all.h"

namespace ringlog::cluster::handlers {
namespace {

Task<groups::DescribedGroup> describe_one(Broker* broker, std::string group_id) {
  groups::GroupRoute route = co_await groups::route_group(*broker, group_id);
  if (route.error != kafka::ErrorCode::kNone) {
    co_return groups::DescribedGroup{.error = route.error, .group_id = group_id};
  }
  auto run = [group_id] { return Broker::local().groups().describe(group_id); };
  co_return co_await broker->smp().call(route.shard, run);
}

}  // namespace

Task<Response> describe_groups(Context ctx, kafka::DescribeGroupsRequest request) {
  std::vector<Task<groups::DescribedGroup>> work;
  for (const std::string& id : request.groups) work.push_back(describe_one(ctx.broker, id));
  std::vector<groups::DescribedGroup> results = co_await reactor::when_all(std::move(work));
  kafka::DescribeGroupsResponse response;
  for (groups::DescribedGroup& g : results) {
    kafka::DescribeGroupsResponse::DescribedGroup out{.group_id = g.group_id};
    out.error_code = code(g.error);
    out.group_state = std::string(groups::to_string(g.state));
    out.protocol_type = g.protocol_type;
    out.protocol_data = g.protocol;
    for (groups::DescribedMember& m : g.members) {
      out.members.push_back({.member_id = m.member_id,
                             .group_instance_id = m.instance_id,
                             .client_id = m.client_id,
                             .client_host = m.client_host,
                             .member_metadata = std::move(m.metadata),
                             .member_assignment = std::move(m.assignment)});
    }
    response.groups.push_back(std::move(out));
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
