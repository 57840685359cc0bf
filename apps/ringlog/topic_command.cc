#include "apps/ringlog/topic_command.h"

#include <fmt/format.h>

#include <array>

#include "apps/ringlog/client_command.h"
#include "client/admin.h"

namespace ringlog::apps {

namespace {

using client::Admin;
using client::ClientResult;
using reactor::Task;

// Kafka prints topic ids in URL-safe base64 without padding (22 characters).
std::string uuid_to_string(const kafka::Uuid& id) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (std::byte b : id.bytes) {
    bits = (bits << 8) | static_cast<uint8_t>(b);
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += kAlphabet[(bits >> count) & 0x3f];
    }
  }
  if (count > 0) out += kAlphabet[(bits << (6 - count)) & 0x3f];
  return out;
}

std::string join(const std::vector<int32_t>& ids) { return fmt::format("{}", fmt::join(ids, ",")); }

// Turns the errors a user can cause into sentences; the rest are printed as they are.
int report(const std::string& topic, const char* doing, const client::ClientError& error) {
  if (error.is(kafka::ErrorCode::kUnknownTopicOrPartition)) {
    print_error(fmt::format("topic '{}' does not exist", topic));
  } else if (error.is(kafka::ErrorCode::kTopicAlreadyExists)) {
    print_error(fmt::format("topic '{}' already exists", topic));
  } else if (error.is(kafka::ErrorCode::kInvalidConfig)) {
    print_error(fmt::format("{} '{}': invalid config name or value ({})", doing, topic,
                            client::to_string(error)));
  } else {
    print_error(fmt::format("{} '{}'", doing, topic), error);
  }
  return kExitFailure;
}

Task<int> create(client::Connection* connection, client::NewTopic topic) {
  Admin admin(connection);
  const std::string name = topic.name;
  ClientResult<void> created = co_await admin.create_topic(std::move(topic));
  if (!created) co_return report(name, "cannot create topic", created.error());
  fmt::print("Created topic {}.\n", name);
  co_return kExitOk;
}

Task<int> list(client::Connection* connection) {
  Admin admin(connection);
  ClientResult<std::vector<std::string>> names = co_await admin.list_topics();
  if (!names) {
    print_error("cannot list topics", names.error());
    co_return kExitFailure;
  }
  for (const std::string& name : *names) fmt::print("{}\n", name);
  co_return kExitOk;
}

Task<int> describe(client::Connection* connection, std::string name) {
  Admin admin(connection);
  ClientResult<client::TopicInfo> topic = co_await admin.describe_topic(name);
  if (!topic) co_return report(name, "cannot describe topic", topic.error());
  ClientResult<std::vector<client::ConfigEntry>> configs = co_await admin.describe_configs(name);
  if (!configs) co_return report(name, "cannot read the configs of topic", configs.error());
  std::vector<std::string> overrides;
  for (const client::ConfigEntry& c : *configs) {
    if (c.is_default) continue;
    overrides.push_back(
        fmt::format("{}={}", c.name, c.is_sensitive ? "(sensitive)" : c.value.value_or("")));
  }
  const size_t replication = topic->partitions.empty() ? 0 : topic->partitions[0].replicas.size();
  fmt::print("Topic: {}\tTopicId: {}\tPartitionCount: {}\tReplicationFactor: {}\tConfigs: {}\n",
             topic->name, uuid_to_string(topic->id), topic->partitions.size(), replication,
             fmt::join(overrides, ","));
  for (const client::PartitionInfo& p : topic->partitions) {
    fmt::print("\tTopic: {}\tPartition: {}\tLeader: {}\tReplicas: {}\tIsr: {}{}\n", topic->name,
               p.partition, p.leader, join(p.replicas), join(p.isr),
               p.error == kafka::ErrorCode::kNone
                   ? std::string()
                   : fmt::format("\tError: {}", kafka::to_string(p.error)));
  }
  co_return kExitOk;
}

Task<int> remove(client::Connection* connection, std::string name) {
  Admin admin(connection);
  ClientResult<void> deleted = co_await admin.delete_topic(name);
  if (!deleted) co_return report(name, "cannot delete topic", deleted.error());
  fmt::print("Deleted topic {}.\n", name);
  co_return kExitOk;
}

