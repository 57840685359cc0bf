#include "apps/ringlog/group_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

#include "apps/ringlog/client_command.h"
#include "apps/ringlog/datetime.h"
#include "client/admin.h"
#include "client/group_admin.h"
#include "client/group_offsets.h"

namespace ringlog::apps {

namespace {

using client::ClientResult;
using client::GroupAdmin;
using kafka::ErrorCode;
using reactor::Task;

// DescribeGroups' state for a group the broker does not know.
constexpr std::string_view kDeadState = "Dead";

using Table = std::vector<std::vector<std::string>>;

// Rows as columns padded to their widest cell, two spaces apart (the last column unpadded).
void print_table(const Table& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += i + 1 == row.size() ? row[i] : fmt::format("{:<{}}  ", row[i], widths[i]);
    }
    fmt::print("{}\n", line);
  }
}

std::string or_dash(std::string_view text) { return text.empty() ? "-" : std::string(text); }

std::string offset_text(std::optional<Offset> offset) {
  return offset ? std::to_string(offset->value()) : "-";
}

// "orders:0,1;audit:2"
std::string assignment_text(const std::vector<client::TopicPartitions>& assignment) {
  std::vector<std::string> parts;
  for (const client::TopicPartitions& tp : assignment) {
    parts.push_back(fmt::format("{}:{}", tp.topic, fmt::join(tp.partitions, ",")));
  }
  return parts.empty() ? "-" : fmt::format("{}", fmt::join(parts, ";"));
}

// Turns the errors a user can cause into sentences; the rest are printed as they are.
int report(const std::string& group, std::string_view doing, const client::ClientError& error) {
  if (error.is(ErrorCode::kGroupIdNotFound)) {
    print_error(fmt::format("group '{}' does not exist ({})", group, client::to_string(error)));
  } else if (error.is(ErrorCode::kNonEmptyGroup)) {
    print_error(
        fmt::format("cannot {} group '{}': it has active members; stop its consumers "
                    "first ({})",
                    doing, group, client::to_string(error)));
  } else if (error.is(ErrorCode::kInvalidGroupId)) {
    print_error(fmt::format("'{}' is not a valid group id ({})", group, client::to_string(error)));
  } else if (error.is(ErrorCode::kCoordinatorNotAvailable) ||
             error.is(ErrorCode::kCoordinatorLoadInProgress)) {
    print_error(
        fmt::format("cannot {} group '{}': its coordinator is not ready yet, try again ({})", doing,
                    group, client::to_string(error)));
  } else {
    print_error(fmt::format("cannot {} group '{}'", doing, group), error);
  }
  return kExitFailure;
}

// ---- list ----

Task<int> list(client::Connection* connection) {
  GroupAdmin groups(connection);
  ClientResult<std::vector<client::GroupListing>> listed = co_await groups.list_groups();
  if (!listed) {
    print_error("cannot list groups", listed.error());
    co_return kExitFailure;
  }
  Table rows;
  for (const client::GroupListing& g : *listed) {
    rows.push_back({g.group_id, or_dash(g.state), or_dash(g.protocol_type)});
  }
  print_table(rows);
  co_return kExitOk;
}

// ---- describe ----

// One line of the partition table.
struct PartitionRow {
  std::optional<Offset> committed;
  std::string owner;  // the member assigned the partition, if any
};

