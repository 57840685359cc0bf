// OffsetFetch: committed offsets of one group (v1-7) or several (v8), -1 where none. A null
// topic list (v2+) asks for every committed offset of the group.
#include "cluster/groups/group_routing.h"
#include "cluster/handlers/handler.h"
#include "engine/reactor/when_all.h"

namespace ringlog::cluster::handlers {
namespace {

using TopicList = std::optional<std::vector<groups::TopicPartitions>>;

Task<groups::FetchedOffsets> fetch_group(Broker* broker, std::string group_id, TopicList topics) {
  groups::GroupRoute route = co_await groups::route_group(*broker, group_id);
  if (route.error != kafka::ErrorCode::kNone)
    co_return groups::FetchedOffsets{.error = route.error};
  auto run = [group_id, topics] {
    return Broker::local().groups().fetch_offsets(group_id, topics);
  };
  co_return co_await broker->smp().call(route.shard, run);
}

// The fetched offsets grouped by topic, in the order they came.
template <typename Topic>
std::vector<Topic> by_topic(const groups::FetchedOffsets& fetched) {
  std::vector<Topic> out;
  for (const groups::FetchedOffset& f : fetched.partitions) {
    if (out.empty() || out.back().name != f.topic) out.push_back(Topic{.name = f.topic});
    auto& partition = out.back().partitions.emplace_back();
    partition.partition_index = f.partition;
    partition.committed_offset = f.offset;
    partition.committed_leader_epoch = f.leader_epoch;
    partition.metadata = f.metadata;
    partition.error_code = code(f.error);
  }
  return out;
}

}  // namespace

Task<Response> offset_fetch(Context ctx, kafka::OffsetFetchRequest request) {
  kafka::OffsetFetchResponse response;
  if (ctx.header.api_version < 8) {
    TopicList topics;
    if (request.topics) {
      topics.emplace();
      for (const auto& t : *request.topics) topics->push_back({t.name, t.partition_indexes});
    }
    groups::FetchedOffsets fetched = co_await fetch_group(ctx.broker, request.group_id, topics);
    response.error_code = code(fetched.error);
    response.topics = by_topic<kafka::OffsetFetchResponse::OffsetFetchResponseTopic>(fetched);
    co_return respond(ctx.header, response);
  }
  std::vector<Task<groups::FetchedOffsets>> work;
  for (const auto& g : request.groups) {
    TopicList topics;
    if (g.topics) {
      topics.emplace();
      for (const auto& t : *g.topics) topics->push_back({t.name, t.partition_indexes});
    }
    work.push_back(fetch_group(ctx.broker, g.group_id, std::move(topics)));
  }
  std::vector<groups::FetchedOffsets> results = co_await reactor::when_all(std::move(work));
  for (size_t i = 0; i < results.size(); ++i) {
    kafka::OffsetFetchResponse::OffsetFetchResponseGroup group{.group_id =
                                                                   request.groups[i].group_id};
    group.error_code = code(results[i].error);
    group.topics = by_topic<kafka::OffsetFetchResponse::OffsetFetchResponseTopics>(results[i]);
    response.groups.push_back(std::move(group));
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
