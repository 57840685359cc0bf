// The `ringlog` binary. Subcommands:
//   ringlog broker [--config FILE] [--smp N] [--<kafka.config.name> VALUE]...
//   ringlog topic create|list|describe|delete|alter-config ...   (topic_command.cc)
//   ringlog produce TOPIC [--key-separator SEP] [--partition P] [--acks A]   (produce_command.cc)
//   ringlog consume TOPIC [--from earliest|latest|OFFSET|@TS] [--count N] [--format F] ...
//   ringlog group list|describe|delete|reset-offsets ...   (group_command.cc)
// Broker settings use Kafka's names (listeners, log.dirs, num.partitions, ...), given in a
// properties file, as flags, or both (flags win).
#include <fmt/format.h>

#include <cstring>
#include <string>
#include <vector>

#include "apps/ringlog/broker_command.h"
#include "apps/ringlog/broker_config.h"
#include "apps/ringlog/consume_command.h"
#include "apps/ringlog/group_command.h"
#include "apps/ringlog/produce_command.h"
#include "apps/ringlog/properties.h"
#include "apps/ringlog/topic_command.h"

namespace {

constexpr const char* kUsage =
    "usage: ringlog broker [--config FILE.properties] [--smp N] [--KAFKA.NAME VALUE]...\n"
    "  e.g. ringlog broker --listeners PLAINTEXT://127.0.0.1:9092 --log.dirs ./ringlog-data\n"
    "       ringlog topic create|list|describe|delete|alter-config ... (--help for each)\n"
    "       ringlog produce TOPIC [--key-separator SEP] [--partition P] [--acks 0|1|all]\n"
    "       ringlog consume TOPIC [--from earliest|latest|OFFSET|@TIMESTAMP_MS] [--partition P]\n"
    "                     [--count N] [--format FMT] [--timeout-ms MS] [--end]\n"
    "       ringlog group list | describe GROUP | delete GROUP... |\n"
    "                     reset-offsets GROUP --topic T (--to-earliest|--to-latest|...)\n";

int broker_main(const std::vector<std::string>& args) {
  using namespace ringlog::apps;
  BrokerConfig config;
  Properties flags;
  std::string config_file;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "-h" || arg == "--help") {
      fmt::print("{}", kUsage);
      return 0;
    }
    if (arg.rfind("--", 0) != 0) throw ConfigError(fmt::format("unexpected argument '{}'", arg));
    std::string name = arg.substr(2);
    std::string value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else {
      if (i + 1 >= args.size()) throw ConfigError(fmt::format("{} needs a value", arg));
      value = args[++i];
    }
    if (name == "config") {
      config_file = value;
    } else if (name == "smp") {
      flags["smp"] = value;
    } else {
      flags[name] = value;
    }
  }
  if (!config_file.empty()) {
    for (const std::string& key : apply_properties(config, load_properties_file(config_file))) {
      fmt::print(stderr, "ringlog: warning: {} is not a setting ringlog knows; ignored\n", key);
    }
  }
  if (auto smp = flags.find("smp"); smp != flags.end()) {
    config.smp = static_cast<uint32_t>(std::stoul(smp->second));
    flags.erase(smp);
  }
  for (const std::string& key : apply_properties(config, flags)) {
    throw ConfigError(fmt::format("unknown setting --{}", key));
  }
  return run_broker(config);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    fmt::print(stderr, "{}", kUsage);
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "broker") return broker_main(args);
    if (command == "topic") return ringlog::apps::topic_main(args);
    if (command == "produce") return ringlog::apps::produce_main(args);
    if (command == "consume") return ringlog::apps::consume_main(args);
    if (command == "group") return ringlog::apps::group_main(args);
    fmt::print(stderr, "ringlog: unknown command '{}'\n{}", command, kUsage);
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "ringlog: {}\n", e.what());
    return 2;
  }
}
