#include "cluster/handlers/handler.h"

namespace ringlog::cluster::handlers {

// InitProducerId for idempotent producers: a null transactional id gets a new producer id with
// epoch 0, as Kafka's coordinator answers it (an id/epoch sent by v3+ to ask for an epoch bump is
// ignored for a null transactional id there too: the producer simply gets a new id).
//
// Transactions are not served. A transactional id gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
// Kafka's answer when the client may not use that transactional id. Clients take it as fatal
// ("Transactional Id authorization failed") and stop at once, where a retriable error such as
// COORDINATOR_NOT_AVAILABLE would make them retry until their timeout. An empty transactional id
// is INVALID_REQUEST, as in Kafka.
Task<Response> init_producer_id(Context ctx, kafka::InitProducerIdRequest request) {
  kafka::InitProducerIdResponse response;
  if (request.transactional_id.has_value()) {
    response.error_code = code(request.transactional_id->empty()
                                   ? kafka::ErrorCode::kInvalidRequest
                                   : kafka::ErrorCode::kTransactionalIdAuthorizationFailed);
    co_return respond(ctx.header, response);
  }
  const int64_t producer_id = co_await ctx.broker->allocate_producer_id();
  if (producer_id < 0) {
    // The producer-id mark could not be persisted: retriable, the client asks again.
    response.error_code = code(kafka::ErrorCode::kCoordinatorNotAvailable);
    co_return respond(ctx.header, response);
  }
  response.producer_id = producer_id;
  response.producer_epoch = 0;
  co_return respond(ctx.header, response);
}

}  // namespace ringlog::cluster::handlers
