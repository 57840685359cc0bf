#include "cluster/kafka_handler.h"

#include <fmt/format.h>

#include "cluster/handlers/handler.h"
#include "cluster/served_apis.h"
#include "net/kafka/request_dispatch.h"

namespace ringlog::cluster {

using server::Response;

reactor::Task<Response> KafkaHandler::handle(const server::ConnectionInfo& connection,
                                             server::RequestFrame frame) {
  auto parsed = kafka::parse_request_header(frame.bytes(), served_apis());
  if (!parsed) {
    fmt::print(stderr, "connection {}: malformed request header, closing\n", connection.id);
    co_return Response::close();
  }
  const kafka::RequestHeader& header = parsed->header;
  if (parsed->support == kafka::VersionSupport::kUnknownApi) co_return Response::close();
  if (parsed->support == kafka::VersionSupport::kUnsupportedVersion) {
    if (header.api_key != kafka::ApiKey::kApiVersions) co_return Response::close();
    // The v0 answer that tells the client our range (its frame includes the size prefix,
    // which the connection writes itself).
    std::vector<std::byte> whole =
        kafka::unsupported_api_versions_frame(header.correlation_id, served_apis());
    Response r;
    r.chunks.push_back(std::vector<std::byte>(whole.begin() + 4, whole.end()));
    co_return r;
  }

  auto decoded = kafka::decode_request(frame.bytes(), served_apis());
  if (!decoded) {
    fmt::print(stderr, "connection {}: cannot decode {} v{}: closing\n", connection.id,
               static_cast<int>(header.api_key), header.api_version);
    co_return Response::close();
  }
  handlers::Context ctx{
      .broker = &broker_, .header = decoded->header, .frame = &frame, .connection = &connection};
  kafka::AnyRequest& body = decoded->body;
  if (auto* r = std::get_if<kafka::ApiVersionsRequest>(&body)) {
    co_return co_await handlers::api_versions(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::MetadataRequest>(&body)) {
    co_return co_await handlers::metadata(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::ProduceRequest>(&body)) {
    co_return co_await handlers::produce(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::FetchRequest>(&body)) {
    co_return co_await handlers::fetch(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::ListOffsetsRequest>(&body)) {
    co_return co_await handlers::list_offsets(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::CreateTopicsRequest>(&body)) {
    co_return co_await handlers::create_topics(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::DeleteTopicsRequest>(&body)) {
    co_return co_await handlers::delete_topics(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::CreatePartitionsRequest>(&body)) {
    co_return co_await handlers::create_partitions(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::DescribeConfigsRequest>(&body)) {
    co_return co_await handlers::describe_configs(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::AlterConfigsRequest>(&body)) {
    co_return co_await handlers::alter_configs(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::IncrementalAlterConfigsRequest>(&body)) {
    co_return co_await handlers::incremental_alter_configs(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::DescribeClusterRequest>(&body)) {
    co_return co_await handlers::describe_cluster(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::DeleteRecordsRequest>(&body)) {
    co_return co_await handlers::delete_records(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::OffsetForLeaderEpochRequest>(&body)) {
    co_return co_await handlers::offset_for_leader_epoch(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::FindCoordinatorRequest>(&body)) {
    co_return co_await handlers::find_coordinator(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::JoinGroupRequest>(&body)) {
    co_return co_await handlers::join_group(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::SyncGroupRequest>(&body)) {
    co_return co_await handlers::sync_group(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::HeartbeatRequest>(&body)) {
    co_return co_await handlers::heartbeat(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::LeaveGroupRequest>(&body)) {
    co_return co_await handlers::leave_group(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::OffsetCommitRequest>(&body)) {
    co_return co_await handlers::offset_commit(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::OffsetFetchRequest>(&body)) {
    co_return co_await handlers::offset_fetch(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::ListGroupsRequest>(&body)) {
    co_return co_await handlers::list_groups(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::DescribeGroupsRequest>(&body)) {
    co_return co_await handlers::describe_groups(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::DeleteGroupsRequest>(&body)) {
    co_return co_await handlers::delete_groups(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::OffsetDeleteRequest>(&body)) {
    co_return co_await handlers::offset_delete(ctx, std::move(*r));
  }
  if (auto* r = std::get_if<kafka::InitProducerIdRequest>(&body)) {
    co_return co_await handlers::init_producer_id(ctx, std::move(*r));
  }
  // served_apis() and this list must agree: an API advertised without a handler is a bug.
  RL_ASSERT(false, "advertised API without a handler");
  co_return Response::close();
}

}  // namespace ringlog::cluster
