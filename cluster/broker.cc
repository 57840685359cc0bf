#include "cluster/broker.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>
#include <set>

#include "engine/reactor/timer.h"

namespace ringlog::cluster {
namespace {

thread_local Broker* tls_broker = nullptr;
constexpr ShardId kControllerShard{0};

using kafka::ErrorCode;

TopicOpResult failed(ErrorCode error, std::string message) {
  return TopicOpResult{.error = error, .message = std::move(message), .topic = std::nullopt};
}

}  // namespace

Broker::Broker(const BrokerOptions& options, reactor::Smp& smp, ShardId shard)
    : options_(options),
      smp_(smp),
      shard_(shard),
      snapshot_(std::make_shared<const TopicTable>()),
      partitions_(options.data_dir, storage::real_file_system()),
      groups_(*this, options.groups) {}

Broker::~Broker() {
  if (tls_broker == this) tls_broker = nullptr;
}

Broker& Broker::local() {
  RL_ASSERT(tls_broker != nullptr, "no broker on this shard");
  return *tls_broker;
}

Broker* Broker::local_or_null() { return tls_broker; }

Task<bool> Broker::start() {
  tls_broker = this;
  if (shard_ != kControllerShard) co_return true;

  std::error_code ec;
  std::filesystem::create_directories(options_.data_dir, ec);
  if (ec) {
    fmt::print(stderr, "ringlog: cannot create data directory {}: {}\n", options_.data_dir,
               ec.message());
    co_await announce_ready(false);
    co_return false;
  }
  store_ = std::make_unique<MetadataStore>(options_.data_dir);
  auto loaded = store_->load();
  if (!loaded) {
    fmt::print(stderr, "ringlog: {}: {}\n", store_->path(), to_string(loaded.error()));
    co_await announce_ready(false);
    co_return false;
  }
  table_ = std::move(*loaded);
  auto mark = store_->load_producer_id_mark();
  if (!mark) {
    fmt::print(stderr, "ringlog: producer id mark in {}: {}\n", options_.data_dir,
               to_string(mark.error()));
    co_await announce_ready(false);
    co_return false;
  }
  next_producer_id_ = *mark;
  producer_id_block_end_ = *mark;
  auto snapshot = std::make_shared<const TopicTable>(table_);
  bool ok = true;
  for (uint32_t s = 0; s < smp_.size(); ++s) {
    // Lambdas are named before co_await: GCC 12 destroys a lambda temporary in a co_await
    // expression twice (scripts/check_coroutine_hazards.py).
    auto install_here = [snapshot] { return Broker::local().install(snapshot); };
    bool installed = co_await smp_.call(ShardId(s), install_here);
    ok = ok && installed;
  }
  if (ok) {
    fmt::print(stderr, "ringlog: loaded {} topics from {}\n", table_.topics().size(),
               store_->path());
  }
  co_await announce_ready(ok);
  co_return ok;
}

Task<void> Broker::announce_ready(bool ok) {
  for (uint32_t s = 0; s < smp_.size(); ++s) {
    auto mark_ready = [ok] {
      Broker& b = Broker::local();
      b.start_failed_ = !ok;
      b.ready_ = true;
      b.ready_changed_.set();
    };
    co_await smp_.call(ShardId(s), mark_ready);
  }
}

Task<bool> Broker::wait_ready() {
  while (!ready_) co_await ready_changed_.wait();
  if (start_failed_) co_return false;
  if (!retention_running_) {
    retention_running_ = true;
    reactor::Reactor::current().spawn(retention_loop());
    groups_.start();
  }
  co_return true;
}

Task<void> Broker::retention_loop() {
  reactor::PeriodicTimer timer(options_.retention_check_interval);
  while (true) {
    const bool ticked = co_await timer.tick(&retention_stop_);
    if (!ticked) break;
    uint32_t deleted = partitions_.enforce_retention();
    if (deleted > 0) fmt::print(stderr, "ringlog: retention deleted {} segments\n", deleted);
  }
  retention_running_ = false;
  retention_done_.set();
}

Task<void> Broker::stop() {
  retention_stop_.cancel();
  while (retention_running_) co_await retention_done_.wait();
  co_await groups_.stop();
  co_await partitions_.close_all();
}

Task<void> Broker::wake_waiters(Partition& partition) {
  for (const RemoteWaiter& w : partition.take_waiters()) {
    const uint64_t id = w.waiter_id;
    if (w.shard == shard_) {
      fetch_waiters_.wake(id);
    } else {
      auto wake = [id] {
        if (Broker* b = Broker::local_or_null()) b->fetch_waiters().wake(id);
      };
      co_await smp_.post(w.shard, wake);
    }
  }
}

// ---- controller: the public entry points hop to shard 0 ----

Task<TopicOpResult> Broker::create_topic(std::string name, int32_t partitions, ConfigMap overrides,
                                         bool validate_only) {
  // Plain lambdas returning the coroutine (no capturing lambda coroutines): the coroutine
  // takes its arguments by value.
  auto op = [=] {
    return Broker::local().controller_create(name, partitions, overrides, validate_only);
  };
  co_return co_await smp_.call(kControllerShard, op);
}

Task<TopicOpResult> Broker::delete_topic(std::string name) {
  auto op = [=] { return Broker::local().controller_delete(name); };
  co_return co_await smp_.call(kControllerShard, op);
}

Task<TopicOpResult> Broker::create_partitions(std::string name, int32_t total,
                                              bool validate_only) {
  auto op = [=] {
    return Broker::local().controller_create_partitions(name, total, validate_only);
  };
  co_return co_await smp_.call(kControllerShard, op);
}

Task<TopicOpResult> Broker::alter_topic_config(std::string name, ConfigMap overrides,
                                               bool validate_only) {
  auto op = [=] { return Broker::local().controller_alter(name, overrides, validate_only); };
  co_return co_await smp_.call(kControllerShard, op);
}

Task<TopicOpResult> Broker::controller_create(std::string name, int32_t partitions,
                                              ConfigMap overrides, bool validate_only) {
  auto guard = co_await controller_mutex_.lock();
  if (auto why = invalid_topic_name(name)) co_return failed(ErrorCode::kInvalidTopicException, *why);
  if (table_.find(name) != nullptr) {
    co_return failed(ErrorCode::kTopicAlreadyExists, fmt::format("topic '{}' already exists", name));
  }
  if (partitions == -1) partitions = options_.num_partitions;
  if (partitions <= 0) {
    co_return failed(ErrorCode::kInvalidPartitions, "number of partitions must be at least 1");
  }
  if (auto why = TopicConfig::validate(overrides)) co_return failed(ErrorCode::kInvalidConfig, *why);
  TopicMetadata topic{.name = name,
                      .id = random_topic_id(),
                      .partitions = partitions,
                      .overrides = std::move(overrides)};
  if (validate_only) co_return TopicOpResult{.topic = topic};
  TopicTable next = table_;
  next.upsert(topic);
  ErrorCode error = co_await commit(std::move(next));
  if (error != ErrorCode::kNone) co_return failed(error, "could not persist or open the topic");
  fmt::print(stderr, "ringlog: created topic {} with {} partitions\n", name, partitions);
  co_return TopicOpResult{.topic = topic};
}

Task<TopicOpResult> Broker::controller_delete(std::string name) {
  auto guard = co_await controller_mutex_.lock();
  const TopicMetadata* existing = table_.find(name);
  if (existing == nullptr) {
    co_return failed(ErrorCode::kUnknownTopicOrPartition, fmt::format("no topic '{}'", name));
  }
  TopicMetadata topic = *existing;
  TopicTable next = table_;
  next.erase(name);
  ErrorCode error = co_await commit(std::move(next));
  if (error != ErrorCode::kNone) co_return failed(error, "could not persist the deletion");
  fmt::print(stderr, "ringlog: deleted topic {}\n", name);
  co_return TopicOpResult{.topic = topic};
}

Task<TopicOpResult> Broker::controller_create_partitions(std::string name, int32_t total,
                                                         bool validate_only) {
  auto guard = co_await controller_mutex_.lock();
  const TopicMetadata* existing = table_.find(name);
  if (existing == nullptr) {
    co_return failed(ErrorCode::kUnknownTopicOrPartition, fmt::format("no topic '{}'", name));
  }
  if (total <= existing->partitions) {
    co_return failed(ErrorCode::kInvalidPartitions,
                     fmt::format("topic has {} partitions; the new count must be larger",
                                 existing->partitions));
  }
  TopicMetadata topic = *existing;
  topic.partitions = total;
  if (validate_only) co_return TopicOpResult{.topic = topic};
  TopicTable next = table_;
  next.upsert(topic);
  ErrorCode error = co_await commit(std::move(next));
  if (error != ErrorCode::kNone) co_return failed(error, "could not persist or open partitions");
  co_return TopicOpResult{.topic = topic};
}

Task<TopicOpResult> Broker::controller_alter(std::string name, ConfigMap overrides,
                                             bool validate_only) {
  auto guard = co_await controller_mutex_.lock();
  const TopicMetadata* existing = table_.find(name);
  if (existing == nullptr) {
    co_return failed(ErrorCode::kUnknownTopicOrPartition, fmt::format("no topic '{}'", name));
  }
  if (auto why = TopicConfig::validate(overrides)) co_return failed(ErrorCode::kInvalidConfig, *why);
  TopicMetadata topic = *existing;
  topic.overrides = std::move(overrides);
  if (validate_only) co_return TopicOpResult{.topic = topic};
  TopicTable next = table_;
  next.upsert(topic);
  ErrorCode error = co_await commit(std::move(next));
  if (error != ErrorCode::kNone) co_return failed(error, "could not persist the configs");
  co_return TopicOpResult{.topic = topic};
}

Task<int64_t> Broker::allocate_producer_id() {
  if (shard_ != kControllerShard) {
    auto allocate = [] { return Broker::local().allocate_producer_id(); };
    const int64_t id = co_await smp_.call(kControllerShard, allocate);
    co_return id;
  }
  // No co_await from here on: the check and the increment cannot interleave with another call.
  if (next_producer_id_ == producer_id_block_end_) {
    const int64_t block_end = producer_id_block_end_ + kProducerIdBlockSize;
    auto saved = store_->save_producer_id_mark(block_end);
    if (!saved) {
      fmt::print(stderr, "ringlog: saving the producer id mark: {}\n", to_string(saved.error()));
      co_return -1;
    }
    producer_id_block_end_ = block_end;
  }
  RL_ASSERT(next_producer_id_ < producer_id_block_end_);
  co_return next_producer_id_++;
}

Task<ErrorCode> Broker::commit(TopicTable table) {
  RL_ASSERT(shard_ == kControllerShard);
  auto saved = store_->save(table);
  if (!saved) {
    fmt::print(stderr, "ringlog: saving topics: {}\n", to_string(saved.error()));
    co_return ErrorCode::kKafkaStorageError;
  }
  table_ = std::move(table);
  auto snapshot = std::make_shared<const TopicTable>(table_);
  bool ok = true;
  for (uint32_t s = 0; s < smp_.size(); ++s) {
    // Lambdas are named before co_await: GCC 12 destroys a lambda temporary in a co_await
    // expression twice (scripts/check_coroutine_hazards.py).
    auto install_here = [snapshot] { return Broker::local().install(snapshot); };
    bool installed = co_await smp_.call(ShardId(s), install_here);
    ok = ok && installed;
  }
  co_return ok ? ErrorCode::kNone : ErrorCode::kKafkaStorageError;
}

Task<bool> Broker::install(TopicTableSnapshot snapshot) {
  // The new table is published only once this shard's partitions of it are open: a request
  // that finds a topic in the table finds its partitions too. (Fix: it was published first, so
  // while a new topic's logs were opening, requests on this shard found the topic but not its
  // partitions; the group coordinator answered COORDINATOR_NOT_AVAILABLE for the first commits
  // after creating __consumer_offsets.)
  TopicTableSnapshot previous = snapshot_;
  bool ok = true;
  // Partitions of topics that are gone (or were re-created under a new id) are closed and deleted.
  for (const auto& [name, old_topic] : previous->topics()) {
    const TopicMetadata* now = snapshot->find(name);
    if (now != nullptr && now->id == old_topic.id) continue;
    for (int32_t p = 0; p < old_topic.partitions; ++p) {
      if (owner(name, p) == shard_) co_await partitions_.remove(name, p, /*delete_files=*/true);
    }
  }
  // Partitions this shard owns and has not opened yet are opened (created if new); open ones
  // take the topic's current options.
  for (const auto& [name, topic] : snapshot->topics()) {
    TopicConfig config = config_of(topic);
    for (int32_t p = 0; p < topic.partitions; ++p) {
      if (owner(name, p) != shard_) continue;
      Partition* open = partitions_.find(name, p);
      if (open != nullptr) {
        // Config changes (AlterConfigs) reach partitions that are already open.
        open->log().update_options(config.log_options());
        continue;
      }
      auto opened = co_await partitions_.open(name, p, config.log_options());
      if (!opened) {
        fmt::print(stderr, "ringlog: opening {}-{}: {}\n", name, p,
                   storage::to_string(opened.error()));
        ok = false;
      }
    }
  }
  snapshot_ = snapshot;
  co_return ok;
}

}  // namespace ringlog::cluster
