#pragma once
// From a request frame to a decoded request, and the answers that need no handler. The server
// reads a frame (the bytes after the 4-byte size), calls parse_request_header to learn the api
// key, version and correlation id and whether we serve that version, then either decodes the
// body (decode_request_body in messages/all_messages.h, or decode_request) or:
//   - unknown api key, or unsupported version of any API but ApiVersions: close the connection
//     (what Kafka does; clients negotiate with ApiVersions first);
//   - unsupported ApiVersions version: send unsupported_api_versions_frame(), the v0 answer with
//     UNSUPPORTED_VERSION and our ranges (README §5 quirk 1), without parsing the body.

#include <cstdint>
#include <span>
#include <vector>

#include "engine/base/result.h"
#include "net/kafka/api_versions.h"
#include "net/kafka/decode_error.h"
#include "net/kafka/headers.h"
#include "net/kafka/messages/all_messages.h"
#include "net/kafka/writer.h"

namespace ringlog::kafka {

struct ParsedRequestHeader {
  // For kUnknownApi and kUnsupportedVersion only api_key, api_version and correlation_id are
  // set, plus client_id for ApiVersions (its client_id has the same encoding in every version).
  RequestHeader header;
  VersionSupport support = VersionSupport::kSupported;
  // The request body; empty unless support == kSupported.
  std::span<const std::byte> body;
};

// Fails only when the frame is too short for the header (or the header is malformed).
Result<ParsedRequestHeader, DecodeError> parse_request_header(
    std::span<const std::byte> frame, std::span<const ApiVersionRange> apis = kImplementedApis);

struct DecodedRequest {
  RequestHeader header;
  AnyRequest body;
};

// Header and body of a frame whose version we serve: kUnknownApiKey / kUnsupportedVersion
// otherwise. Strings are copied out; RECORDS fields stay views into `frame`.
Result<DecodedRequest, DecodeError> decode_request(
    std::span<const std::byte> frame, std::span<const ApiVersionRange> apis = kImplementedApis);

// The ApiVersions body listing `apis` (error NONE).
ApiVersionsResponse api_versions_response(std::span<const ApiVersionRange> apis = kImplementedApis);

// The whole frame, size prefix included, answering an ApiVersions request of a version we do not
// serve: response header v0, a v0 body with UNSUPPORTED_VERSION and every range in `apis`.
std::vector<std::byte> unsupported_api_versions_frame(
    int32_t correlation_id, std::span<const ApiVersionRange> apis = kImplementedApis);

// Appends size prefix, response header (by the rules in headers.h) and body.
template <typename Response>
void encode_response_frame(Writer& writer, int32_t correlation_id, int16_t version,
                           const Response& body) {
  static_assert(!Response::kIsRequest);
  size_t prefix_at = writer.reserve_size_prefix();
  ResponseHeader{correlation_id}.encode(writer,
                                        response_header_version(Response::kApiKey, version));
  body.encode(writer, version);
  writer.patch_size_prefix(prefix_at);
}

// Appends size prefix, request header (v1 or v2 by the rules) and body: for clients and tests.
template <typename Request>
void encode_request_frame(Writer& writer, const RequestHeader& header, const Request& body) {
  static_assert(Request::kIsRequest);
  RL_ASSERT(header.api_key == Request::kApiKey);
  size_t prefix_at = writer.reserve_size_prefix();
  header.encode(writer, request_header_version(header.api_key, header.api_version));
  body.encode(writer, header.api_version);
  writer.patch_size_prefix(prefix_at);
}

}  // namespace ringlog::kafka
