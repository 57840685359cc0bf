// Proves the header rules and request dispatch: header versions per api version (ApiVersions
// responses always v0), parsing a frame's header to route it, the UNSUPPORTED_VERSION answer to
// a too-new ApiVersions (v0 body, full list, byte for byte), unknown keys and versions reported
// for closing, the advertised table's invariants, and the consumer protocol payloads.

#include "net/kafka/request_dispatch.h"

#include <gtest/gtest.h>

#include <variant>

#include "net/kafka/consumer_protocol.h"
#include "net/kafka/error_code.h"
#include "test_bytes.h"

namespace ringlog::kafka {
namespace {

using test::bytes;
using test::Bytes;
using test::cat;
using test::text;

TEST(HeaderRulesTest, FlexibleVersionsUseRequestHeaderV2AndResponseHeaderV1) {
  EXPECT_EQ(request_header_version(ApiKey::kProduce, 8), 1);
  EXPECT_EQ(request_header_version(ApiKey::kProduce, 9), 2);
  EXPECT_EQ(response_header_version(ApiKey::kProduce, 8), 0);
  EXPECT_EQ(response_header_version(ApiKey::kProduce, 9), 1);
  EXPECT_EQ(request_header_version(ApiKey::kDescribeCluster, 0), 2);
  EXPECT_EQ(request_header_version(ApiKey::kOffsetDelete, 0), 1);
}

TEST(HeaderRulesTest, ApiVersionsResponsesAlwaysUseHeaderV0) {
  EXPECT_EQ(request_header_version(ApiKey::kApiVersions, 3), 2);
  for (int16_t v = 0; v <= 4; ++v) EXPECT_EQ(response_header_version(ApiKey::kApiVersions, v), 0);
}

TEST(HeaderRulesTest, RequestHeaderV2KeepsAnInt16ClientId) {
  RequestHeader header{ApiKey::kMetadata, 9, 77, "c"};
  Writer writer;
  header.encode(writer, 2);
  Bytes expected = bytes({0x00, 0x03, 0x00, 0x09, 0x00, 0x00, 0x00, 0x4D, 0x00, 0x01, 'c', 0x00});
  EXPECT_EQ(Bytes(writer.bytes().begin(), writer.bytes().end()), expected);
  Reader reader(writer.bytes());
  auto decoded = RequestHeader::decode(reader, 2);
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(*decoded == header);
}

TEST(HeaderRulesTest, TruncatedHeadersAreErrors) {
  Bytes full = bytes({0x00, 0x03, 0x00, 0x09, 0x00, 0x00, 0x00, 0x4D, 0x00, 0x01, 'c', 0x00});
  for (size_t length = 0; length < full.size(); ++length) {
    Bytes prefix(full.begin(), full.begin() + static_cast<ptrdiff_t>(length));
    Reader reader(prefix);
    EXPECT_FALSE(RequestHeader::decode(reader, 2)) << length;
  }
  Bytes response = bytes({0x00, 0x00, 0x00});
  Reader reader(response);
  EXPECT_FALSE(ResponseHeader::decode(reader, 0));
}

TEST(RequestDispatchTest, SupportedRequestHeaderLeavesTheBodyToDecode) {
  Bytes frame = cat({bytes({0x00, 0x0C, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03}), bytes({0xFF, 0xFF}),
                     bytes({0x00}), bytes({0xAA, 0xBB})});
  auto parsed = parse_request_header(frame);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->support, VersionSupport::kSupported);
  EXPECT_EQ(parsed->header.api_key, ApiKey::kHeartbeat);
  EXPECT_EQ(parsed->header.correlation_id, 3);
  EXPECT_EQ(parsed->body.size(), 2U);
  EXPECT_EQ(parsed->body.data(), frame.data() + 11);
}

TEST(RequestDispatchTest, UnknownKeyAndUnsupportedVersionAreReportedNotDecoded) {
  Bytes unknown = bytes({0x00, 0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01});
  auto parsed = parse_request_header(unknown);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->support, VersionSupport::kUnknownApi);
  EXPECT_EQ(decode_request(unknown).error(), DecodeError::kUnknownApiKey);

  Bytes old_fetch = bytes({0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0xFF, 0xFF});
  parsed = parse_request_header(old_fetch);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->support, VersionSupport::kUnsupportedVersion);
  EXPECT_TRUE(parsed->body.empty());
  EXPECT_EQ(decode_request(old_fetch).error(), DecodeError::kUnsupportedVersion);
}

TEST(RequestDispatchTest, FrameShorterThanAHeaderIsAnError) {
  Bytes short_frame = bytes({0x00, 0x12, 0x00});
  EXPECT_EQ(parse_request_header(short_frame).error(), DecodeError::kTruncated);
}

TEST(RequestDispatchTest, TooNewApiVersionsGetsTheV0UnsupportedVersionAnswer) {
  // ApiVersions v9 from a future client: the body is never parsed.
  Bytes frame = cat({bytes({0x00, 0x12, 0x00, 0x09, 0x00, 0x00, 0x00, 0x2C}), bytes({0x00, 0x02}),
                     text("jv"), bytes({0x7F, 0x7F, 0x7F})});
  auto parsed = parse_request_header(frame);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->support, VersionSupport::kUnsupportedVersion);
  EXPECT_EQ(parsed->header.client_id, "jv");

  const ApiVersionRange apis[] = {{ApiKey::kProduce, 3, 9}, {ApiKey::kApiVersions, 0, 4}};
  Bytes answer = unsupported_api_versions_frame(parsed->header.correlation_id, apis);
  Bytes expected = bytes({
      0x00, 0x00, 0x00, 0x16,  // size 22
      0x00, 0x00, 0x00, 0x2C,  // header v0: correlation id only
      0x00, 0x23,              // UNSUPPORTED_VERSION (35)
      0x00, 0x00, 0x00, 0x02,  // INT32 array length (v0 body)
      0x00, 0x00, 0x00, 0x03, 0x00, 0x09, 0x00, 0x12, 0x00, 0x00, 0x00, 0x04,
      // no throttle time, no tagged fields in v0
  });
  EXPECT_EQ(answer, expected);
}

