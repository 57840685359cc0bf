#include "cluster/topic_table.h"

#include <fmt/format.h>

#include <random>

#include "net/kafka/reader.h"
#include "net/kafka/writer.h"

namespace ringlog::cluster {
namespace {

// Format of the serialized table: a version byte, then the topics. Bump on any change.
constexpr int8_t kTableFormatVersion = 1;
constexpr auto kEnc = kafka::LengthEncoding::kCompact;

}  // namespace

std::optional<std::string> invalid_topic_name(std::string_view name) {
  if (name.empty()) return std::string("topic name is empty");
  if (name.size() > kTopicNameBytesMax) {
    return fmt::format("topic name is longer than {} characters", kTopicNameBytesMax);
  }
  if (name == "." || name == "..") return fmt::format("topic name cannot be '{}'", name);
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return std::string("topic name may hold only ASCII letters, digits, '.', '_', '-'");
  }
  return std::nullopt;
}

const TopicMetadata* TopicTable::find(std::string_view name) const {
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : &it->second;
}

const TopicMetadata* TopicTable::find(const kafka::Uuid& id) const {
  for (const auto& [name, topic] : topics_) {
    if (topic.id == id) return &topic;
  }
  return nullptr;
}

void TopicTable::upsert(TopicMetadata topic) {
  std::string name = topic.name;
  topics_.insert_or_assign(std::move(name), std::move(topic));
  ++version_;
}

bool TopicTable::erase(std::string_view name) {
  auto it = topics_.find(name);
  if (it == topics_.end()) return false;
  topics_.erase(it);
  ++version_;
  return true;
}

std::vector<std::byte> TopicTable::encode() const {
  kafka::Writer w;
  w.write_int8(kTableFormatVersion);
  w.write_int64(static_cast<int64_t>(version_));
  w.write_array_length(static_cast<int32_t>(topics_.size()), kEnc);
  for (const auto& [name, topic] : topics_) {
    w.write_string(topic.name, kEnc);
    w.write_uuid(topic.id);
    w.write_int32(topic.partitions);
    w.write_array_length(static_cast<int32_t>(topic.overrides.size()), kEnc);
    for (const auto& [key, value] : topic.overrides) {
      w.write_string(key, kEnc);
      w.write_string(value, kEnc);
    }
  }
  return std::move(w).take();
}

std::optional<TopicTable> TopicTable::decode(std::span<const std::byte> bytes) {
  kafka::Reader r(bytes);
  auto format = r.read_int8();
  if (!format || *format != kTableFormatVersion) return std::nullopt;
  auto version = r.read_int64();
  auto count = r.read_array_length(kEnc);
  if (!version || !count || *count < 0) return std::nullopt;
  TopicTable table;
  for (int32_t i = 0; i < *count; ++i) {
    TopicMetadata topic;
    auto name = r.read_string(kEnc);
    auto id = r.read_uuid();
    auto partitions = r.read_int32();
    auto configs = r.read_array_length(kEnc);
    if (!name || !id || !partitions || !configs || *configs < 0 || *partitions <= 0) {
      return std::nullopt;
    }
    topic.name = std::move(*name);
    topic.id = *id;
    topic.partitions = *partitions;
    for (int32_t c = 0; c < *configs; ++c) {
      auto key = r.read_string(kEnc);
      auto value = r.read_string(kEnc);
      if (!key || !value) return std::nullopt;
      topic.overrides.insert_or_assign(std::move(*key), std::move(*value));
    }
    table.topics_.insert_or_assign(topic.name, std::move(topic));
  }
  if (r.remaining() != 0) return std::nullopt;
  table.version_ = static_cast<uint64_t>(*version);
  return table;
}

kafka::Uuid random_topic_id() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  kafka::Uuid id;
  do {
    for (size_t i = 0; i < id.bytes.size(); i += 8) {
      uint64_t v = gen();
      for (size_t b = 0; b < 8; ++b) id.bytes[i + b] = std::byte(v >> (8 * b));
    }
  } while (id.is_zero());
  return id;
}

}  // namespace ringlog::cluster
