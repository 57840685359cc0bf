#include "cluster/handlers/handler.h"
#include "cluster/served_apis.h"
#include "net/kafka/request_dispatch.h"

namespace ringlog::cluster::handlers {

Task<Response> api_versions(Context ctx, kafka::ApiVersionsRequest) {
  co_return respond(ctx.header, kafka::api_versions_response(served_apis()));
}

}  // namespace ringlog::cluster::handlers