TEST(RequestDispatchTest, UnsupportedVersionAnswerListsEveryImplementedApi) {
  Bytes answer = unsupported_api_versions_frame(1);
  Reader reader{std::span<const std::byte>(answer).subspan(8)};
  auto body = ApiVersionsResponse::decode(reader, 0);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->error_code, static_cast<int16_t>(ErrorCode::kUnsupportedVersion));
  EXPECT_EQ(body->api_keys.size(), kImplementedApis.size());
}

TEST(RequestDispatchTest, ResponseFramesCarryTheRightHeader) {
  HeartbeatResponse body;
  body.error_code = static_cast<int16_t>(ErrorCode::kRebalanceInProgress);
  Writer writer;
  encode_response_frame(writer, 5, 4, body);  // v4 is flexible: header v1
  Bytes expected = bytes({0x00, 0x00, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00,
                          0x00, 0x00, 0x1B, 0x00});
  EXPECT_EQ(Bytes(writer.bytes().begin(), writer.bytes().end()), expected);

  Writer api_versions_writer;
  encode_response_frame(api_versions_writer, 5, 3, api_versions_response());
  // Header v0 (4 bytes) then the flexible body starting with the error code.
  EXPECT_EQ(api_versions_writer.bytes()[8], std::byte{0x00});
  EXPECT_EQ(api_versions_writer.bytes()[9], std::byte{0x00});
  EXPECT_EQ(api_versions_writer.bytes()[10],
            static_cast<std::byte>(kImplementedApis.size() + 1));  // compact array length
}

TEST(RequestDispatchTest, EncodedRequestFramesDecodeBack) {
  MetadataRequest metadata;
  metadata.topics.emplace().emplace_back().name = "a";
  for (int16_t version : {int16_t{0}, int16_t{4}, int16_t{9}, int16_t{12}}) {
    Writer writer;
    encode_request_frame(writer, RequestHeader{ApiKey::kMetadata, version, 8, "me"}, metadata);
    auto request = decode_request(std::span(writer.bytes()).subspan(4));
    ASSERT_TRUE(request) << version << ": " << to_string(request.error());
    EXPECT_EQ(std::get<MetadataRequest>(request->body).topics->at(0).name, "a");
    EXPECT_EQ(request->header.client_id, "me");
  }
}

TEST(ApiVersionsTableTest, AdvertisedRangesAreValidAndUnique) {
  for (const ApiVersionRange& range : kImplementedApis) {
    EXPECT_LE(range.min_version, range.max_version) << to_string(range.key);
    EXPECT_EQ(find_api(range.key), &range) << to_string(range.key) << " listed twice";
    EXPECT_NE(to_string(range.key), "Unknown");
  }
  EXPECT_EQ(check_version(ApiKey::kProduce, 0), VersionSupport::kSupported);
  EXPECT_EQ(check_version(ApiKey::kProduce, 10), VersionSupport::kUnsupportedVersion);
  EXPECT_EQ(check_version(ApiKey::kFetch, 3), VersionSupport::kUnsupportedVersion);
  EXPECT_EQ(check_version(ApiKey::kFetch, 4), VersionSupport::kSupported);
  EXPECT_EQ(check_version(ApiKey::kSaslHandshake, 1), VersionSupport::kUnknownApi);
}

TEST(ErrorCodeTest, NamesAndRetriabilityFollowTheReference) {
  EXPECT_EQ(to_string(ErrorCode::kNotLeaderOrFollower), "NOT_LEADER_OR_FOLLOWER");
  EXPECT_EQ(static_cast<int16_t>(ErrorCode::kUnsupportedVersion), 35);
  EXPECT_EQ(static_cast<int16_t>(ErrorCode::kMemberIdRequired), 79);
  EXPECT_TRUE(is_retriable(ErrorCode::kNotCoordinator));
  EXPECT_FALSE(is_retriable(ErrorCode::kIllegalGeneration));
  EXPECT_EQ(to_string(static_cast<ErrorCode>(999)), "UNKNOWN_ERROR_CODE");
}

TEST(ConsumerProtocolTest, SubscriptionRoundTripsWithItsVersionPrefix) {
  ConsumerProtocolSubscription subscription;
  subscription.topics = {"a", "b"};
  subscription.owned_partitions.emplace_back().topic = "a";
  subscription.owned_partitions[0].partitions = {0, 2};
  subscription.generation_id = 7;
  Bytes encoded = encode_subscription(subscription, 2);
  EXPECT_EQ(encoded[0], std::byte{0x00});
  EXPECT_EQ(encoded[1], std::byte{0x02});
  auto decoded = decode_subscription(encoded);
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(*decoded == subscription);
}

TEST(ConsumerProtocolTest, NewerPayloadVersionsAreReadAsOurHighest) {
  ConsumerProtocolAssignment assignment;
  assignment.assigned_partitions.emplace_back().topic = "t";
  Bytes encoded = encode_assignment(assignment, 3);
  encoded[1] = std::byte{0x09};  // claims v9; v9 only appends fields we do not know
  encoded.push_back(std::byte{0x42});
  auto decoded = decode_assignment(encoded);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->assigned_partitions.at(0).topic, "t");
  Bytes negative = bytes({0xFF, 0xFF});
  EXPECT_EQ(decode_assignment(negative).error(), DecodeError::kUnsupportedVersion);
}

}  // namespace
}  // namespace ringlog::kafka
