#include "apps/ringlog/produce_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "apps/ringlog/client_command.h"
#include "client/producer.h"
#include "engine/reactor/io.h"
#include "engine/storage/record_compression.h"

namespace ringlog::apps {

namespace {

using client::ClientResult;
using reactor::Task;

// Bytes read from stdin at a time: each read's complete lines go out as one Produce request.
constexpr size_t kStdinChunkBytes = 256 << 10;
// io_uring reads at the file's current position (pipes, terminals and files alike).
constexpr uint64_t kCurrentPosition = UINT64_MAX;

struct ProduceArgs {
  std::string topic;
  std::optional<std::string> key_separator;
  std::optional<int32_t> partition;
  client::Acks acks = client::Acks::kAll;
  storage::Compression compression = storage::Compression::kNone;
  std::vector<client::Header> headers;
};

client::OutgoingRecord to_record(std::string_view line, const ProduceArgs& args) {
  client::OutgoingRecord out;
  out.partition = args.partition;
  out.record.headers = args.headers;
  if (args.key_separator) {
    const size_t at = line.find(*args.key_separator);
    if (at != std::string_view::npos) {
      out.record.key = std::string(line.substr(0, at));
      line = line.substr(at + args.key_separator->size());
    }
  }
  out.record.value = std::string(line);
  return out;
}

int report(const ProduceArgs& args, const client::ClientError& error) {
  if (error.is(kafka::ErrorCode::kUnknownTopicOrPartition)) {
    print_error(fmt::format("topic '{}' does not exist (create it with: ringlog topic create {})",
                            args.topic, args.topic));
  } else {
    print_error(fmt::format("cannot produce to '{}'", args.topic), error);
  }
  return kExitFailure;
}

Task<int> produce(client::Connection* connection, ProduceArgs args) {
  client::Producer producer(
      connection, client::ProducerOptions{.acks = args.acks, .compression = args.compression});
  // Fail before reading input if the topic or partition does not exist.
  ClientResult<int32_t> partitions = co_await producer.partition_count(args.topic);
  if (!partitions) co_return report(args, partitions.error());
  if (args.partition && *args.partition >= *partitions) {
    print_error(fmt::format("topic '{}' has {} partition(s); there is no partition {}", args.topic,
                            *partitions, *args.partition));
    co_return kExitUsage;
  }
  std::string pending;  // the start of a line whose end has not been read yet
  std::vector<std::byte> buffer(kStdinChunkBytes);
  bool eof = false;
  while (!eof) {
    reactor::IoResult got = co_await reactor::read(STDIN_FILENO, buffer, kCurrentPosition);
    if (!got) {
      print_error(fmt::format("reading stdin: {}", got.error().name()));
      co_return kExitFailure;
    }
    eof = *got == 0;
    pending.append(reinterpret_cast<const char*>(buffer.data()), *got);
    std::vector<client::OutgoingRecord> records;
    size_t start = 0;
    for (size_t nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
      records.push_back(to_record(std::string_view(pending).substr(start, nl - start), args));
      start = nl + 1;
    }
    pending.erase(0, start);
    if (eof && !pending.empty()) records.push_back(to_record(pending, args));
    if (records.empty()) continue;
    ClientResult<std::vector<client::PartitionAck>> acks =
        co_await producer.send(args.topic, std::move(records));
    if (!acks) co_return report(args, acks.error());
  }
  co_return kExitOk;
}

}  // namespace

int produce_main(std::vector<std::string> args) {
  CLI::App app{"Produce one record per line of stdin.", "ringlog produce"};
  std::string bootstrap = kBootstrapDefault;
  add_bootstrap_option(app, &bootstrap);
  ProduceArgs produce_args;
  std::string key_separator;
  int32_t partition = -1;
  std::string acks = "all";
  std::vector<std::string> headers;
  app.add_option("topic", produce_args.topic, "Topic to write to")->required();
  app.add_option("-K,--key-separator", key_separator,
                 "Split each line at the first SEP into key and value (no SEP: no key)");
  app.add_option("-p,--partition", partition,
                 "Write every record to this partition (default: by key, murmur2 as the Java "
                 "client; without a key, one partition per batch, round-robin)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--acks", acks, "0, 1 or all (-1)")
      ->check(CLI::IsMember({"0", "1", "all", "-1"}))
      ->default_str("all");
  app.add_option("-H,--header", headers, "Header NAME=VALUE added to every record (repeatable)");
  std::string compression = "none";
  app.add_option("-z,--compression", compression,
                 "Compress each batch: none, gzip, snappy, lz4 or zstd (Kafka's compression.type)")
      ->check(CLI::Validator(
          [](const std::string& name) {
            return storage::compression_from_name(name)
                       ? std::string()
                       : "not one of none, gzip, snappy, lz4, zstd";
          },
          "CODEC"))
      ->default_str("none");
  if (std::optional<int> rc = parse_args(app, std::move(args))) return *rc;
  produce_args.compression = *storage::compression_from_name(compression);

  if (!key_separator.empty()) produce_args.key_separator = key_separator;
  if (partition >= 0) produce_args.partition = partition;
  produce_args.acks = acks == "0"   ? client::Acks::kNone
                      : acks == "1" ? client::Acks::kLeader
                                    : client::Acks::kAll;
  for (const std::string& h : headers) {
    std::string key;
    std::string value;
    if (!split_key_value(h, &key, &value)) {
      print_error(fmt::format("--header '{}': expected NAME=VALUE", h));
      return kExitUsage;
    }
    produce_args.headers.push_back({key, value});
  }
  auto body = [produce_args](client::Connection* c) { return produce(c, produce_args); };
  return run_with_connection(bootstrap, body);
}

}  // namespace ringlog::apps
