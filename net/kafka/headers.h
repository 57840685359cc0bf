#pragma once
// Request header v0-v2 and response header v0-v1 (shared/kafka-protocol/README.md §1), and the
// rules choosing them: a flexible api version uses request header v2 / response header v1, except
// that ApiVersions responses always use header v0 so a client that does not know the broker yet
// can read them. client_id keeps its INT16 length even in header v2.

#include <cstdint>
#include <optional>
#include <string>

#include "engine/base/result.h"
#include "net/kafka/api_key.h"
#include "net/kafka/decode_error.h"
#include "net/kafka/reader.h"
#include "net/kafka/writer.h"

namespace ringlog::kafka {

struct RequestHeader {
  ApiKey api_key{};
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;  // v1+; null and empty are both legal

  void encode(Writer& writer, int16_t header_version) const;
  static Result<RequestHeader, DecodeError> decode(Reader& reader, int16_t header_version);
  friend bool operator==(const RequestHeader&, const RequestHeader&) = default;
};

struct ResponseHeader {
  int32_t correlation_id = 0;

  void encode(Writer& writer, int16_t header_version) const;
  static Result<ResponseHeader, DecodeError> decode(Reader& reader, int16_t header_version);
  friend bool operator==(const ResponseHeader&, const ResponseHeader&) = default;
};

// Header versions for `api_version` of `key`. Precondition: net/kafka defines `key`.
int16_t request_header_version(ApiKey key, int16_t api_version);
int16_t response_header_version(ApiKey key, int16_t api_version);

}  // namespace ringlog::kafka