Task<int> describe(client::Connection* connection, std::string group) {
  GroupAdmin groups(connection);
  client::Admin admin(connection);
  ClientResult<client::Coordinator> coordinator = co_await groups.find_coordinator(group);
  if (!coordinator) co_return report(group, "describe", coordinator.error());
  ClientResult<client::GroupDescription> described = co_await groups.describe_group(group);
  if (!described) co_return report(group, "describe", described.error());
  if (described->state == kDeadState) {
    print_error(fmt::format("group '{}' does not exist", group));
    co_return kExitFailure;
  }
  std::optional<std::vector<client::TopicPartitions>> every_topic;
  ClientResult<std::vector<client::CommittedOffset>> committed =
      co_await groups.fetch_offsets(group, std::move(every_topic));
  if (!committed) co_return report(group, "read the committed offsets of", committed.error());

  std::map<std::pair<std::string, int32_t>, PartitionRow> rows;
  for (const client::CommittedOffset& c : *committed) {
    rows[{c.topic, c.partition}].committed = c.offset;
  }
  for (const client::GroupMember& m : described->members) {
    for (const client::TopicPartitions& tp : m.assignment) {
      for (int32_t p : tp.partitions) rows[{tp.topic, p}].owner = m.member_id;
    }
  }
  std::vector<client::TopicPartition> partitions;
  for (const auto& [key, row] : rows)
    partitions.push_back({.topic = key.first, .partition = key.second});
  std::vector<client::ListedOffset> ends(partitions.size());
  if (!partitions.empty()) {
    ClientResult<std::vector<client::ListedOffset>> listed =
        co_await admin.list_offsets(partitions, client::kLatestTimestamp);
    if (!listed) co_return report(group, "read the log end offsets for", listed.error());
    ends = std::move(*listed);
  }

  const client::GroupDescription& g = *described;
  const std::string protocol = g.protocol.empty()
                                   ? or_dash(g.protocol_type)
                                   : fmt::format("{}/{}", g.protocol_type, g.protocol);
  fmt::print("Group: {}\tState: {}\tProtocol: {}\tMembers: {}\n\n", g.group_id, g.state, protocol,
             g.members.size());
  if (g.members.empty()) {
    fmt::print("No active members.\n");
  } else {
    Table members = {{"MEMBER-ID", "CLIENT-ID", "HOST", "PARTITIONS"}};
    for (const client::GroupMember& m : g.members) {
      members.push_back({m.member_id, or_dash(m.client_id), or_dash(m.client_host),
                         assignment_text(m.assignment)});
    }
    print_table(members);
  }
  fmt::print("\n");
  if (rows.empty()) {
    fmt::print("No committed offsets and no assigned partitions.\n");
    co_return kExitOk;
  }
  Table table = {{"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID"}};
  size_t i = 0;
  for (const auto& [key, row] : rows) {
    const client::ListedOffset& end = ends[i++];
    std::string lag = "-";
    if (end.offset) {
      const std::optional<int64_t> behind = client::consumer_lag(row.committed, *end.offset);
      if (behind) lag = std::to_string(*behind);
    }
    table.push_back({key.first, std::to_string(key.second), offset_text(row.committed),
                     end.error == ErrorCode::kNone ? offset_text(end.offset)
                                                   : std::string(kafka::to_string(end.error)),
                     lag, or_dash(row.owner)});
  }
  print_table(table);
  co_return kExitOk;
}

// ---- delete ----

Task<int> remove(client::Connection* connection, std::vector<std::string> group_ids) {
  GroupAdmin groups(connection);
  ClientResult<std::vector<client::GroupError>> results = co_await groups.delete_groups(group_ids);
  if (!results) {
    print_error("cannot delete groups", results.error());
    co_return kExitFailure;
  }
  int rc = kExitOk;
  for (const client::GroupError& r : *results) {
    if (r.error == ErrorCode::kNone) {
      fmt::print("Deleted group {}.\n", r.group_id);
      continue;
    }
    rc = report(r.group_id, "delete",
                client::ClientError::broker(static_cast<int16_t>(r.error), "DeleteGroups"));
  }
  co_return rc;
}

// ---- reset-offsets ----

struct ResetArgs {
  std::string group;
  std::string topic;
  std::vector<int32_t> partitions;  // empty: all
  client::ResetTarget target;
  bool dry_run = false;
};

// The offsets for `timestamp` of every partition in `partitions`; false after printing why not.
Task<std::optional<std::vector<client::ListedOffset>>> offsets_at(
    client::Admin* admin, std::string group, std::vector<client::TopicPartition> partitions,
    int64_t timestamp) {
  ClientResult<std::vector<client::ListedOffset>> listed =
      co_await admin->list_offsets(partitions, timestamp);
  if (!listed) {
    report(group, "read the partition offsets for", listed.error());
    co_return std::nullopt;
  }
  for (size_t i = 0; i < listed->size(); ++i) {
    const ErrorCode error = (*listed)[i].error;
    if (error == ErrorCode::kNone) continue;
    print_error(fmt::format("cannot read the offsets of {}:{}: {}", partitions[i].topic,
                            partitions[i].partition, kafka::to_string(error)));
    co_return std::nullopt;
  }
  co_return std::move(*listed);
}

