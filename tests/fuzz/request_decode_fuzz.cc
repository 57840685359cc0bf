// libFuzzer target: arbitrary bytes as a request frame (header + body, routed by api key) and
// as the body of every request and response at every advertised version. Decoding must never
// crash or over-read (ASan/UBSan); whatever decodes must re-encode and decode back equal; every
// record batch found in a Produce request or Fetch response goes through
// RecordBatchView::validate, which must also stay inside its bytes. The same bytes also go
// through each codec's decompression (the client reads compressed batches), and a compressed
// batch that validates is decompressed and its records read.

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <variant>
#include <vector>

#include "engine/storage/record_batch.h"
#include "engine/storage/record_compression.h"
#include "net/kafka/consumer_protocol.h"
#include "net/kafka/request_dispatch.h"

namespace ringlog::kafka {
namespace {

// Small enough that a decompression bomb costs the fuzzer little.
constexpr size_t kDecompressedBytesMax = 1 << 20;

// Reads every record of the batch's records once decompressed; errors are fine.
void decompress_and_read(const storage::RecordBatchView& batch, storage::Compression codec) {
  std::vector<std::byte> records;
  if (!storage::decompress_records(codec, batch.records(), kDecompressedBytesMax, records)) return;
  storage::RecordReader reader(records, batch.records_count());
  storage::RecordView record;
  for (int i = 0; i <= batch.records_count(); ++i) {
    auto more = reader.next(record);
    if (!more || !*more) return;
  }
}

void validate_batches(const std::optional<RecordsView>& records) {
  if (!records) return;
  auto split = storage::split_batches(records->bytes);
  for (storage::RecordBatchView batch : split) {
    auto info = batch.validate(storage::BatchSource::kProducer);
    if (info && info->compression == storage::Compression::kNone) {
      (void)storage::validate_records(batch, storage::BatchSource::kProducer);
    } else if (info) {
      decompress_and_read(batch, info->compression);
    }
  }
}

void check_records(const ProduceRequest& request) {
  for (const auto& topic : request.topic_data) {
    for (const auto& partition : topic.partition_data) validate_batches(partition.records);
  }
}

void check_records(const FetchResponse& response) {
  for (const auto& topic : response.responses) {
    for (const auto& partition : topic.partitions) validate_batches(partition.records);
  }
}

template <typename Message>
void check_records(const Message&) {}

// What decoded must survive encode -> decode unchanged.
template <typename Message>
void check_reencodes(const Message& message, int16_t version) {
  Writer writer;
  message.encode(writer, version);
  Reader reader(writer.bytes());
  auto again = Message::decode(reader, version);
  if (!again || !(*again == message) || reader.remaining() != 0) __builtin_trap();
}

template <typename Any>
void check_decoded(const Any& any, int16_t version) {
  std::visit(
      [version](const auto& message) {
        check_records(message);
        check_reencodes(message, version);
      },
      any);
}

}  // namespace
}  // namespace ringlog::kafka

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ringlog::kafka;
  const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);

  // As a whole frame, the way the server sees it.
  if (auto parsed = parse_request_header(input); parsed) {
    if (parsed->support == VersionSupport::kSupported) {
      if (auto request = decode_request(input); request) {
        check_decoded(request->body, request->header.api_version);
      }
    } else if (parsed->header.api_key == ApiKey::kApiVersions) {
      (void)unsupported_api_versions_frame(parsed->header.correlation_id);
    }
  }

  // As the body of every message we serve, at every version we advertise.
  for (const ApiVersionRange& range : kImplementedApis) {
    for (int16_t version = range.min_version; version <= range.max_version; ++version) {
      Reader request_reader(input);
      if (auto request = decode_request_body(range.key, version, request_reader); request) {
        check_decoded(*request, version);
      }
      Reader response_reader(input);
      if (auto response = decode_response_body(range.key, version, response_reader); response) {
        check_decoded(*response, version);
      }
    }
  }

  // As compressed records of each codec.
  using ringlog::storage::Compression;
  for (Compression codec :
       {Compression::kGzip, Compression::kSnappy, Compression::kLz4, Compression::kZstd}) {
    std::vector<std::byte> out;
    (void)ringlog::storage::decompress_records(codec, input, kDecompressedBytesMax, out);
  }

  (void)decode_subscription(input);
  (void)decode_assignment(input);
  return 0;
}
