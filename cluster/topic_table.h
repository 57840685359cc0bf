#pragma once
// The topics this broker knows: name, id, partition count and config overrides. Shard 0 owns
// the authoritative table and persists it (metadata_store.h); every shard reads an immutable
// snapshot of it, replaced as a whole when the table changes, so nothing mutable is shared.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cluster/topic_config.h"
#include "net/kafka/primitives.h"

namespace ringlog::cluster {

struct TopicMetadata {
  std::string name;
  kafka::Uuid id;
  int32_t partitions = 0;
  ConfigMap overrides;
};

// Kafka's limits on topic names.
inline constexpr size_t kTopicNameBytesMax = 249;

// Why a name is not a legal topic name, or nullopt if it is: 1-249 characters of [a-zA-Z0-9._-],
// not "." or "..".
std::optional<std::string> invalid_topic_name(std::string_view name);

class TopicTable {
 public:
  using Map = std::map<std::string, TopicMetadata, std::less<>>;

  const TopicMetadata* find(std::string_view name) const;
  const TopicMetadata* find(const kafka::Uuid& id) const;
  const Map& topics() const { return topics_; }
  // Incremented on every change; lets shards tell snapshots apart.
  uint64_t version() const { return version_; }

  void upsert(TopicMetadata topic);
  bool erase(std::string_view name);

  // Serialized form for the metadata store; decode returns nullopt on any malformed input.
  std::vector<std::byte> encode() const;
  static std::optional<TopicTable> decode(std::span<const std::byte> bytes);

 private:
  Map topics_;
  uint64_t version_ = 0;
};

using TopicTableSnapshot = std::shared_ptr<const TopicTable>;

// A fresh random topic id (never the all-zero "none").
kafka::Uuid random_topic_id();

}  // namespace ringlog::cluster
