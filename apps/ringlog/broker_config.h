#pragma once
// The broker's settings, named as Kafka names them (server.properties), with embedded defaults
// that make `ringlog broker` with no flags a working single-node broker on 127.0.0.1:9092.
// Values come from the defaults, then a --config properties file, then --set key=value flags.

#include <cstdint>
#include <string>
#include <vector>

#include "apps/ringlog/properties.h"

namespace ringlog::apps {

struct Listener {
  std::string name = "PLAINTEXT";
  std::string host = "127.0.0.1";
  uint16_t port = 9092;
};

struct BrokerConfig {
  int32_t node_id = 0;                       // node.id / broker.id
  std::vector<Listener> listeners = {Listener{}};
  std::vector<Listener> advertised_listeners;  // empty: same as listeners
  std::string log_dir = "./ringlog-data";    // log.dirs (one directory)
  uint32_t smp = 0;                          // --smp: shards, 0 = one per core

  // Topic defaults (a topic's own config overrides them).
  int32_t num_partitions = 1;
  bool auto_create_topics_enable = true;
  int64_t log_retention_ms = 7LL * 24 * 3600 * 1000;  // log.retention.{ms,minutes,hours}
  int64_t log_retention_bytes = -1;
  int64_t log_segment_bytes = 1LL << 30;
  int64_t log_roll_ms = 7LL * 24 * 3600 * 1000;       // log.roll.{ms,hours}
  int64_t log_flush_interval_messages = INT64_MAX;    // Kafka's default: leave it to the OS
  int64_t log_flush_interval_ms = -1;                 // -1: not set
  int64_t log_retention_check_interval_ms = 5 * 60 * 1000;
  std::string log_cleanup_policy = "delete";
  // log.direct.writes (ringlog's own): appends of 64 KiB or more written with O_DIRECT through
  // staging buffers. Off by default: here it made produce steady where fresh page-cache pages
  // fault in the host, but capped it at the disk's rate and left consumers reading from the
  // disk (perf/broker.md, session 5).
  bool log_direct_writes = false;
  // log.sealed.sync.delay.ms (ringlog's own): with no flush policy, a rolled segment is synced
  // this long after its roll, in the background, instead of inside the roll (where every append
  // waited for its writeback; perf/broker.md, session 6). Until then a crash makes recovery
  // scan it.
  int64_t log_sealed_sync_delay_ms = 30'000;

  // Request limits.
  int32_t message_max_bytes = 1048588;
  int32_t socket_request_max_bytes = 104857600;

  // Groups (consumer offsets).
  int32_t offsets_topic_num_partitions = 50;
  int64_t offsets_topic_segment_bytes = 100 << 20;
  int64_t offsets_retention_minutes = 7 * 24 * 60;
  int64_t offsets_retention_check_interval_ms = 600000;
  int32_t offset_metadata_max_bytes = 4096;
  int32_t group_min_session_timeout_ms = 6000;
  int32_t group_max_session_timeout_ms = 1800000;
  int32_t group_initial_rebalance_delay_ms = 3000;
};

// Applies properties on top of `config`. Unknown keys are returned (the caller warns about them:
// Kafka ignores settings it does not know, and so do we, loudly); bad values throw ConfigError.
std::vector<std::string> apply_properties(BrokerConfig& config, const Properties& props);

// Parses "NAME://host:port[,NAME://host:port...]".
std::vector<Listener> parse_listeners(const std::string& text);

}  // namespace ringlog::apps
