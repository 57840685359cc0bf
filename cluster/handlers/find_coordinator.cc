// FindCoordinator: this node coordinates every group and transaction (one node). For a group
// key it creates __consumer_offsets on first use, as Kafka does.
#include "cluster/groups/group_coordinator.h"
#include "cluster/groups/group_routing.h"
#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {
namespace {

using kafka::ErrorCode;

constexpr int8_t kGroupKey = 0;
constexpr int8_t kTransactionKey = 1;

Task<ErrorCode> check_key(Broker* broker, std::string key, int8_t key_type) {
  if (key_type == kTransactionKey)
    co_return key.empty() ? ErrorCode::kInvalidRequest : ErrorCode::kNone;
  if (key_type != kGroupKey) co_return ErrorCode::kInvalidRequest;
  const ErrorCode invalid = groups::validate_group_id(key);
  if (invalid != ErrorCode::kNone) co_return invalid;
  co_return co_await groups::ensure_offsets_topic(*broker);
}

// Fills node, host, port and error of an answer (this node, or -1 and the error).
template <typename Answer>
void fill(Answer& out, ErrorCode error, const BrokerOptions& options) {
  out.error_code = code(error);
  if (error == ErrorCode::kNone) {
    out.error_message = std::nullopt;
    out.node_id = options.node_id;
    out.host = options.advertised_host;
    out.port = options.advertised_port;
  } else {
    out.error_message = std::string(kafka::to_string(error));
    out.node_id = -1;
    out.port = -1;
  }
}

}  // namespace

Task<Response> find_coordinator(Context ctx, kafka::FindCoordinatorRequest request) {
  const BrokerOptions& options = ctx.broker->options();
  kafka::FindCoordinatorResponse response;
  if (ctx.header.api_version < 4) {
    const ErrorCode error = co_await check_key(ctx.broker, request.key, request.key_type);
    fill(response, error, options);
    co_return respond(ctx.header, response);
  }
  for (const std::string& key : request.coordinator_keys) {
    const ErrorCode error = co_await check_key(ctx.broker, key, request.key_type);
    kafka::FindCoordinatorResponse::Coordinator c{.key = key};
    fill(c, error, options);
    response.coordinators.push_back(std::move(c));
  }
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