Task<int> reset(client::Connection* connection, ResetArgs args) {
  GroupAdmin groups(connection);
  client::Admin admin(connection);
  const std::string& group = args.group;
  ClientResult<client::Coordinator> coordinator = co_await groups.find_coordinator(group);
  if (!coordinator) co_return report(group, "reset offsets of", coordinator.error());
  ClientResult<client::GroupDescription> described = co_await groups.describe_group(group);
  if (!described) co_return report(group, "reset offsets of", described.error());
  if (!described->members.empty()) {
    print_error(
        fmt::format("cannot reset offsets of group '{}': it has {} active member(s) "
                    "(state {}); stop its consumers first",
                    group, described->members.size(), described->state));
    co_return kExitFailure;
  }
  ClientResult<client::TopicInfo> topic = co_await admin.describe_topic(args.topic);
  if (!topic) {
    if (topic.error().is(ErrorCode::kUnknownTopicOrPartition)) {
      print_error(fmt::format("topic '{}' does not exist", args.topic));
    } else {
      print_error(fmt::format("cannot describe topic '{}'", args.topic), topic.error());
    }
    co_return kExitFailure;
  }
  const auto partition_count = static_cast<int32_t>(topic->partitions.size());
  std::vector<int32_t> chosen = args.partitions;
  if (chosen.empty()) {
    for (int32_t p = 0; p < partition_count; ++p) chosen.push_back(p);
  }
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  for (int32_t p : chosen) {
    if (p < partition_count) continue;
    print_error(fmt::format("topic '{}' has {} partition(s); there is no partition {}", args.topic,
                            partition_count, p));
    co_return kExitUsage;
  }

  std::optional<std::vector<client::TopicPartitions>> wanted;
  wanted.emplace().push_back({.topic = args.topic, .partitions = chosen});
  ClientResult<std::vector<client::CommittedOffset>> committed =
      co_await groups.fetch_offsets(group, std::move(wanted));
  if (!committed) co_return report(group, "read the committed offsets of", committed.error());
  std::vector<client::TopicPartition> partitions;
  for (int32_t p : chosen) partitions.push_back({.topic = args.topic, .partition = p});
  std::optional<std::vector<client::ListedOffset>> starts =
      co_await offsets_at(&admin, group, partitions, client::kEarliestTimestamp);
  if (!starts) co_return kExitFailure;
  std::optional<std::vector<client::ListedOffset>> ends =
      co_await offsets_at(&admin, group, partitions, client::kLatestTimestamp);
  if (!ends) co_return kExitFailure;
  std::optional<std::vector<client::ListedOffset>> at_timestamp;
  if (args.target.kind == client::ResetTarget::Kind::kTimestamp) {
    at_timestamp = co_await offsets_at(&admin, group, partitions, args.target.value);
    if (!at_timestamp) co_return kExitFailure;
  }

  std::vector<client::PlannedReset> plan;
  for (size_t i = 0; i < partitions.size(); ++i) {
    client::PartitionPosition position{.topic = args.topic, .partition = partitions[i].partition};
    for (const client::CommittedOffset& c : *committed) {
      if (c.topic == args.topic && c.partition == position.partition) position.committed = c.offset;
    }
    position.log_start = (*starts)[i].offset.value_or(Offset(0));
    position.log_end = std::max((*ends)[i].offset.value_or(position.log_start), position.log_start);
    if (at_timestamp) position.at_timestamp = (*at_timestamp)[i].offset;
    Result<client::PlannedReset, client::PlanError> planned =
        client::plan_reset(position, args.target);
    if (!planned) {
      print_error(
          fmt::format("cannot shift the offset of {}:{}: group '{}' has no committed "
                      "offset there to shift from",
                      args.topic, position.partition, group));
      co_return kExitFailure;
    }
    plan.push_back(std::move(*planned));
  }

  Table table = {{"TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"}};
  for (const client::PlannedReset& r : plan) {
    table.push_back({r.topic, std::to_string(r.partition), offset_text(r.current),
                     std::to_string(r.target.value())});
  }
  print_table(table);
  if (args.dry_run) {
    fmt::print("Dry run: nothing was committed.\n");
    co_return kExitOk;
  }

  std::vector<client::OffsetToCommit> offsets;
  for (const client::PlannedReset& r : plan) {
    offsets.push_back({.topic = r.topic, .partition = r.partition, .offset = r.target});
  }
  ClientResult<std::vector<client::PartitionError>> results =
      co_await groups.commit_offsets(group, std::move(offsets));
  if (!results) {
    const client::ClientError& e = results.error();
    if (e.is(ErrorCode::kUnknownMemberId) || e.is(ErrorCode::kRebalanceInProgress) ||
        e.is(ErrorCode::kIllegalGeneration)) {
      print_error(
          fmt::format("cannot reset offsets of group '{}': it has active members now; "
                      "nothing was changed ({})",
                      group, client::to_string(e)));
      co_return kExitFailure;
    }
    co_return report(group, "reset offsets of", e);
  }
  int rc = kExitOk;
  for (const client::PartitionError& r : *results) {
    if (r.error == ErrorCode::kNone) continue;
    print_error(fmt::format("cannot reset the offset of {}:{}: {}", r.topic, r.partition,
                            kafka::to_string(r.error)));
    rc = kExitFailure;
  }
  if (rc == kExitOk) {
    fmt::print("Reset the offsets of group {} for {} partition(s) of {}.\n", group, plan.size(),
               args.topic);
  }
  co_return rc;
}

}  // namespace

