// DeleteGroups: an empty group's offsets are tombstoned in __consumer_offsets and the group is
// forgotten; NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND if it does not exist.
#include "cluster/groups/group_routing.h"
#include "cluster/handlers/handler.h"
#include "engine/reactor/when_all.h"

namespace ringlog::cluster::handlers {
namespace {

Task<kafka::ErrorCode> delete_one(Broker* broker, std::string group_id) {
  groups::GroupRoute route = co_await groups::route_group(*broker, group_id);
  if (route.error != kafka::ErrorCode::kNone) co_return route.error;
  auto run = [group_id] { return Broker::local().groups().delete_group(group_id); };
  co_return co_await broker->smp().call(route.shard, run);
}

}  // namespace

Task<Response> delete_groups(Context ctx, kafka::DeleteGroupsRequest request) {
  std::vector<Task<kafka::ErrorCode>> work;
  for (const std::string& id : request.groups_names) work.push_back(delete_one(ctx.broker, id));
  std::vector<kafka::ErrorCode> results = co_await reactor::when_all(std::move(work));
  kafka::DeleteGroupsResponse response;
  for (size_t i = 0; i < results.size(); ++i) {
    response.results.push_back(
        {.group_id = request.groups_names[i], .error_code = code(results[i])});
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
