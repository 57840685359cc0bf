#include "net/kafka/consumer_protocol.h"

#include <algorithm>

#include "net/kafka/reader.h"
#include "net/kafka/writer.h"

namespace ringlog::kafka {

namespace {

template <typename Payload>
Result<Payload, DecodeError> decode_versioned(std::span<const std::byte> bytes) {
  Reader reader(bytes);
  auto version = reader.read_int16();
  if (!version) return version.error();
  if (*version < Payload::kLowestVersion) return DecodeError::kUnsupportedVersion;
  return Payload::decode(reader, std::min(*version, Payload::kHighestVersion));
}

template <typename Payload>
std::vector<std::byte> encode_versioned(const Payload& payload, int16_t version) {
  Writer writer;
  writer.write_int16(version);
  payload.encode(writer, version);
  return std::move(writer).take();
}

}  // namespace

Result<ConsumerProtocolSubscription, DecodeError> decode_subscription(
    std::span<const std::byte> bytes) {
  return decode_versioned<ConsumerProtocolSubscription>(bytes);
}

std::vector<std::byte> encode_subscription(const ConsumerProtocolSubscription& subscription,
                                           int16_t version) {
  return encode_versioned(subscription, version);
}

Result<ConsumerProtocolAssignment, DecodeError> decode_assignment(
    std::span<const std::byte> bytes) {
  return decode_versioned<ConsumerProtocolAssignment>(bytes);
}

std::vector<std::byte> encode_assignment(const ConsumerProtocolAssignment& assignment,
                                         int16_t version) {
  return encode_versioned(assignment, version);
}

}  // namespace ringlog::kafka
