// ListGroups: every shard lists the groups it coordinates; v4 filters by state.
#include <algorithm>
#include <cctype>

#include "cluster/handlers/handler.h"
#include "engine/reactor/when_all.h"

namespace ringlog::cluster::handlers {
namespace {

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

Task<std::vector<groups::ListedGroup>> list_on(Broker* broker, uint32_t shard) {
  auto run = [] { return Broker::local().groups().list(); };
  co_return co_await broker->smp().call(ShardId(shard), run);
}

}  // namespace

Task<Response> list_groups(Context ctx, kafka::ListGroupsRequest request) {
  std::vector<Task<std::vector<groups::ListedGroup>>> work;
  for (uint32_t s = 0; s < ctx.broker->smp().size(); ++s) work.push_back(list_on(ctx.broker, s));
  std::vector<std::vector<groups::ListedGroup>> shards =
      co_await reactor::when_all(std::move(work));
  kafka::ListGroupsResponse response;
  for (const auto& listed : shards) {
    for (const groups::ListedGroup& g : listed) {
      const std::string_view state = groups::to_string(g.state);
      if (!request.states_filter.empty() &&
          std::none_of(request.states_filter.begin(), request.states_filter.end(),
                       [&](const std::string& s) { return same_ignoring_case(s, state); })) {
        continue;
      }
      response.groups.push_back({.group_id = g.group_id,
                                 .protocol_type = g.protocol_type,
                                 .group_state = std::string(state)});
    }
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
