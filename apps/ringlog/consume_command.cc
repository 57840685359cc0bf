#include "apps/ringlog/consume_command.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>

#include "apps/ringlog/client_command.h"
#include "client/admin.h"
#include "client/consumer.h"
#include "engine/reactor/reactor.h"

namespace ringlog::apps {

namespace {

using client::ClientResult;
using reactor::Task;

// Where each partition starts.
struct StartAt {
  enum class Kind : uint8_t { kEarliest, kLatest, kOffset, kTimestamp } kind = Kind::kEarliest;
  int64_t value = 0;  // the offset or the timestamp (ms)
};

struct ConsumeArgs {
  std::string topic;
  StartAt from;
  std::optional<int32_t> partition;
  std::optional<int64_t> count;
  std::string format = "%s";
  std::optional<std::chrono::milliseconds> idle_timeout;
  bool exit_at_end = false;
};

std::optional<StartAt> parse_from(std::string_view text) {
  if (text == "earliest" || text == "beginning") return StartAt{StartAt::Kind::kEarliest};
  if (text == "latest" || text == "end") return StartAt{StartAt::Kind::kLatest};
  StartAt at{StartAt::Kind::kOffset};
  if (!text.empty() && text.front() == '@') {
    at.kind = StartAt::Kind::kTimestamp;
    text.remove_prefix(1);
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), at.value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || at.value < 0) {
    return std::nullopt;
  }
  return at;
}

int report(const ConsumeArgs& args, const client::ClientError& error) {
  if (error.is(kafka::ErrorCode::kUnknownTopicOrPartition)) {
    print_error(fmt::format("topic '{}' does not exist", args.topic));
  } else {
    print_error(fmt::format("cannot consume from '{}'", args.topic), error);
  }
  return kExitFailure;
}

// The first offset to read in `partition`. Offsets are clamped to [earliest, latest]; a
// timestamp after the last record starts at the end (nothing to read yet).
Task<ClientResult<Offset>> start_offset(client::Admin* admin, std::string topic, int32_t partition,
                                        StartAt from) {
  const int64_t ask = from.kind == StartAt::Kind::kTimestamp  ? from.value
                      : from.kind == StartAt::Kind::kEarliest ? client::kEarliestTimestamp
                                                              : client::kLatestTimestamp;
  ClientResult<std::optional<Offset>> found = co_await admin->list_offset(topic, partition, ask);
  if (!found) co_return found.error();
  if (from.kind == StartAt::Kind::kEarliest || from.kind == StartAt::Kind::kLatest) {
    co_return found->value_or(Offset(0));
  }
  if (from.kind == StartAt::Kind::kTimestamp && *found) co_return **found;
  ClientResult<std::optional<Offset>> latest =
      co_await admin->list_offset(topic, partition, client::kLatestTimestamp);
  if (!latest) co_return latest.error();
  const Offset end = latest->value_or(Offset(0));
  if (from.kind == StartAt::Kind::kTimestamp) co_return end;
  ClientResult<std::optional<Offset>> earliest =
      co_await admin->list_offset(topic, partition, client::kEarliestTimestamp);
  if (!earliest) co_return earliest.error();
  const Offset begin = earliest->value_or(Offset(0));
  co_return std::clamp(Offset(from.value), begin, end);
}

Task<int> consume(client::Connection* connection, ConsumeArgs args) {
  client::Admin admin(connection);
  ClientResult<client::TopicInfo> topic = co_await admin.describe_topic(args.topic);
  if (!topic) co_return report(args, topic.error());
  const auto partitions = static_cast<int32_t>(topic->partitions.size());
  if (args.partition && *args.partition >= partitions) {
    print_error(fmt::format("topic '{}' has {} partition(s); there is no partition {}", args.topic,
                            partitions, *args.partition));
    co_return kExitUsage;
  }
  client::ConsumerOptions options;
  if (args.idle_timeout) options.max_wait_ms = std::min(options.max_wait_ms, *args.idle_timeout);
  client::Consumer consumer(connection, args.topic, options);
  for (int32_t p = 0; p < partitions; ++p) {
    if (args.partition && p != *args.partition) continue;
    ClientResult<Offset> start = co_await start_offset(&admin, args.topic, p, args.from);
    if (!start) co_return report(args, start.error());
    consumer.assign(p, *start);
  }
  int64_t printed = 0;
  auto idle_since = reactor::Clock::now();
  while (!args.count || printed < *args.count) {
    ClientResult<std::vector<client::Record>> records = co_await consumer.poll();
    if (!records) co_return report(args, records.error());
    for (const client::Record& record : *records) {
      if (args.count && printed == *args.count) break;
      const std::string line = format_record(args.format, args.topic, record);
      std::fwrite(line.data(), 1, line.size(), stdout);
      ++printed;
    }
    std::fflush(stdout);
    if (!records->empty()) idle_since = reactor::Clock::now();
    if (args.exit_at_end && consumer.at_end()) break;
    if (args.idle_timeout && reactor::Clock::now() - idle_since >= *args.idle_timeout) {
      if (args.count) {
        fmt::print(stderr, "ringlog: {} of {} record(s) before the {} ms timeout\n", printed,
                   *args.count, args.idle_timeout->count());
      }
      break;
    }
  }
  co_return kExitOk;
}

}  // namespace

