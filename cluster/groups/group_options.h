#pragma once
// The group coordinator's settings, named after Kafka's broker configs.

#include <chrono>
#include <cstdint>

namespace ringlog::cluster::groups {

// The internal topic holding committed offsets.
inline constexpr const char* kOffsetsTopic = "__consumer_offsets";

struct GroupOptions {
  int32_t offsets_topic_partitions = 50;            // offsets.topic.num.partitions
  int64_t offsets_topic_segment_bytes = 100 << 20;  // offsets.topic.segment.bytes
  std::chrono::milliseconds offsets_retention{7LL * 24 * 3600 * 1000};  // offsets.retention.minutes
  std::chrono::milliseconds offsets_retention_check{
      600'000};                                             // offsets.retention.check.interval.ms
  int32_t offset_metadata_max_bytes = 4096;                 // offset.metadata.max.bytes
  int32_t min_session_timeout_ms = 6000;                    // group.min.session.timeout.ms
  int32_t max_session_timeout_ms = 1'800'000;               // group.max.session.timeout.ms
  std::chrono::milliseconds initial_rebalance_delay{3000};  // group.initial.rebalance.delay.ms
  // How often session, rebalance and pending-member deadlines are checked. Joins and syncs
  // complete as soon as their last member arrives; only expiries wait for this tick.
  std::chrono::milliseconds expiry_check{100};
};

// Group ids longer than this are refused with INVALID_GROUP_ID: they end up in every offset
// record's key, and Kafka's own tools never make them this long.
inline constexpr size_t kGroupIdMaxBytes = 1024;

}  // namespace ringlog::cluster::groups
