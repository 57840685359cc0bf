// Proves real-client frames, built byte by byte from the reference notes, decode to the expected
// fields: ApiVersions v3 as librdkafka sends it, Metadata v2 and v0, a Produce v7 with one record
// batch (kept as a view into the frame and valid), a flexible Fetch v12 with a tagged ClusterId;
// that unknown tagged fields are skipped; and that reference defaults fill absent fields.

#include <gtest/gtest.h>

#include <variant>

#include "engine/storage/record_batch.h"
#include "net/kafka/request_dispatch.h"
#include "test_bytes.h"

namespace ringlog::kafka {
namespace {

using test::bytes;
using test::Bytes;
using test::cat;
using test::text;

TEST(GoldenFrameTest, LibrdkafkaApiVersionsV3RequestDecodes) {
  // clang-format off: one line per wire field
  Bytes frame = cat({
      bytes({0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01}),  // ApiVersions v3, correlation 1
      bytes({0x00, 0x07}), text("rdkafka"),                     // client_id: INT16 even in v2
      bytes({0x00}),                                            // header tagged fields
      bytes({0x0B}), text("librdkafka"),                        // ClientSoftwareName, compact
      bytes({0x06}), text("2.0.2"),                             // ClientSoftwareVersion
      bytes({0x00}),                                            // body tagged fields
  });
  // clang-format on
  auto request = decode_request(frame);
  ASSERT_TRUE(request) << to_string(request.error());
  EXPECT_EQ(request->header.api_key, ApiKey::kApiVersions);
  EXPECT_EQ(request->header.api_version, 3);
  EXPECT_EQ(request->header.correlation_id, 1);
  EXPECT_EQ(request->header.client_id, "rdkafka");
  const auto& body = std::get<ApiVersionsRequest>(request->body);
  EXPECT_EQ(body.client_software_name, "librdkafka");
  EXPECT_EQ(body.client_software_version, "2.0.2");
}

TEST(GoldenFrameTest, MetadataV2RequestDecodesWithAutoCreationDefaultTrue) {
  // clang-format off: one line per wire field
  Bytes frame = cat({
      bytes({0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05}),  // Metadata v2, correlation 5
      bytes({0x00, 0x04}), text("kcat"),                        // header v1: no tagged fields
      bytes({0x00, 0x00, 0x00, 0x01}),                          // one topic
      bytes({0x00, 0x04}), text("logs"),
  });
  // clang-format on
  auto request = decode_request(frame);
  ASSERT_TRUE(request) << to_string(request.error());
  const auto& body = std::get<MetadataRequest>(request->body);
  ASSERT_TRUE(body.topics.has_value());
  ASSERT_EQ(body.topics->size(), 1U);
  EXPECT_EQ((*body.topics)[0].name, "logs");
  EXPECT_TRUE(body.allow_auto_topic_creation);  // absent before v4: the reference default
}

TEST(GoldenFrameTest, MetadataNullTopicsMeanAllTopicsFromV1AndIsAnErrorInV0) {
  Bytes v1 = cat({bytes({0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0xFF, 0xFF}),
                  bytes({0xFF, 0xFF, 0xFF, 0xFF})});
  auto request = decode_request(v1);
  ASSERT_TRUE(request) << to_string(request.error());
  EXPECT_FALSE(std::get<MetadataRequest>(request->body).topics.has_value());

  Bytes v0 = v1;
  v0[3] = std::byte{0x00};
  auto rejected = decode_request(v0);
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error(), DecodeError::kUnexpectedNull);
}

TEST(GoldenFrameTest, ProduceV7RequestKeepsItsBatchAsAValidViewIntoTheFrame) {
  storage::RecordBatchBuilder builder;
  builder.add({.timestamp = TimestampMs(1700000000000), .key = "k", .value = "hello"});
  Bytes batch = builder.build();
  const auto batch_size = static_cast<uint32_t>(batch.size());

  // clang-format off: one line per wire field
  Bytes frame = cat({
      bytes({0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x2A}),  // Produce v7, correlation 42
      bytes({0x00, 0x07}), text("rdkafka"),
      bytes({0xFF, 0xFF}),                                      // TransactionalId null
      bytes({0xFF, 0xFF}),                                      // acks -1
      bytes({0x00, 0x00, 0x75, 0x30}),                          // timeout 30000 ms
      bytes({0x00, 0x00, 0x00, 0x01}), bytes({0x00, 0x06}), text("orders"),
      bytes({0x00, 0x00, 0x00, 0x01}), bytes({0x00, 0x00, 0x00, 0x03}),  // partition 3
      bytes({0x00, 0x00, static_cast<int>(batch_size >> 8), static_cast<int>(batch_size & 0xFF)}),
      batch,
  });
  // clang-format on
  auto request = decode_request(frame);
  ASSERT_TRUE(request) << to_string(request.error());
  const auto& body = std::get<ProduceRequest>(request->body);
  EXPECT_FALSE(body.transactional_id.has_value());
  EXPECT_EQ(body.acks, -1);
  EXPECT_EQ(body.timeout_ms, 30000);
  ASSERT_EQ(body.topic_data.size(), 1U);
  EXPECT_EQ(body.topic_data[0].name, "orders");
  ASSERT_EQ(body.topic_data[0].partition_data.size(), 1U);
  const auto& partition = body.topic_data[0].partition_data[0];
  EXPECT_EQ(partition.index, 3);
  ASSERT_TRUE(partition.records.has_value());
  EXPECT_EQ(partition.records->bytes.data(), frame.data() + (frame.size() - batch.size()));
  auto info = storage::RecordBatchView(partition.records->bytes).validate();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->records_count, 1);
}

