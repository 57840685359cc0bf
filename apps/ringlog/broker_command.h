#pragma once
// `ringlog broker`: runs a single-node broker until SIGTERM/SIGINT.

#include "apps/ringlog/broker_config.h"

namespace ringlog::apps {

// Returns the process exit code.
int run_broker(const BrokerConfig& config);

}  // namespace ringlog::apps
