#pragma once
// The records of `__consumer_offsets`, in Kafka's own layout so Kafka's tools could read them:
// an offset commit is key OffsetCommitKey v1 (group, topic, partition) and value
// OffsetCommitValue v3 (offset, leader epoch, metadata, commit time); a null value (tombstone)
// deletes the commit. Group metadata keys (v2) are recognised so a log written by a broker
// that stores them still loads; ringlog itself writes only offset commits.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/base/result.h"
#include "net/kafka/decode_error.h"

namespace ringlog::cluster::groups {

struct OffsetKey {
  std::string group;
  std::string topic;
  int32_t partition = 0;
  friend bool operator==(const OffsetKey&, const OffsetKey&) = default;
};

struct OffsetValue {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_timestamp_ms = -1;
  friend bool operator==(const OffsetValue&, const OffsetValue&) = default;
};

std::vector<std::byte> encode_offset_key(const OffsetKey& key);
std::vector<std::byte> encode_offset_value(const OffsetValue& value);

// What a record key of __consumer_offsets names.
struct DecodedKey {
  enum class Kind : uint8_t { kOffset, kGroupMetadata } kind = Kind::kOffset;
  OffsetKey offset;   // kOffset
  std::string group;  // both kinds
};

// Keys of versions 0 and 1 are offset commits, version 2 group metadata; others are an error.
Result<DecodedKey, kafka::DecodeError> decode_offset_record_key(std::span<const std::byte> bytes);
// Values of versions 0 to 3.
Result<OffsetValue, kafka::DecodeError> decode_offset_value(std::span<const std::byte> bytes);

}  // namespace ringlog::cluster::groups
