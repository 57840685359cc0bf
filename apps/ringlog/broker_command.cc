#include "apps/ringlog/broker_command.h"

#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "cluster/broker.h"
#include "cluster/kafka_handler.h"
#include "engine/reactor/smp.h"
#include "net/server/listener.h"
#include "net/server/server.h"

namespace ringlog::apps {
namespace {

cluster::BrokerOptions broker_options(const BrokerConfig& c) {
  cluster::BrokerOptions o;
  o.node_id = c.node_id;
  const Listener& advertised =
      c.advertised_listeners.empty() ? c.listeners.front() : c.advertised_listeners.front();
  o.advertised_host = advertised.host;
  o.advertised_port = advertised.port;
  o.data_dir = c.log_dir;
  o.num_partitions = c.num_partitions;
  o.auto_create_topics = c.auto_create_topics_enable;
  o.retention_check_interval = std::chrono::milliseconds(c.log_retention_check_interval_ms);
  o.topic_defaults.retention_ms = c.log_retention_ms;
  o.topic_defaults.retention_bytes = c.log_retention_bytes;
  o.topic_defaults.segment_bytes = c.log_segment_bytes;
  o.topic_defaults.segment_ms = c.log_roll_ms;
  o.topic_defaults.flush_messages = c.log_flush_interval_messages;
  o.topic_defaults.flush_ms = c.log_flush_interval_ms < 0 ? INT64_MAX : c.log_flush_interval_ms;
  o.topic_defaults.max_message_bytes = c.message_max_bytes;
  o.topic_defaults.cleanup_policy = c.log_cleanup_policy;
  o.topic_defaults.direct_writes = c.log_direct_writes;
  o.topic_defaults.sealed_sync_delay_ms = c.log_sealed_sync_delay_ms;
  o.groups.offsets_topic_partitions = c.offsets_topic_num_partitions;
  o.groups.offsets_topic_segment_bytes = c.offsets_topic_segment_bytes;
  o.groups.offsets_retention = std::chrono::minutes(c.offsets_retention_minutes);
  o.groups.offsets_retention_check =
      std::chrono::milliseconds(c.offsets_retention_check_interval_ms);
  o.groups.offset_metadata_max_bytes = c.offset_metadata_max_bytes;
  o.groups.min_session_timeout_ms = c.group_min_session_timeout_ms;
  o.groups.max_session_timeout_ms = c.group_max_session_timeout_ms;
  o.groups.initial_rebalance_delay = std::chrono::milliseconds(c.group_initial_rebalance_delay_ms);
  return o;
}

// One shard's life: start the broker part, serve until stop, close the partitions.
reactor::Task<void> shard_main(cluster::Broker* broker, int listen_fd,
                               server::ConnectionLimits limits) {
  // start() runs first on every shard, before any cross-shard message is handled here.
  const bool started = co_await broker->start();
  const bool ready = co_await broker->wait_ready();
  if (!started || !ready) {
    reactor::Smp::current().request_stop();
    co_await broker->stop();
    co_return;
  }
  cluster::KafkaHandler handler(*broker);
  server::Server server(listen_fd, limits, handler);
  co_await server.serve();
  co_await broker->stop();
}

}  // namespace

int run_broker(const BrokerConfig& config) {
  // Signals go to one thread that waits for them; shards inherit the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);  // internal: tells the signal thread the broker has exited
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  reactor::Smp smp(reactor::SmpOptions{.shards = config.smp});
  const Listener& listener = config.listeners.front();
  auto listeners = server::ListenerSet::open(listener.host, listener.port, smp.size());
  if (!listeners) {
    fmt::print(stderr, "ringlog: cannot listen on {}:{}: {}\n", listener.host, listener.port,
               listeners.error().name());
    return 1;
  }
  const cluster::BrokerOptions options = broker_options(config);
  std::vector<std::unique_ptr<cluster::Broker>> brokers;
  for (uint32_t s = 0; s < smp.size(); ++s) {
    brokers.push_back(std::make_unique<cluster::Broker>(options, smp, ShardId(s)));
  }
  // With several shards a connection moves to the shard its partitions live on, when they all
  // live on one (net/server/shard_affinity.h).
  const server::ConnectionLimits limits{
      .request_max_bytes = static_cast<uint32_t>(config.socket_request_max_bytes),
      .move_to_home_shard = smp.size() > 1};

  std::atomic<bool> exited{false};
  std::thread signal_thread([&] {
    int received = 0;
    while (true) {
      int sig = 0;
      sigwait(&signals, &sig);
      if (exited.load()) return;
      if (sig == SIGUSR1) continue;
      if (++received == 1) {
        fmt::print(stderr, "ringlog: {} received, shutting down (again to exit at once)\n",
                   sig == SIGINT ? "SIGINT" : "SIGTERM");
        smp.request_stop();
      } else {
        fmt::print(stderr, "ringlog: second signal, exiting now\n");
        ::_exit(1);
      }
    }
  });

  fmt::print(stderr, "ringlog: broker {} listening on {}:{} with {} shards, data in {}\n",
             config.node_id, listener.host, listeners->port(), smp.size(), config.log_dir);
  smp.run([&](ShardId id) {
    return shard_main(brokers[id.value()].get(), listeners->fd(id.value()), limits);
  });
  brokers.clear();
  exited.store(true);
  pthread_kill(signal_thread.native_handle(), SIGUSR1);
  signal_thread.join();
  fmt::print(stderr, "ringlog: stopped\n");
  return 0;
}

}  // namespace ringlog::apps
