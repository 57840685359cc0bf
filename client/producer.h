#pragma once
// Producer: sends records to one topic's partitions over one Connection and waits for the acks.
// Each send() is one Produce request holding one v2 batch per partition it touches, compressed
// with ProducerOptions::compression.
// Partitions are chosen as the Java client does: an explicit partition wins; a keyed record goes
// to toPositive(murmur2(key)) % partitions; records without a key all go to one partition per
// send() (sticky), moving round-robin to the next partition for the next send().
//
// Not here yet (DESIGN.md's full producer): linger and batching across calls, retries, idempotence,
// routing to partition leaders on other brokers.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/client_error.h"
#include "client/connection.h"
#include "client/records.h"
#include "engine/base/types.h"
#include "engine/reactor/task.h"

namespace ringlog::client {

enum class Acks : int16_t { kNone = 0, kLeader = 1, kAll = -1 };

struct ProducerOptions {
  Acks acks = Acks::kAll;
  // compression.type: each partition's batch is compressed with it (when that makes it smaller).
  storage::Compression compression = storage::Compression::kNone;
  // The broker's wait for the acks (the Produce request's timeout).
  std::chrono::milliseconds ack_timeout_ms{30'000};
};

struct OutgoingRecord {
  ProducerRecord record;
  std::optional<int32_t> partition;  // nullopt: choose by key (or sticky without one)
};

// Where a partition's batch went: its first offset (-1 with acks=0, the broker says nothing).
struct PartitionAck {
  int32_t partition = 0;
  Offset base_offset{-1};
  int32_t records = 0;
};

class Producer {
 public:
  Producer(Connection* connection, ProducerOptions options)
      : connection_(connection), options_(options) {}

  // The topic's partition count (Metadata, cached per topic; the topic must exist).
  reactor::Task<ClientResult<int32_t>> partition_count(std::string topic);

  // Sends `records` to `topic` in one request; returns one ack per partition written, in
  // partition order. A partition error fails the whole call (with the first error found).
  reactor::Task<ClientResult<std::vector<PartitionAck>>> send(std::string topic,
                                                              std::vector<OutgoingRecord> records);

 private:
  Connection* connection_;
  ProducerOptions options_;
  std::map<std::string, int32_t> partition_counts_;
  uint32_t sticky_next_ = 0;
};

}  // namespace ringlog::client
