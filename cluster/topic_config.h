#pragma once
// Topic configuration with Kafka's names. A topic stores only its overrides; the effective value
// of every config is the override if there is one, else the broker's default (log.* settings).
// This is what DescribeConfigs reports and what each partition's Log is opened with.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/storage/log_options.h"

namespace ringlog::cluster {

using ConfigMap = std::map<std::string, std::string, std::less<>>;

// Broker-level defaults for topic configs (from server.properties' log.* names).
struct TopicDefaults {
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;
  int64_t retention_bytes = -1;
  int64_t segment_bytes = 1LL << 30;
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;
  int64_t flush_messages = INT64_MAX;  // INT64_MAX: never by count
  int64_t flush_ms = INT64_MAX;        // INT64_MAX: never by time
  int32_t max_message_bytes = 1048588;
  std::string cleanup_policy = "delete";
  std::string message_timestamp_type = "CreateTime";
  std::string compression_type = "producer";
  // log.direct.writes (ringlog's own, broker-wide): partition logs write with O_DIRECT where
  // they do not sync by message count (storage::LogOptions::direct_writes).
  bool direct_writes = false;
  // log.sealed.sync.delay.ms (ringlog's own, broker-wide): how long after its roll a segment of
  // a log without a flush policy is synced (storage::LogOptions::sealed_sync_delay_ms).
  int64_t sealed_sync_delay_ms = 30'000;
};

// One config as DescribeConfigs shows it.
struct ConfigEntry {
  std::string name;
  std::string value;
  bool is_default = true;  // no topic override
  bool read_only = false;
  bool sensitive = false;
};

class TopicConfig {
 public:
  // Checks overrides: known names, values of the right type and range. Returns a message naming
  // the bad config, or nullopt if all are fine.
  static std::optional<std::string> validate(const ConfigMap& overrides);

  TopicConfig(const TopicDefaults& defaults, const ConfigMap& overrides);

  int64_t retention_ms() const { return retention_ms_; }
  int64_t retention_bytes() const { return retention_bytes_; }
  int64_t segment_bytes() const { return segment_bytes_; }
  int32_t max_message_bytes() const { return max_message_bytes_; }
  bool compacted() const { return cleanup_policy_.find("compact") != std::string::npos; }

  // The options the partition logs of this topic are opened with.
  storage::LogOptions log_options() const;
  // Every supported config with its effective value, sorted by name.
  std::vector<ConfigEntry> entries() const;

  static bool is_known(std::string_view name);

 private:
  TopicDefaults defaults_;
  ConfigMap overrides_;
  int64_t retention_ms_;
  int64_t retention_bytes_;
  int64_t segment_bytes_;
  int64_t segment_ms_;
  int64_t flush_messages_;
  int64_t flush_ms_;
  int32_t max_message_bytes_;
  std::string cleanup_policy_;
};

}  // namespace ringlog::cluster
