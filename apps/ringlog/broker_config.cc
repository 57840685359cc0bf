#include "apps/ringlog/broker_config.h"

#include <fmt/format.h>

#include <charconv>
#include <functional>
#include <map>
#include <string_view>

namespace ringlog::apps {
namespace {

int64_t parse_int(std::string_view key, std::string_view value, int64_t min, int64_t max) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || ptr != value.data() + value.size()) {
    throw ConfigError(fmt::format("{}: '{}' is not an integer", key, value));
  }
  if (v < min || v > max) {
    throw ConfigError(fmt::format("{}: {} is outside [{}, {}]", key, v, min, max));
  }
  return v;
}

bool parse_bool(std::string_view key, std::string_view value) {
  if (value == "true") return true;
  if (value == "false") return false;
  throw ConfigError(fmt::format("{}: '{}' is not true or false", key, value));
}

using Setter = std::function<void(BrokerConfig&, std::string_view key, const std::string& value)>;

Setter int32_setter(int32_t BrokerConfig::*field, int64_t min, int64_t max = INT32_MAX) {
  return [=](BrokerConfig& c, std::string_view key, const std::string& v) {
    c.*field = static_cast<int32_t>(parse_int(key, v, min, max));
  };
}
Setter int64_setter(int64_t BrokerConfig::*field, int64_t min, int64_t scale = 1) {
  return [=](BrokerConfig& c, std::string_view key, const std::string& v) {
    c.*field = parse_int(key, v, min, INT64_MAX / scale) * scale;
  };
}

const std::map<std::string_view, Setter>& setters() {
  static const std::map<std::string_view, Setter> table = {
      {"node.id", int32_setter(&BrokerConfig::node_id, 0)},
      {"broker.id", int32_setter(&BrokerConfig::node_id, 0)},
      {"listeners",
       [](BrokerConfig& c, std::string_view, const std::string& v) {
         c.listeners = parse_listeners(v);
       }},
      {"advertised.listeners",
       [](BrokerConfig& c, std::string_view, const std::string& v) {
         c.advertised_listeners = parse_listeners(v);
       }},
      {"log.dirs",
       [](BrokerConfig& c, std::string_view key, const std::string& v) {
         if (v.empty() || v.find(',') != std::string::npos) {
           throw ConfigError(fmt::format("{}: give exactly one directory", key));
         }
         c.log_dir = v;
       }},
      {"log.dir", [](BrokerConfig& c, std::string_view, const std::string& v) { c.log_dir = v; }},
      {"num.partitions", int32_setter(&BrokerConfig::num_partitions, 1)},
      {"auto.create.topics.enable",
       [](BrokerConfig& c, std::string_view key, const std::string& v) {
         c.auto_create_topics_enable = parse_bool(key, v);
       }},
      {"log.retention.ms", int64_setter(&BrokerConfig::log_retention_ms, -1)},
      {"log.retention.minutes", int64_setter(&BrokerConfig::log_retention_ms, -1, 60'000)},
      {"log.retention.hours", int64_setter(&BrokerConfig::log_retention_ms, -1, 3'600'000)},
      {"log.retention.bytes", int64_setter(&BrokerConfig::log_retention_bytes, -1)},
      {"log.segment.bytes", int64_setter(&BrokerConfig::log_segment_bytes, 14)},
      {"log.roll.ms", int64_setter(&BrokerConfig::log_roll_ms, 1)},
      {"log.roll.hours", int64_setter(&BrokerConfig::log_roll_ms, 1, 3'600'000)},
      {"log.flush.interval.messages", int64_setter(&BrokerConfig::log_flush_interval_messages, 1)},
      {"log.flush.interval.ms", int64_setter(&BrokerConfig::log_flush_interval_ms, 0)},
      {"log.direct.writes",
       [](BrokerConfig& c, std::string_view key, const std::string& v) {
         c.log_direct_writes = parse_bool(key, v);
       }},
      {"log.sealed.sync.delay.ms", int64_setter(&BrokerConfig::log_sealed_sync_delay_ms, 0)},
      {"log.retention.check.interval.ms",
       int64_setter(&BrokerConfig::log_retention_check_interval_ms, 1)},
      {"log.cleanup.policy",
       [](BrokerConfig& c, std::string_view key, const std::string& v) {
         if (v != "delete" && v != "compact" && v != "compact,delete" && v != "delete,compact") {
           throw ConfigError(fmt::format("{}: '{}' is not delete or compact", key, v));
         }
         c.log_cleanup_policy = v;
       }},
      {"message.max.bytes", int32_setter(&BrokerConfig::message_max_bytes, 0)},
      {"socket.request.max.bytes", int32_setter(&BrokerConfig::socket_request_max_bytes, 1)},
      {"offsets.topic.num.partitions", int32_setter(&BrokerConfig::offsets_topic_num_partitions, 1)},
      {"offsets.topic.segment.bytes", int64_setter(&BrokerConfig::offsets_topic_segment_bytes, 14)},
      {"offsets.retention.minutes", int64_setter(&BrokerConfig::offsets_retention_minutes, 1)},
      {"offsets.retention.check.interval.ms",
       int64_setter(&BrokerConfig::offsets_retention_check_interval_ms, 1)},
      {"offset.metadata.max.bytes", int32_setter(&BrokerConfig::offset_metadata_max_bytes, 0)},
      {"group.min.session.timeout.ms",
       int32_setter(&BrokerConfig::group_min_session_timeout_ms, 0)},
      {"group.max.session.timeout.ms",
       int32_setter(&BrokerConfig::group_max_session_timeout_ms, 0)},
      {"group.initial.rebalance.delay.ms",
       int32_setter(&BrokerConfig::group_initial_rebalance_delay_ms, 0)},
  };
  return table;
}

}  // namespace

std::vector<Listener> parse_listeners(const std::string& text) {
  std::vector<Listener> out;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    size_t scheme = item.find("://");
    size_t colon = item.rfind(':');
    if (scheme == std::string_view::npos || colon == std::string_view::npos || colon < scheme + 3) {
      throw ConfigError(fmt::format("listeners: '{}' is not NAME://host:port", item));
    }
    Listener l;
    l.name = std::string(item.substr(0, scheme));
    l.host = std::string(item.substr(scheme + 3, colon - scheme - 3));
    if (l.host.empty() || l.host == "localhost") l.host = "127.0.0.1";
    l.port = static_cast<uint16_t>(parse_int("listeners port", item.substr(colon + 1), 0, 65535));
    out.push_back(std::move(l));
  }
  if (out.empty()) throw ConfigError("listeners: none given");
  return out;
}

std::vector<std::string> apply_properties(BrokerConfig& config, const Properties& props) {
  std::vector<std::string> unknown;
  for (const auto& [key, value] : props) {
    auto it = setters().find(key);
    if (it == setters().end()) {
      unknown.push_back(key);
      continue;
    }
    it->second(config, key, value);
  }
  return unknown;
}

}  // namespace ringlog::apps