std::string format_record(std::string_view format, std::string_view topic,
                          const client::Record& record) {
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if ((c != '%' && c != '\\') || i + 1 == format.size()) {
      out += c;
      continue;
    }
    const char next = format[++i];
    if (c == '\\') {
      out += next == 'n' ? '\n' : next == 't' ? '\t' : next;
      continue;
    }
    switch (next) {
      case 't':
        out += topic;
        break;
      case 'p':
        out += std::to_string(record.partition);
        break;
      case 'o':
        out += std::to_string(record.offset.value());
        break;
      case 'k':
        out += record.key.value_or("");
        break;
      case 's':
      case 'v':
        out += record.value.value_or("");
        break;
      case 'T':
        out += std::to_string(record.timestamp.value());
        break;
      case 'K':
        out += std::to_string(record.key ? static_cast<int64_t>(record.key->size()) : -1);
        break;
      case 'S':
        out += std::to_string(record.value ? static_cast<int64_t>(record.value->size()) : -1);
        break;
      case 'h':
        for (size_t h = 0; h < record.headers.size(); ++h) {
          if (h > 0) out += ',';
          out += record.headers[h].key;
          out += '=';
          out += record.headers[h].value.value_or("");
        }
        break;
      case '%':
        out += '%';
        break;
      default:
        out += '%';
        out += next;
    }
  }
  if (out.empty() || out.back() != '\n') out += '\n';
  return out;
}

int consume_main(std::vector<std::string> args) {
  CLI::App app{"Print records of a topic.", "ringlog consume"};
  std::string bootstrap = kBootstrapDefault;
  add_bootstrap_option(app, &bootstrap);
  ConsumeArgs consume_args;
  std::string from = "earliest";
  int32_t partition = -1;
  int64_t count = -1;
  int64_t timeout_ms = -1;
  app.add_option("topic", consume_args.topic, "Topic to read")->required();
  app.add_option("-o,--from", from,
                 "earliest, latest, an OFFSET (clamped to what the partition holds) or "
                 "@TIMESTAMP_MS (first record at or after it)")
      ->default_str("earliest");
  app.add_option("-p,--partition", partition, "Read only this partition (default: all)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("-c,--count", count, "Stop after N records")->check(CLI::PositiveNumber);
  app.add_option("-f,--format", consume_args.format,
                 "Per-record format: %t topic, %p partition, %o offset, %k key, %s or %v value, "
                 "%T timestamp ms, %h headers, %K/%S key/value bytes; \\n \\t escapes; a "
                 "newline is added unless the format ends with one")
      ->default_str("%s");
  app.add_option("--timeout-ms", timeout_ms,
                 "Stop after this long without a new record (default: wait for ever)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("-e,--end", consume_args.exit_at_end,
               "Stop once every partition read is at its end");
  if (std::optional<int> rc = parse_args(app, std::move(args))) return *rc;

  std::optional<StartAt> start = parse_from(from);
  if (!start) {
    print_error(
        fmt::format("--from '{}': expected earliest, latest, OFFSET or @TIMESTAMP_MS", from));
    return kExitUsage;
  }
  consume_args.from = *start;
  if (partition >= 0) consume_args.partition = partition;
  if (count > 0) consume_args.count = count;
  if (timeout_ms >= 0) consume_args.idle_timeout = std::chrono::milliseconds(timeout_ms);
  auto body = [consume_args](client::Connection* c) { return consume(c, consume_args); };
  return run_with_connection(bootstrap, body);
}

}  // namespace ringlog::apps
