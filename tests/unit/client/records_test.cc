// Proves producer records survive encode_batch -> decode_batches (keys, null keys and values,
// headers, timestamps, offsets), that decoding skips records before the fetch offset, stops
// cleanly at a partial trailing batch, and rejects corrupt batches.
#include "client/records.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/storage/crc32c.h"
#include "engine/storage/record_batch.h"
#include "engine/storage/record_batch_format.h"

namespace ringlog::client {
namespace {

std::vector<std::byte> batch_at(Offset base, std::vector<ProducerRecord> records) {
  std::vector<std::byte> bytes = encode_batch(records, TimestampMs(1'700'000'000'000));
  storage::MutableRecordBatchView(bytes).patch_base_offset(base);
  return bytes;
}

TEST(RecordsTest, EncodeThenDecodeKeepsEveryField) {
  std::vector<ProducerRecord> in = {
      {.key = "k1", .value = "v1", .headers = {{"h", "x"}, {"empty", std::nullopt}}},
      {.key = std::nullopt, .value = "no key", .timestamp = TimestampMs(42)},
      {.key = "tombstone", .value = std::nullopt},
      {.key = "", .value = ""},
  };
  std::vector<std::byte> bytes = batch_at(Offset(100), in);
  ASSERT_TRUE(storage::RecordBatchView(bytes).validate(storage::BatchSource::kProducer));

  std::vector<Record> out;
  ClientResult<DecodedBatches> decoded = decode_batches(bytes, 3, Offset(100), out);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->next_offset, Offset(104));
  EXPECT_EQ(decoded->consumed_bytes, bytes.size());
  EXPECT_FALSE(decoded->partial_tail);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].partition, 3);
    EXPECT_EQ(out[i].offset, Offset(100 + static_cast<int64_t>(i)));
    EXPECT_EQ(out[i].key, in[i].key) << i;
    EXPECT_EQ(out[i].value, in[i].value) << i;
    EXPECT_EQ(out[i].headers, in[i].headers) << i;
  }
  EXPECT_EQ(out[0].timestamp, TimestampMs(1'700'000'000'000));
  EXPECT_EQ(out[1].timestamp, TimestampMs(42));
}

// Every codec: the batch goes out compressed, and decoding skips the records before the fetch
// offset inside it and gives back the rest with every field.
TEST(RecordsTest, CompressedBatchesOfEveryCodecDecodeToTheSameRecords) {
  std::vector<ProducerRecord> in;
  for (int i = 0; i < 40; ++i) {
    in.push_back({.key = "key " + std::to_string(i % 4),
                  .value = "value " + std::to_string(i) + std::string(60, 'z'),
                  .headers = {{"n", std::to_string(i)}}});
  }
  for (storage::Compression codec : {storage::Compression::kGzip, storage::Compression::kSnappy,
                                     storage::Compression::kLz4, storage::Compression::kZstd}) {
    SCOPED_TRACE(static_cast<int>(codec));
    std::vector<std::byte> bytes = encode_batch(in, TimestampMs(1'700'000'000'000), codec);
    storage::MutableRecordBatchView(bytes).patch_base_offset(Offset(500));
    auto info = storage::RecordBatchView(bytes).validate(storage::BatchSource::kProducer);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->compression, codec);
    EXPECT_LT(bytes.size(), encode_batch(in, TimestampMs(1'700'000'000'000)).size() / 3);

    std::vector<Record> out;
    ClientResult<DecodedBatches> decoded = decode_batches(bytes, 1, Offset(510), out);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->next_offset, Offset(540));
    ASSERT_EQ(out.size(), 30u);
    for (size_t i = 0; i < out.size(); ++i) {
      EXPECT_EQ(out[i].offset, Offset(510 + static_cast<int64_t>(i)));
      EXPECT_EQ(out[i].key, in[i + 10].key);
      EXPECT_EQ(out[i].value, in[i + 10].value);
      EXPECT_EQ(out[i].headers, in[i + 10].headers);
    }
  }
}

// A compressed batch whose compressed bytes are damaged (CRC fixed up, as a broken producer
// would send it) is a clear error, not a crash.
TEST(RecordsTest, ACorruptCompressedBatchIsAnError) {
  std::vector<ProducerRecord> in(30, ProducerRecord{.value = std::string(100, 'q')});
  std::vector<std::byte> bytes = encode_batch(in, TimestampMs(1), storage::Compression::kZstd);
  ASSERT_GT(bytes.size(), 80u);
  bytes[70] ^= std::byte{0xff};  // inside the compressed records (the header is 61 bytes)
  storage::batch_format::store_be<uint32_t>(
      bytes.data() + storage::batch_format::kCrcAt,
      storage::crc32c(std::span(bytes).subspan(storage::batch_format::kCrcStart)));
  std::vector<Record> out;
  ClientResult<DecodedBatches> decoded = decode_batches(bytes, 0, Offset(0), out);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().errc, ClientErrc::kBadRecords);
}

TEST(RecordsTest, RecordsBeforeTheFetchOffsetAreSkipped) {
  std::vector<std::byte> bytes =
      batch_at(Offset(10), {{.value = "a"}, {.value = "b"}, {.value = "c"}});
  std::vector<Record> out;
  ClientResult<DecodedBatches> decoded = decode_batches(bytes, 0, Offset(11), out);
  ASSERT_TRUE(decoded);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].value, "b");
  EXPECT_EQ(out[0].offset, Offset(11));
  EXPECT_EQ(decoded->next_offset, Offset(13));
}

TEST(RecordsTest, PartialTrailingBatchStopsDecodingAfterTheCompleteOnes) {
  std::vector<std::byte> first = batch_at(Offset(0), {{.value = "one"}, {.value = "two"}});
  std::vector<std::byte> second = batch_at(Offset(2), {{.value = "three"}});
  std::vector<std::byte> bytes = first;
  bytes.insert(bytes.end(), second.begin(), second.end() - 5);  // cut off
  std::vector<Record> out;
  ClientResult<DecodedBatches> decoded = decode_batches(bytes, 0, Offset(0), out);
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->partial_tail);
  EXPECT_EQ(decoded->consumed_bytes, first.size());
  EXPECT_EQ(decoded->next_offset, Offset(2));
  ASSERT_EQ(out.size(), 2u);

  // Only a fragment of a batch: nothing decoded, position unchanged.
  out.clear();
  decoded = decode_batches(std::span(second).first(20), 0, Offset(2), out);
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->partial_tail);
  EXPECT_EQ(decoded->consumed_bytes, 0u);
  EXPECT_EQ(decoded->next_offset, Offset(2));
  EXPECT_TRUE(out.empty());
}

TEST(RecordsTest, CorruptBatchIsAnErrorNotACrash) {
  std::vector<std::byte> bytes = batch_at(Offset(0), {{.key = "k", .value = "v"}});
  bytes.back() ^= std::byte{0x01};  // the CRC no longer matches
  std::vector<Record> out;
  ClientResult<DecodedBatches> decoded = decode_batches(bytes, 0, Offset(0), out);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().errc, ClientErrc::kBadRecords);
}

}  // namespace
}  // namespace ringlog::client
