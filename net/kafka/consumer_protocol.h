#pragma once
// The consumer protocol payloads inside JoinGroup metadata (subscription) and SyncGroup
// assignment bytes: INT16 version, then the struct at that version, never flexible. Newer
// versions only append fields, so a version above ours is read as our highest, as Kafka does.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/base/result.h"
#include "net/kafka/decode_error.h"
#include "net/kafka/messages/consumer_protocol.h"

namespace ringlog::kafka {

Result<ConsumerProtocolSubscription, DecodeError> decode_subscription(
    std::span<const std::byte> bytes);
std::vector<std::byte> encode_subscription(const ConsumerProtocolSubscription& subscription,
                                           int16_t version);

Result<ConsumerProtocolAssignment, DecodeError> decode_assignment(std::span<const std::byte> bytes);
std::vector<std::byte> encode_assignment(const ConsumerProtocolAssignment& assignment,
                                         int16_t version);

}  // namespace ringlog::kafka