int group_main(std::vector<std::string> args) {
  CLI::App app{"List, describe and delete consumer groups and reset their committed offsets.",
               "ringlog group"};
  std::string bootstrap = kBootstrapDefault;
  add_bootstrap_option(app, &bootstrap);
  app.require_subcommand(1);
  app.fallthrough();  // --bootstrap-server may also follow the subcommand

  CLI::App* list_cmd = app.add_subcommand("list", "Groups with their state and protocol type");

  std::string group;
  CLI::App* describe_cmd = app.add_subcommand(
      "describe", "State, members and their partitions; committed offset, log end and lag");
  describe_cmd->add_option("group", group, "Group id")->required();

  std::vector<std::string> groups;
  CLI::App* delete_cmd =
      app.add_subcommand("delete", "Delete groups without members, and their committed offsets");
  delete_cmd->add_option("group", groups, "Group ids")->required();

  ResetArgs reset_args;
  bool to_earliest = false;
  bool to_latest = false;
  int64_t to_offset = 0;
  int64_t to_timestamp = 0;
  std::string to_datetime;
  int64_t shift_by = 0;
  CLI::App* reset_cmd =
      app.add_subcommand("reset-offsets", "Move the committed offsets of a group without members");
  reset_cmd->add_option("group", reset_args.group, "Group id")->required();
  reset_cmd->add_option("-t,--topic", reset_args.topic, "Topic whose offsets to reset")->required();
  reset_cmd
      ->add_option("-p,--partition", reset_args.partitions,
                   "Only this partition (repeatable; default: all)")
      ->check(CLI::NonNegativeNumber);
  CLI::Option* earliest_opt =
      reset_cmd->add_flag("--to-earliest", to_earliest, "To the first offset still in the log");
  CLI::Option* latest_opt =
      reset_cmd->add_flag("--to-latest", to_latest, "To the log end (skip everything)");
  CLI::Option* offset_opt =
      reset_cmd->add_option("--to-offset", to_offset, "To OFFSET (clamped to the log)")
          ->check(CLI::NonNegativeNumber);
  CLI::Option* timestamp_opt =
      reset_cmd
          ->add_option("--to-timestamp", to_timestamp,
                       "To the first record at or after MS since the epoch")
          ->check(CLI::NonNegativeNumber);
  CLI::Option* datetime_opt =
      reset_cmd->add_option("--to-datetime", to_datetime,
                            "To the first record at or after YYYY-MM-DDTHH:MM:SS[.sss] (UTC)");
  CLI::Option* shift_opt = reset_cmd->add_option(
      "--shift-by", shift_by, "Move the committed offset by N (negative: back), clamped");
  reset_cmd->add_flag("--dry-run", reset_args.dry_run, "Print the plan, commit nothing");

  if (std::optional<int> rc = parse_args(app, std::move(args))) return *rc;

  if (list_cmd->parsed()) {
    return run_with_connection(bootstrap, [](client::Connection* c) { return list(c); });
  }
  if (describe_cmd->parsed()) {
    auto body = [group](client::Connection* c) { return describe(c, group); };
    return run_with_connection(bootstrap, body);
  }
  if (delete_cmd->parsed()) {
    std::vector<std::string> unique;
    for (const std::string& g : groups) {
      if (std::find(unique.begin(), unique.end(), g) == unique.end()) unique.push_back(g);
    }
    auto body = [unique](client::Connection* c) { return remove(c, unique); };
    return run_with_connection(bootstrap, body);
  }
  RL_ASSERT(reset_cmd->parsed());
  const size_t targets = earliest_opt->count() + latest_opt->count() + offset_opt->count() +
                         timestamp_opt->count() + datetime_opt->count() + shift_opt->count();
  if (targets != 1) {
    print_error(
        "reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset N, "
        "--to-timestamp MS, --to-datetime DATETIME, --shift-by N");
    return kExitUsage;
  }
  using Kind = client::ResetTarget::Kind;
  client::ResetTarget& target = reset_args.target;
  if (to_earliest) {
    target = {.kind = Kind::kEarliest, .value = 0};
  } else if (to_latest) {
    target = {.kind = Kind::kLatest, .value = 0};
  } else if (offset_opt->count() > 0) {
    target = {.kind = Kind::kOffset, .value = to_offset};
  } else if (timestamp_opt->count() > 0) {
    target = {.kind = Kind::kTimestamp, .value = to_timestamp};
  } else if (datetime_opt->count() > 0) {
    const std::optional<int64_t> ms = parse_utc_datetime_ms(to_datetime);
    if (!ms) {
      print_error(
          fmt::format("--to-datetime '{}': expected YYYY-MM-DDTHH:MM:SS[.sss] (UTC)", to_datetime));
      return kExitUsage;
    }
    target = {.kind = Kind::kTimestamp, .value = *ms};
  } else {
    target = {.kind = Kind::kShiftBy, .value = shift_by};
  }
  auto body = [reset_args](client::Connection* c) { return reset(c, reset_args); };
  return run_with_connection(bootstrap, body);
}

}  // namespace ringlog::apps
