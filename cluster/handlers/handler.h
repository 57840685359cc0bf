#pragma once
// The Kafka request handlers, one file per API (or family). Each takes the decoded request and
// returns the whole response (header and body, no size prefix) for the connection to send.
// Storage and reactor errors become Kafka error codes here, at this boundary, and nowhere else.

#include <cstdint>
#include <vector>

#include "cluster/broker.h"
#include "engine/reactor/task.h"
#include "engine/storage/log_error.h"
#include "net/kafka/error_code.h"
#include "net/kafka/headers.h"
#include "net/kafka/messages/all_messages.h"
#include "net/kafka/writer.h"
#include "net/server/request_handler.h"
#include "net/server/response.h"

namespace ringlog::cluster::handlers {

using reactor::Task;
using server::Response;

// What every handler gets. Pointers (not references) so coroutines can take it by value.
struct Context {
  Broker* broker;
  kafka::RequestHeader header;
  server::RequestFrame* frame;  // owns the bytes decoded views point into
  const server::ConnectionInfo* connection = nullptr;
};

inline int16_t code(kafka::ErrorCode e) { return static_cast<int16_t>(e); }

// True if `topic` (nullptr: not in the table) has a partition `index`.
inline bool has_partition(const TopicMetadata* topic, int32_t index) {
  return topic != nullptr && index >= 0 && index < topic->partitions;
}

// A per-partition result known without leaving this shard, as a Task so it can stand beside the
// owner-shard calls that reactor::when_all gathers.
template <typename T>
Task<T> ready(T value) {
  co_return value;
}

// The Kafka error a storage error stands for.
kafka::ErrorCode error_for(const storage::LogError& e);

// Encodes response header + body into one chunk.
template <typename Body>
Response respond(const kafka::RequestHeader& header, const Body& body) {
  kafka::Writer w;
  kafka::ResponseHeader{header.correlation_id}.encode(
      w, kafka::response_header_version(Body::kApiKey, header.api_version));
  body.encode(w, header.api_version);
  Response r;
  r.chunks.push_back(std::move(w).take());
  return r;
}

Task<Response> api_versions(Context ctx, kafka::ApiVersionsRequest request);
Task<Response> metadata(Context ctx, kafka::MetadataRequest request);
Task<Response> produce(Context ctx, kafka::ProduceRequest request);
Task<Response> fetch(Context ctx, kafka::FetchRequest request);
Task<Response> list_offsets(Context ctx, kafka::ListOffsetsRequest request);
Task<Response> create_topics(Context ctx, kafka::CreateTopicsRequest request);
Task<Response> delete_topics(Context ctx, kafka::DeleteTopicsRequest request);
Task<Response> create_partitions(Context ctx, kafka::CreatePartitionsRequest request);
Task<Response> describe_configs(Context ctx, kafka::DescribeConfigsRequest request);
Task<Response> alter_configs(Context ctx, kafka::AlterConfigsRequest request);
Task<Response> incremental_alter_configs(Context ctx,
                                         kafka::IncrementalAlterConfigsRequest request);
Task<Response> describe_cluster(Context ctx, kafka::DescribeClusterRequest request);
Task<Response> delete_records(Context ctx, kafka::DeleteRecordsRequest request);
Task<Response> offset_for_leader_epoch(Context ctx, kafka::OffsetForLeaderEpochRequest request);
// Consumer groups (cluster/groups).
Task<Response> find_coordinator(Context ctx, kafka::FindCoordinatorRequest request);
Task<Response> join_group(Context ctx, kafka::JoinGroupRequest request);
Task<Response> sync_group(Context ctx, kafka::SyncGroupRequest request);
Task<Response> heartbeat(Context ctx, kafka::HeartbeatRequest request);
Task<Response> leave_group(Context ctx, kafka::LeaveGroupRequest request);
Task<Response> offset_commit(Context ctx, kafka::OffsetCommitRequest request);
Task<Response> offset_fetch(Context ctx, kafka::OffsetFetchRequest request);
Task<Response> list_groups(Context ctx, kafka::ListGroupsRequest request);
Task<Response> describe_groups(Context ctx, kafka::DescribeGroupsRequest request);
Task<Response> delete_groups(Context ctx, kafka::DeleteGroupsRequest request);
Task<Response> offset_delete(Context ctx, kafka::OffsetDeleteRequest request);
Task<Response> init_producer_id(Context ctx, kafka::InitProducerIdRequest request);

}  // namespace ringlog::cluster::handlers
