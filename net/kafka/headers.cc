#include "net/kafka/headers.h"

#include "engine/base/assert.h"
#include "net/kafka/api_versions.h"

namespace ringlog::kafka {

namespace {

// Header v2 / v1 tagged sections define no tags: skip whatever a newer client sends.
Result<void, DecodeError> skip_tagged_fields(Reader& reader) {
  auto count = reader.read_tagged_fields_count();
  if (!count) return count.error();
  for (uint32_t i = 0; i < *count; ++i) {
    auto tag = reader.read_unsigned_varint();
    if (!tag) return tag.error();
    auto payload = reader.read_tagged_payload();
    if (!payload) return payload.error();
  }
  return {};
}

}  // namespace

void RequestHeader::encode(Writer& writer, int16_t header_version) const {
  RL_ASSERT(header_version >= 0 && header_version <= 2);
  writer.write_int16(static_cast<int16_t>(api_key));
  writer.write_int16(api_version);
  writer.write_int32(correlation_id);
  if (header_version >= 1) writer.write_nullable_string(client_id, LengthEncoding::kClassic);
  if (header_version >= 2) writer.write_unsigned_varint(0);
}

Result<RequestHeader, DecodeError> RequestHeader::decode(Reader& reader, int16_t header_version) {
  RL_ASSERT(header_version >= 0 && header_version <= 2);
  RequestHeader header;
  auto key = reader.read_int16();
  if (!key) return key.error();
  header.api_key = static_cast<ApiKey>(*key);
  auto version = reader.read_int16();
  if (!version) return version.error();
  header.api_version = *version;
  auto correlation_id = reader.read_int32();
  if (!correlation_id) return correlation_id.error();
  header.correlation_id = *correlation_id;
  if (header_version >= 1) {
    auto client_id = reader.read_nullable_string(LengthEncoding::kClassic);
    if (!client_id) return client_id.error();
    header.client_id = std::move(*client_id);
  }
  if (header_version >= 2) {
    if (auto skipped = skip_tagged_fields(reader); !skipped) return skipped.error();
  }
  return header;
}

void ResponseHeader::encode(Writer& writer, int16_t header_version) const {
  RL_ASSERT(header_version >= 0 && header_version <= 1);
  writer.write_int32(correlation_id);
  if (header_version >= 1) writer.write_unsigned_varint(0);
}

Result<ResponseHeader, DecodeError> ResponseHeader::decode(Reader& reader, int16_t header_version) {
  RL_ASSERT(header_version >= 0 && header_version <= 1);
  ResponseHeader header;
  auto correlation_id = reader.read_int32();
  if (!correlation_id) return correlation_id.error();
  header.correlation_id = *correlation_id;
  if (header_version >= 1) {
    if (auto skipped = skip_tagged_fields(reader); !skipped) return skipped.error();
  }
  return header;
}

int16_t request_header_version(ApiKey key, int16_t api_version) {
  // Header v0 exists only for ControlledShutdown v0, which we do not serve.
  return is_flexible_version(key, api_version) ? 2 : 1;
}

int16_t response_header_version(ApiKey key, int16_t api_version) {
  if (key == ApiKey::kApiVersions) return 0;
  return is_flexible_version(key, api_version) ? 1 : 0;
}

}  // namespace ringlog::kafka