Task<int> alter(client::Connection* connection, std::string name,
                std::vector<client::ConfigChange> changes) {
  Admin admin(connection);
  ClientResult<void> altered = co_await admin.alter_configs(name, std::move(changes));
  if (!altered) co_return report(name, "cannot alter the configs of topic", altered.error());
  fmt::print("Altered the configs of topic {}.\n", name);
  co_return kExitOk;
}

}  // namespace

int topic_main(std::vector<std::string> args) {
  CLI::App app{"Create, list, describe, delete topics and change their configs.", "ringlog topic"};
  std::string bootstrap = kBootstrapDefault;
  add_bootstrap_option(app, &bootstrap);
  app.require_subcommand(1);
  app.fallthrough();  // --bootstrap-server may also follow the subcommand

  std::string name;
  int32_t partitions = -1;
  std::vector<std::string> configs;
  CLI::App* create_cmd = app.add_subcommand("create", "Create a topic (replication factor 1)");
  create_cmd->add_option("name", name, "Topic name")->required();
  create_cmd
      ->add_option("-p,--partitions", partitions,
                   "Number of partitions (default: the broker's num.partitions)")
      ->check(CLI::PositiveNumber);
  create_cmd->add_option("-c,--config", configs, "Topic config override NAME=VALUE (repeatable)");

  CLI::App* list_cmd = app.add_subcommand("list", "List topic names");

  CLI::App* describe_cmd = app.add_subcommand("describe", "Partitions and config overrides");
  describe_cmd->add_option("name", name, "Topic name")->required();

  CLI::App* delete_cmd = app.add_subcommand("delete", "Delete a topic and its records");
  delete_cmd->add_option("name", name, "Topic name")->required();

  std::vector<std::string> sets;
  std::vector<std::string> deletes;
  CLI::App* alter_cmd =
      app.add_subcommand("alter-config", "Set configs, or return them to their defaults");
  alter_cmd->add_option("name", name, "Topic name")->required();
  alter_cmd->add_option("--set", sets, "NAME=VALUE to set (repeatable)");
  alter_cmd->add_option("--delete", deletes, "NAME to return to its default (repeatable)");

  if (std::optional<int> rc = parse_args(app, std::move(args))) return *rc;

  if (create_cmd->parsed()) {
    client::NewTopic topic{.name = name, .partitions = partitions};
    for (const std::string& c : configs) {
      std::string key;
      std::string value;
      if (!split_key_value(c, &key, &value)) {
        print_error(fmt::format("--config '{}': expected NAME=VALUE", c));
        return kExitUsage;
      }
      topic.configs.emplace_back(key, value);
    }
    auto body = [topic](client::Connection* c) { return create(c, topic); };
    return run_with_connection(bootstrap, body);
  }
  if (list_cmd->parsed()) {
    return run_with_connection(bootstrap, [](client::Connection* c) { return list(c); });
  }
  if (describe_cmd->parsed()) {
    auto body = [name](client::Connection* c) { return describe(c, name); };
    return run_with_connection(bootstrap, body);
  }
  if (delete_cmd->parsed()) {
    auto body = [name](client::Connection* c) { return remove(c, name); };
    return run_with_connection(bootstrap, body);
  }
  RL_ASSERT(alter_cmd->parsed());
  std::vector<client::ConfigChange> changes;
  for (const std::string& s : sets) {
    std::string key;
    std::string value;
    if (!split_key_value(s, &key, &value)) {
      print_error(fmt::format("--set '{}': expected NAME=VALUE", s));
      return kExitUsage;
    }
    changes.push_back({.name = key, .op = client::ConfigOp::kSet, .value = value});
  }
  for (const std::string& d : deletes) {
    changes.push_back({.name = d, .op = client::ConfigOp::kDelete, .value = std::nullopt});
  }
  if (changes.empty()) {
    print_error("alter-config needs at least one --set NAME=VALUE or --delete NAME");
    return kExitUsage;
  }
  auto body = [name, changes](client::Connection* c) { return alter(c, name, changes); };
  return run_with_connection(bootstrap, body);
}

}  // namespace ringlog::apps
