#pragma once
// KafkaHandler: the broker's RequestHandler. It reads the request header, answers what needs no
// state (unknown API → close; unsupported ApiVersions version → the v0 answer), decodes the body
// and routes it to the API's handler in handlers/.

#include "cluster/broker.h"
#include "net/server/request_handler.h"

namespace ringlog::cluster {

class KafkaHandler final : public server::RequestHandler {
 public:
  explicit KafkaHandler(Broker& broker) : broker_(broker) {}

  reactor::Task<server::Response> handle(const server::ConnectionInfo& connection,
                                         server::RequestFrame frame) override;

 private:
  Broker& broker_;
};

}  // namespace ringlog::cluster
