// DescribeCluster: this node is the whole cluster and its controller.
#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {

namespace {
constexpr int8_t kEndpointTypeBrokers = 1;
}  // namespace

Task<Response> describe_cluster(Context ctx, kafka::DescribeClusterRequest request) {
  Broker& broker = *ctx.broker;
  const BrokerOptions& o = broker.options();
  kafka::DescribeClusterResponse response;
  response.endpoint_type = request.endpoint_type;
  if (request.endpoint_type != kEndpointTypeBrokers) {
    // Kafka's brokers answer UNSUPPORTED_ENDPOINT_TYPE; we have no controller endpoints either.
    response.error_code = code(kafka::ErrorCode::kInvalidRequest);
    response.error_message = "only broker endpoints (EndpointType 1) are served";
    co_return respond(ctx.header, response);
  }
  response.cluster_id = o.cluster_id;
  response.controller_id = o.node_id;
  response.brokers.push_back({.broker_id = o.node_id,
                              .host = o.advertised_host,
                              .port = o.advertised_port,
                              .rack = std::nullopt});
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
