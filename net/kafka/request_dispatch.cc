#include "net/kafka/request_dispatch.h"

#include "net/kafka/error_code.h"

namespace ringlog::kafka {

Result<ParsedRequestHeader, DecodeError> parse_request_header(
    std::span<const std::byte> frame, std::span<const ApiVersionRange> apis) {
  // api_key, api_version and correlation_id have the same place in every header version.
  Reader prefix_reader(frame);
  auto prefix = RequestHeader::decode(prefix_reader, 0);
  if (!prefix) return prefix.error();

  ParsedRequestHeader parsed;
  parsed.support = check_version(prefix->api_key, prefix->api_version, apis);
  if (parsed.support == VersionSupport::kUnknownApi) {
    parsed.header = std::move(*prefix);
    return parsed;
  }
  if (parsed.support == VersionSupport::kUnsupportedVersion) {
    // A newer ApiVersions still starts with header v1's fields (client_id stays INT16-length
    // so that any broker can read it); its tagged fields and body are left alone.
    int16_t header_version = prefix->api_key == ApiKey::kApiVersions ? 1 : 0;
    Reader reader(frame);
    auto header = RequestHeader::decode(reader, header_version);
    if (!header) return header.error();
    parsed.header = std::move(*header);
    return parsed;
  }
  Reader reader(frame);
  auto header =
      RequestHeader::decode(reader, request_header_version(prefix->api_key, prefix->api_version));
  if (!header) return header.error();
  parsed.header = std::move(*header);
  parsed.body = reader.rest();
  return parsed;
}

Result<DecodedRequest, DecodeError> decode_request(std::span<const std::byte> frame,
                                                   std::span<const ApiVersionRange> apis) {
  auto parsed = parse_request_header(frame, apis);
  if (!parsed) return parsed.error();
  if (parsed->support == VersionSupport::kUnknownApi) return DecodeError::kUnknownApiKey;
  if (parsed->support == VersionSupport::kUnsupportedVersion) {
    return DecodeError::kUnsupportedVersion;
  }
  Reader body_reader(parsed->body);
  auto body = decode_request_body(parsed->header.api_key, parsed->header.api_version, body_reader);
  if (!body) return body.error();
  return DecodedRequest{std::move(parsed->header), std::move(*body)};
}

ApiVersionsResponse api_versions_response(std::span<const ApiVersionRange> apis) {
  ApiVersionsResponse response;
  response.error_code = static_cast<int16_t>(ErrorCode::kNone);
  response.api_keys.reserve(apis.size());
  for (const ApiVersionRange& range : apis) {
    auto& entry = response.api_keys.emplace_back();
    entry.api_key = static_cast<int16_t>(range.key);
    entry.min_version = range.min_version;
    entry.max_version = range.max_version;
  }
  return response;
}

std::vector<std::byte> unsupported_api_versions_frame(int32_t correlation_id,
                                                      std::span<const ApiVersionRange> apis) {
  ApiVersionsResponse response = api_versions_response(apis);
  response.error_code = static_cast<int16_t>(ErrorCode::kUnsupportedVersion);
  Writer writer;
  // Version 0: the one body every client can read whatever version it asked for.
  encode_response_frame(writer, correlation_id, 0, response);
  return std::move(writer).take();
}

}  // namespace ringlog::kafka