TEST(GoldenFrameTest, FlexibleFetchV12ReadsTaggedClusterIdAndDefaults) {
  // clang-format off: one line per wire field
  Bytes frame = cat({
      bytes({0x00, 0x01, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x09}),  // Fetch v12, correlation 9
      bytes({0xFF, 0xFF}), bytes({0x00}),                       // null client_id, no tags
      bytes({0xFF, 0xFF, 0xFF, 0xFF}),                          // ReplicaId -1
      bytes({0x00, 0x00, 0x01, 0xF4}),                          // MaxWaitMs 500
      bytes({0x00, 0x00, 0x00, 0x01}),                          // MinBytes 1
      bytes({0x03, 0x20, 0x00, 0x00}),                          // MaxBytes 52428800
      bytes({0x00}),                                            // IsolationLevel
      bytes({0x00, 0x00, 0x00, 0x00}),                          // SessionId
      bytes({0xFF, 0xFF, 0xFF, 0xFF}),                          // SessionEpoch -1
      bytes({0x02}), bytes({0x02}), text("t"),                  // 1 topic "t" (compact)
      bytes({0x02}),                                            // 1 partition
      bytes({0x00, 0x00, 0x00, 0x00}),                          // Partition 0
      bytes({0x00, 0x00, 0x00, 0x02}),                          // CurrentLeaderEpoch 2
      bytes({0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10}),  // FetchOffset 16
      bytes({0xFF, 0xFF, 0xFF, 0xFF}),                          // LastFetchedEpoch -1
      bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}),  // LogStartOffset -1
      bytes({0x00, 0x10, 0x00, 0x00}),                          // PartitionMaxBytes 1 MiB
      bytes({0x00}),                                            // partition tags
      bytes({0x00}),                                            // topic tags
      bytes({0x01}),                                            // no forgotten topics
      bytes({0x01}),                                            // RackId ""
      bytes({0x02}),                                            // two tagged fields:
      bytes({0x00, 0x04, 0x04}), text("abc"),                   //   tag 0 ClusterId "abc"
      bytes({0x09, 0x02, 0xDE, 0xAD}),                          //   tag 9: unknown, skipped
  });
  // clang-format on
  auto request = decode_request(frame);
  ASSERT_TRUE(request) << to_string(request.error());
  EXPECT_FALSE(request->header.client_id.has_value());
  const auto& body = std::get<FetchRequest>(request->body);
  EXPECT_EQ(body.max_wait_ms, 500);
  EXPECT_EQ(body.max_bytes, 52428800);
  EXPECT_EQ(body.cluster_id, "abc");
  ASSERT_EQ(body.topics.size(), 1U);
  EXPECT_EQ(body.topics[0].partitions[0].current_leader_epoch, 2);
  EXPECT_EQ(body.topics[0].partitions[0].fetch_offset, 16);

  // Encoding it again writes the known tag only: the unknown one is not kept.
  Writer writer;
  body.encode(writer, 12);
  Bytes expected_body(frame.begin() + 11, frame.end() - 4);
  expected_body[expected_body.size() - 7] = std::byte{0x01};  // one tagged field now
  EXPECT_EQ(Bytes(writer.bytes().begin(), writer.bytes().end()), expected_body);
}

