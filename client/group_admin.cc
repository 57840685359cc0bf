#include "client/group_admin.h"

#include <algorithm>
#include <tuple>

#include "net/kafka/consumer_protocol.h"
#include "net/kafka/messages/delete_groups.h"
#include "net/kafka/messages/describe_groups.h"
#include "net/kafka/messages/find_coordinator.h"
#include "net/kafka/messages/list_groups.h"
#include "net/kafka/messages/offset_commit.h"
#include "net/kafka/messages/offset_fetch.h"

namespace ringlog::client {

namespace {

constexpr int8_t kGroupKeyType = 0;
constexpr std::string_view kConsumerProtocolType = "consumer";
// OffsetFetch v8 batches groups; one group per request is all an admin tool needs.
constexpr int16_t kOffsetFetchVersionMax = 7;
// The generation and member id of a commit from outside the group.
constexpr int32_t kNoGeneration = -1;

// The assignment of a consumer-protocol member; empty if the bytes are empty or do not decode
// (a group of another protocol type never gets here).
std::vector<TopicPartitions> decode_consumer_assignment(const std::vector<std::byte>& bytes) {
  std::vector<TopicPartitions> out;
  if (bytes.empty()) return out;
  Result<kafka::ConsumerProtocolAssignment, kafka::DecodeError> assignment =
      kafka::decode_assignment(bytes);
  if (!assignment) return out;
  for (auto& tp : assignment->assigned_partitions) {
    std::sort(tp.partitions.begin(), tp.partitions.end());
    out.push_back({.topic = std::move(tp.topic), .partitions = std::move(tp.partitions)});
  }
  std::sort(out.begin(), out.end(),
            [](const TopicPartitions& a, const TopicPartitions& b) { return a.topic < b.topic; });
  return out;
}

}  // namespace

reactor::Task<ClientResult<Coordinator>> GroupAdmin::find_coordinator(std::string group_id) {
  kafka::FindCoordinatorRequest request;
  request.key = group_id;                        // versions 0-3
  request.coordinator_keys.push_back(group_id);  // version 4+
  request.key_type = kGroupKeyType;
  ClientResult<Reply<kafka::FindCoordinatorResponse>> reply =
      co_await connection_->call<kafka::FindCoordinatorResponse>(std::move(request));
  if (!reply) co_return reply.error();
  const kafka::FindCoordinatorResponse& body = reply->body;
  if (reply->version < 4) {
    if (body.error_code != 0) co_return ClientError::broker(body.error_code, "FindCoordinator");
    co_return Coordinator{.node_id = body.node_id, .host = body.host, .port = body.port};
  }
  for (const auto& c : body.coordinators) {
    if (c.key != group_id) continue;
    if (c.error_code != 0) co_return ClientError::broker(c.error_code, "FindCoordinator");
    co_return Coordinator{.node_id = c.node_id, .host = c.host, .port = c.port};
  }
  co_return ClientError{.errc = ClientErrc::kMissingAnswer, .context = "FindCoordinator"};
}

reactor::Task<ClientResult<std::vector<GroupListing>>> GroupAdmin::list_groups() {
  kafka::ListGroupsRequest request;  // no states filter: every group
  ClientResult<Reply<kafka::ListGroupsResponse>> reply =
      co_await connection_->call<kafka::ListGroupsResponse>(std::move(request));
  if (!reply) co_return reply.error();
  if (reply->body.error_code != 0) {
    co_return ClientError::broker(reply->body.error_code, "ListGroups");
  }
  std::vector<GroupListing> out;
  for (auto& g : reply->body.groups) {
    out.push_back({.group_id = std::move(g.group_id),
                   .state = std::move(g.group_state),
                   .protocol_type = std::move(g.protocol_type)});
  }
  std::sort(out.begin(), out.end(),
            [](const GroupListing& a, const GroupListing& b) { return a.group_id < b.group_id; });
  co_return out;
}

reactor::Task<ClientResult<GroupDescription>> GroupAdmin::describe_group(std::string group_id) {
  kafka::DescribeGroupsRequest request;
  request.groups.push_back(group_id);
  ClientResult<Reply<kafka::DescribeGroupsResponse>> reply =
      co_await connection_->call<kafka::DescribeGroupsResponse>(std::move(request));
  if (!reply) co_return reply.error();
  for (auto& g : reply->body.groups) {
    if (g.group_id != group_id) continue;
    if (g.error_code != 0) co_return ClientError::broker(g.error_code, "DescribeGroups");
    GroupDescription out{.group_id = std::move(g.group_id),
                         .state = std::move(g.group_state),
                         .protocol_type = std::move(g.protocol_type),
                         .protocol = std::move(g.protocol_data)};
    const bool consumer = out.protocol_type == kConsumerProtocolType;
    for (auto& m : g.members) {
      GroupMember member{.member_id = std::move(m.member_id),
                         .instance_id = std::move(m.group_instance_id),
                         .client_id = std::move(m.client_id),
                         .client_host = std::move(m.client_host)};
      if (consumer) member.assignment = decode_consumer_assignment(m.member_assignment);
      out.members.push_back(std::move(member));
    }
    std::sort(out.members.begin(), out.members.end(),
              [](const GroupMember& a, const GroupMember& b) { return a.member_id < b.member_id; });
    co_return out;
  }
  co_return ClientError{.errc = ClientErrc::kMissingAnswer, .context = "DescribeGroups"};
}

reactor::Task<ClientResult<std::vector<GroupError>>> GroupAdmin::delete_groups(
    std::vector<std::string> group_ids) {
  kafka::DeleteGroupsRequest request;
  request.groups_names = group_ids;
  ClientResult<Reply<kafka::DeleteGroupsResponse>> reply =
      co_await connection_->call<kafka::DeleteGroupsResponse>(std::move(request));
  if (!reply) co_return reply.error();
  std::vector<GroupError> out;
  for (const std::string& id : group_ids) {
    const auto& results = reply->body.results;
    auto it = std::find_if(results.begin(), results.end(),
                           [&](const auto& r) { return r.group_id == id; });
    if (it == results.end()) {
      co_return ClientError{.errc = ClientErrc::kMissingAnswer, .context = "DeleteGroups"};
    }
    out.push_back({.group_id = id, .error = static_cast<kafka::ErrorCode>(it->error_code)});
  }
  co_return out;
}

reactor::Task<ClientResult<std::vector<CommittedOffset>>> GroupAdmin::fetch_offsets(
    std::string group_id, std::optional<std::vector<TopicPartitions>> topics) {
  kafka::OffsetFetchRequest request;
  request.group_id = group_id;
  if (topics) {
    request.topics.emplace();
    for (TopicPartitions& t : *topics) {
      request.topics->push_back(
          {.name = std::move(t.topic), .partition_indexes = std::move(t.partitions)});
    }
  } else {
    request.topics = std::nullopt;  // every committed offset (v2+)
  }
  ClientResult<Reply<kafka::OffsetFetchResponse>> reply =
      co_await connection_->call<kafka::OffsetFetchResponse>(
          std::move(request), ExpectResponse::kYes, kOffsetFetchVersionMax);
  if (!reply) co_return reply.error();
  if (reply->body.error_code != 0) {
    co_return ClientError::broker(reply->body.error_code, "OffsetFetch");
  }
  std::vector<CommittedOffset> out;
  for (auto& t : reply->body.topics) {
    for (auto& p : t.partitions) {
      if (p.error_code != 0) co_return ClientError::broker(p.error_code, "OffsetFetch");
      CommittedOffset c{.topic = t.name, .partition = p.partition_index};
      if (p.committed_offset >= 0) c.offset = Offset(p.committed_offset);
      c.metadata = std::move(p.metadata);
      out.push_back(std::move(c));
    }
  }
  std::sort(out.begin(), out.end(), [](const CommittedOffset& a, const CommittedOffset& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  });
  co_return out;
}

reactor::Task<ClientResult<std::vector<PartitionError>>> GroupAdmin::commit_offsets(
    std::string group_id, std::vector<OffsetToCommit> offsets) {
  kafka::OffsetCommitRequest request;
  request.group_id = group_id;
  request.generation_id_or_member_epoch = kNoGeneration;
  request.member_id.clear();
  request.group_instance_id = std::nullopt;
  for (const OffsetToCommit& o : offsets) {
    if (request.topics.empty() || request.topics.back().name != o.topic) {
      request.topics.push_back({.name = o.topic, .partitions = {}});
    }
    request.topics.back().partitions.push_back(
        {.partition_index = o.partition, .committed_offset = o.offset.value()});
  }
  ClientResult<Reply<kafka::OffsetCommitResponse>> reply =
      co_await connection_->call<kafka::OffsetCommitResponse>(std::move(request));
  if (!reply) co_return reply.error();
  std::vector<PartitionError> out;
  for (const OffsetToCommit& o : offsets) {
    PartitionError result{.topic = o.topic, .partition = o.partition};
    bool found = false;
    for (const auto& t : reply->body.topics) {
      if (t.name != o.topic) continue;
      for (const auto& p : t.partitions) {
        if (p.partition_index != o.partition) continue;
        result.error = static_cast<kafka::ErrorCode>(p.error_code);
        found = true;
      }
    }
    if (!found)
      co_return ClientError{.errc = ClientErrc::kMissingAnswer, .context = "OffsetCommit"};
    out.push_back(std::move(result));
  }
  // The same group-level error on every partition is the group's answer.
  if (!out.empty() && out.front().error != kafka::ErrorCode::kNone &&
      std::all_of(out.begin(), out.end(),
                  [&](const PartitionError& e) { return e.error == out.front().error; })) {
    co_return ClientError::broker(static_cast<int16_t>(out.front().error), "OffsetCommit");
  }
  co_return out;
}

}  // namespace ringlog::client
