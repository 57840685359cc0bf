#include "cluster/groups/offset_records.h"

#include "net/kafka/reader.h"
#include "net/kafka/writer.h"

namespace ringlog::cluster::groups {

using kafka::DecodeError;
using kafka::LengthEncoding;

namespace {

constexpr int16_t kOffsetKeyVersion = 1;
constexpr int16_t kGroupMetadataKeyVersion = 2;
constexpr int16_t kOffsetValueVersion = 3;

}  // namespace

std::vector<std::byte> encode_offset_key(const OffsetKey& key) {
  kafka::Writer w;
  w.write_int16(kOffsetKeyVersion);
  w.write_string(key.group, LengthEncoding::kClassic);
  w.write_string(key.topic, LengthEncoding::kClassic);
  w.write_int32(key.partition);
  return std::move(w).take();
}

std::vector<std::byte> encode_offset_value(const OffsetValue& value) {
  kafka::Writer w;
  w.write_int16(kOffsetValueVersion);
  w.write_int64(value.offset);
  w.write_int32(value.leader_epoch);
  w.write_string(value.metadata, LengthEncoding::kClassic);
  w.write_int64(value.commit_timestamp_ms);
  return std::move(w).take();
}

Result<DecodedKey, DecodeError> decode_offset_record_key(std::span<const std::byte> bytes) {
  kafka::Reader r(bytes);
  auto version = r.read_int16();
  if (!version) return version.error();
  auto group = r.read_string(LengthEncoding::kClassic);
  if (!group) return group.error();
  DecodedKey key;
  key.group = std::move(*group);
  if (*version == kGroupMetadataKeyVersion) {
    key.kind = DecodedKey::Kind::kGroupMetadata;
    return key;
  }
  if (*version != 0 && *version != kOffsetKeyVersion) return DecodeError::kUnsupportedVersion;
  auto topic = r.read_string(LengthEncoding::kClassic);
  if (!topic) return topic.error();
  auto partition = r.read_int32();
  if (!partition) return partition.error();
  key.offset = OffsetKey{.group = key.group, .topic = std::move(*topic), .partition = *partition};
  return key;
}

Result<OffsetValue, DecodeError> decode_offset_value(std::span<const std::byte> bytes) {
  kafka::Reader r(bytes);
  auto version = r.read_int16();
  if (!version) return version.error();
  if (*version < 0 || *version > kOffsetValueVersion) return DecodeError::kUnsupportedVersion;
  OffsetValue value;
  auto offset = r.read_int64();
  if (!offset) return offset.error();
  value.offset = *offset;
  if (*version == 3) {
    auto epoch = r.read_int32();
    if (!epoch) return epoch.error();
    value.leader_epoch = *epoch;
  }
  auto metadata = r.read_string(LengthEncoding::kClassic);
  if (!metadata) return metadata.error();
  value.metadata = std::move(*metadata);
  auto timestamp = r.read_int64();
  if (!timestamp) return timestamp.error();
  value.commit_timestamp_ms = *timestamp;
  // Version 1 carries an expire timestamp after this; ringlog expires by its own rule.
  return value;
}

}  // namespace ringlog::cluster::groups