TEST(GoldenFrameTest, UnknownTaggedFieldsInHeaderAndBodyAreSkipped) {
  // clang-format off: one line per wire field
  Bytes frame = cat({
      bytes({0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02}), bytes({0x00, 0x00}),
      bytes({0x01, 0x05, 0x03, 0x01, 0x02, 0x03}),  // header: tag 5, 3 bytes
      bytes({0x02}), text("a"), bytes({0x02}), text("1"),
      bytes({0x02, 0x07, 0x00, 0x08, 0x01, 0xFF}),  // body: tag 7 empty, tag 8 one byte
  });
  // clang-format on
  auto request = decode_request(frame);
  ASSERT_TRUE(request) << to_string(request.error());
  EXPECT_EQ(std::get<ApiVersionsRequest>(request->body).client_software_name, "a");
}

Bytes fetch_v12_partition_with_diverging_epoch(int declared_size, Bytes payload_tail) {
  // clang-format off: one line per wire field
  return cat({
      bytes({0x00, 0x00, 0x00, 0x01, 0x00, 0x00}),              // PartitionIndex 1, ErrorCode 0
      Bytes(8, std::byte{0}), Bytes(8, std::byte{0}), Bytes(8, std::byte{0}),  // offsets
      bytes({0x00}),                                            // AbortedTransactions null
      bytes({0xFF, 0xFF, 0xFF, 0xFF}),                          // PreferredReadReplica -1
      bytes({0x00}),                                            // Records null
      bytes({0x01, 0x00, declared_size}),                       // 1 tagged field: tag 0
      bytes({0x00, 0x00, 0x00, 0x05}),                          //   Epoch 5
      bytes({0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64}),  //   EndOffset 100
      bytes({0x00}),                                            //   its own tags
      payload_tail,
  });
  // clang-format on
}

TEST(GoldenFrameTest, KnownTaggedFieldIsReadFromItsPayload) {
  Bytes in = fetch_v12_partition_with_diverging_epoch(13, {});
  Reader reader(in);
  auto partition = FetchResponse::PartitionData::decode(reader, 12);
  ASSERT_TRUE(partition) << to_string(partition.error());
  EXPECT_EQ(partition->diverging_epoch.epoch, 5);
  EXPECT_EQ(partition->diverging_epoch.end_offset, 100);
  EXPECT_EQ(partition->current_leader.leader_id, -1);  // tag 1 absent: default
  EXPECT_EQ(reader.remaining(), 0U);
}

TEST(GoldenFrameTest, KnownTaggedFieldWithBytesLeftInItsPayloadIsRejected) {
  Bytes in = fetch_v12_partition_with_diverging_epoch(14, bytes({0x00}));
  Reader reader(in);
  auto partition = FetchResponse::PartitionData::decode(reader, 12);
  ASSERT_FALSE(partition);
  EXPECT_EQ(partition.error(), DecodeError::kTaggedFieldSizeMismatch);
}

TEST(DefaultsTest, AbsentFieldsTakeTheReferenceDefaults) {
  EXPECT_TRUE(MetadataRequest{}.allow_auto_topic_creation);
  EXPECT_EQ(FetchRequest{}.max_bytes, 0x7fffffff);
  EXPECT_EQ(FetchRequest::FetchPartition{}.current_leader_epoch, -1);
  EXPECT_EQ(FetchRequest{}.session_epoch, -1);
  EXPECT_EQ(JoinGroupRequest{}.rebalance_timeout_ms, -1);
  EXPECT_EQ(FindCoordinatorRequest{}.key_type, 0);
  EXPECT_EQ(ListOffsetsRequest::ListOffsetsPartition{}.current_leader_epoch, -1);
  EXPECT_EQ(MetadataResponse::MetadataResponseTopic{}.topic_authorized_operations, INT32_MIN);
  EXPECT_EQ(ProduceResponse::PartitionProduceResponse{}.log_append_time_ms, -1);
  EXPECT_FALSE(ProduceRequest::PartitionProduceData{}.records.has_value());
}

TEST(DefaultsTest, JoinGroupV0DecodesRebalanceTimeoutAsMinusOne) {
  Bytes body =
      cat({bytes({0x00, 0x01}), text("g"), bytes({0x00, 0x00, 0x27, 0x10}), bytes({0x00, 0x00}),
           bytes({0x00, 0x08}), text("consumer"), bytes({0x00, 0x00, 0x00, 0x00})});
  Reader reader(body);
  auto request = JoinGroupRequest::decode(reader, 0);
  ASSERT_TRUE(request) << to_string(request.error());
  EXPECT_EQ(request->session_timeout_ms, 10000);
  EXPECT_EQ(request->rebalance_timeout_ms, -1);
  EXPECT_EQ(request->protocol_type, "consumer");
}

}  // namespace
}  // namespace ringlog::kafka
