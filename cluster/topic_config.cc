#include "cluster/topic_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "engine/storage/record_compression.h"

namespace ringlog::cluster {
namespace {

enum class Kind : uint8_t { kLong, kInt, kCleanupPolicy, kTimestampType, kCompression };

struct Known {
  std::string_view name;
  Kind kind;
  int64_t min;
};

// The topic configs ringlog understands. Others are refused (INVALID_CONFIG) rather than
// silently ignored, so a user never believes a setting took effect when it did not.
constexpr Known kKnown[] = {
    {"cleanup.policy", Kind::kCleanupPolicy, 0},
    {"compression.type", Kind::kCompression, 0},
    {"flush.messages", Kind::kLong, 1},
    {"flush.ms", Kind::kLong, 0},
    {"max.message.bytes", Kind::kInt, 0},
    {"message.timestamp.type", Kind::kTimestampType, 0},
    {"retention.bytes", Kind::kLong, -1},
    {"retention.ms", Kind::kLong, -1},
    {"segment.bytes", Kind::kInt, 14},
    {"segment.ms", Kind::kLong, 1},
};

const Known* find_known(std::string_view name) {
  for (const Known& k : kKnown) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::optional<int64_t> parse_long(std::string_view v) {
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size()) return std::nullopt;
  return out;
}

int64_t long_or(const ConfigMap& overrides, std::string_view name, int64_t fallback) {
  auto it = overrides.find(name);
  if (it == overrides.end()) return fallback;
  return parse_long(it->second).value_or(fallback);
}

}  // namespace

bool TopicConfig::is_known(std::string_view name) { return find_known(name) != nullptr; }

std::optional<std::string> TopicConfig::validate(const ConfigMap& overrides) {
  for (const auto& [name, value] : overrides) {
    const Known* k = find_known(name);
    if (k == nullptr) return fmt::format("unknown or unsupported topic config '{}'", name);
    switch (k->kind) {
      case Kind::kLong:
      case Kind::kInt: {
        auto v = parse_long(value);
        int64_t max = k->kind == Kind::kInt ? INT32_MAX : INT64_MAX;
        if (!v || *v < k->min || *v > max) {
          return fmt::format("invalid value '{}' for {}: an integer in [{}, {}]", value, name,
                             k->min, max);
        }
        break;
      }
      case Kind::kCleanupPolicy:
        if (value != "delete" && value != "compact" && value != "compact,delete" &&
            value != "delete,compact") {
          return fmt::format("invalid value '{}' for cleanup.policy: delete or compact", value);
        }
        break;
      case Kind::kTimestampType:
        if (value != "CreateTime" && value != "LogAppendTime") {
          return fmt::format("invalid value '{}' for message.timestamp.type", value);
        }
        break;
      case Kind::kCompression:
        // A topic says "uncompressed" where a producer says "none", or keeps the producer's.
        if (const auto codec = storage::compression_from_name(value);
            value != "producer" && value != "uncompressed" &&
            !(codec && *codec != storage::Compression::kNone)) {
          return fmt::format("invalid value '{}' for compression.type", value);
        }
        break;
    }
  }
  return std::nullopt;
}

TopicConfig::TopicConfig(const TopicDefaults& defaults, const ConfigMap& overrides)
    : defaults_(defaults),
      overrides_(overrides),
      retention_ms_(long_or(overrides, "retention.ms", defaults.retention_ms)),
      retention_bytes_(long_or(overrides, "retention.bytes", defaults.retention_bytes)),
      segment_bytes_(long_or(overrides, "segment.bytes", defaults.segment_bytes)),
      segment_ms_(long_or(overrides, "segment.ms", defaults.segment_ms)),
      flush_messages_(long_or(overrides, "flush.messages", defaults.flush_messages)),
      flush_ms_(long_or(overrides, "flush.ms", defaults.flush_ms)),
      max_message_bytes_(static_cast<int32_t>(
          long_or(overrides, "max.message.bytes", defaults.max_message_bytes))) {
  auto it = overrides.find("cleanup.policy");
  cleanup_policy_ = it != overrides.end() ? it->second : defaults.cleanup_policy;
}

storage::LogOptions TopicConfig::log_options() const {
  storage::LogOptions o;
  o.segment_bytes = static_cast<uint64_t>(segment_bytes_);
  o.segment_ms = segment_ms_;
  o.retention_ms = retention_ms_;
  o.retention_bytes = retention_bytes_;
  o.batch_bytes_max = static_cast<uint32_t>(std::max(max_message_bytes_, 0));
  o.direct_writes = defaults_.direct_writes;
  o.sealed_sync_delay_ms = static_cast<uint32_t>(
      std::clamp<int64_t>(defaults_.sealed_sync_delay_ms, 0, std::numeric_limits<uint32_t>::max()));
  // Kafka's flush.messages=1 means "sync every message": with batches as the unit of writing,
  // that is a sync linked to every write.
  if (flush_messages_ == 1) {
    o.flush = storage::FlushPolicy::every_append();
  } else if (flush_messages_ != INT64_MAX) {
    o.flush = storage::FlushPolicy::every_messages(static_cast<uint64_t>(flush_messages_));
  } else if (flush_ms_ != INT64_MAX) {
    o.flush = storage::FlushPolicy::interval(static_cast<uint32_t>(
        std::min<int64_t>(flush_ms_, UINT32_MAX)));
  }
  return o;
}

std::vector<ConfigEntry> TopicConfig::entries() const {
  auto entry = [this](std::string_view name, std::string effective) {
    auto it = overrides_.find(name);
    return ConfigEntry{.name = std::string(name),
                       .value = it != overrides_.end() ? it->second : std::move(effective),
                       .is_default = it == overrides_.end()};
  };
  return {
      entry("cleanup.policy", defaults_.cleanup_policy),
      entry("compression.type", defaults_.compression_type),
      entry("flush.messages", std::to_string(defaults_.flush_messages)),
      entry("flush.ms", std::to_string(defaults_.flush_ms)),
      entry("max.message.bytes", std::to_string(defaults_.max_message_bytes)),
      entry("message.timestamp.type", defaults_.message_timestamp_type),
      entry("retention.bytes", std::to_string(defaults_.retention_bytes)),
      entry("retention.ms", std::to_string(defaults_.retention_ms)),
      entry("segment.bytes", std::to_string(defaults_.segment_bytes)),
      entry("segment.ms", std::to_string(defaults_.segment_ms)),
  };
}

}  // namespace ringlog::cluster
