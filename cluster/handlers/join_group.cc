// JoinGroup: runs on the group's coordinator shard and waits there until the rebalance's join
// phase completes (or answers at once: errors, MEMBER_ID_REQUIRED, an unchanged rejoin).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "cluster/groups/group_routing.h"
#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {
namespace {

// "/127.0.0.1", as Kafka shows a member's host.
std::string peer_host(const server::ConnectionInfo* connection) {
  if (connection == nullptr || connection->fd < 0) return "";
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getpeername(connection->fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, text, sizeof(text));
  } else if (addr.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, text, sizeof(text));
  }
  return std::string("/") + text;
}

Response answer(const Context& ctx, const groups::JoinResult& r) {
  kafka::JoinGroupResponse response;
  response.error_code = code(r.error);
  response.generation_id = r.generation;
  response.member_id = r.member_id;
  response.leader = r.leader;
  if (r.error == kafka::ErrorCode::kNone) {
    response.protocol_type = r.protocol_type;
    response.protocol_name = r.protocol_name;
  }
  if (ctx.header.api_version < 7 && !response.protocol_name) response.protocol_name = "";
  for (const groups::JoinedMember& m : r.members) {
    response.members.push_back(
        {.member_id = m.member_id, .group_instance_id = m.instance_id, .metadata = m.metadata});
  }
  return respond(ctx.header, response);
}

}  // namespace

Task<Response> join_group(Context ctx, kafka::JoinGroupRequest request) {
  groups::GroupRoute route = co_await groups::route_group(*ctx.broker, request.group_id);
  if (route.error != kafka::ErrorCode::kNone) {
    co_return answer(ctx, groups::JoinResult{.error = route.error, .member_id = request.member_id});
  }
  groups::JoinArgs args{.group_id = std::move(request.group_id),
                        .member_id = std::move(request.member_id),
                        .instance_id = std::move(request.group_instance_id),
                        .client_id = ctx.header.client_id.value_or(""),
                        .client_host = peer_host(ctx.connection),
                        .session_timeout_ms = request.session_timeout_ms,
                        .rebalance_timeout_ms = request.rebalance_timeout_ms,
                        .protocol_type = std::move(request.protocol_type),
                        .version = ctx.header.api_version};
  for (auto& p : request.protocols) {
    args.protocols.push_back({.name = std::move(p.name), .metadata = std::move(p.metadata)});
  }
  auto run = [args] { return Broker::local().groups().join(args); };
  groups::JoinResult result = co_await ctx.broker->smp().call(route.shard, run);
  co_return answer(ctx, result);
}

}  // namespace ringlog::cluster::handlers
