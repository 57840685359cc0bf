// Reactor micro-benchmarks: cross-shard round-trip latency (p50/p99), cross-shard one-way
// message rate, TCP echo throughput on loopback and the nop submit rate. Each benchmark runs a
// fixed amount of work inside the shards and reports the time of that work (manual time), so
// thread start-up and shutdown are not counted. See perf/reactor.md for figures and floors.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "engine/reactor/acceptor.h"
#include "engine/reactor/io.h"
#include "engine/reactor/io_helpers.h"
#include "engine/reactor/net_util.h"
#include "engine/reactor/reactor.h"
#include "engine/reactor/smp.h"
#include "engine/reactor/timer.h"

namespace ringlog::reactor {
namespace {

using Nanos = std::chrono::nanoseconds;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double percentile_us(std::vector<int64_t>& sorted_ns, double p) {
  if (sorted_ns.empty()) return 0;
  size_t i = static_cast<size_t>(p * static_cast<double>(sorted_ns.size() - 1));
  return static_cast<double>(sorted_ns[i]) / 1000.0;
}

SmpOptions two_pinned_shards(int idle_poll_us = -1) {
  SmpOptions o;
  o.shards = 2;
  o.pin_threads = true;
  if (idle_poll_us >= 0) o.reactor.idle_poll_us = std::chrono::microseconds(idle_poll_us);
  return o;
}

Task<void> idle_shard() { co_return; }

// ---- cross-shard round trip ----

struct RoundTrips {
  int64_t count = 0;
  std::vector<int64_t> ns;
  Clock::duration total{};
};

Task<void> round_trip_caller(RoundTrips* rt) {
  Smp& smp = Smp::current();
  // Warm up both sides (page faults, first wake-ups).
  for (int i = 0; i < 1000; ++i) co_await smp.call(ShardId(1), [] { return 0; });
  rt->ns.reserve(static_cast<size_t>(rt->count));
  const Clock::time_point begin = Clock::now();
  for (int64_t i = 0; i < rt->count; ++i) {
    const Clock::time_point t0 = Clock::now();
    const int64_t echoed = co_await smp.call(ShardId(1), [i] { return i; });
    const Clock::time_point t1 = Clock::now();
    benchmark::DoNotOptimize(echoed);
    rt->ns.push_back(std::chrono::duration_cast<Nanos>(t1 - t0).count());
  }
  rt->total = Clock::now() - begin;
  smp.request_stop();
}

void BM_CrossShardRoundTrip(benchmark::State& state) {
  RoundTrips rt;
  rt.count = state.range(0);
  std::vector<int64_t> all;
  for (auto _ : state) {
    rt.ns.clear();
    Smp smp(two_pinned_shards(static_cast<int>(state.range(1))));
    smp.run([&rt](ShardId id) { return id == ShardId(0) ? round_trip_caller(&rt) : idle_shard(); });
    state.SetIterationTime(seconds(rt.total));
    all.insert(all.end(), rt.ns.begin(), rt.ns.end());
  }
  std::sort(all.begin(), all.end());
  state.SetItemsProcessed(static_cast<int64_t>(all.size()));
  state.counters["p50_us"] = percentile_us(all, 0.50);
  state.counters["p99_us"] = percentile_us(all, 0.99);
  state.counters["p999_us"] = percentile_us(all, 0.999);
}
// Args: round trips, ReactorOptions::idle_poll_us (0: every hop wakes a sleeping thread).
BENCHMARK(BM_CrossShardRoundTrip)
    ->Args({200'000, 50})
    ->Args({100'000, 0})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// ---- cross-shard one-way messages ----

struct OneWay {
  int64_t count = 0;
  int64_t received = 0;  // touched only on shard 1
  Clock::time_point begin;
  Clock::time_point end;
};

void count_message(OneWay* ow) {
  if (++ow->received == ow->count) {
    ow->end = Clock::now();
    Smp::current().request_stop();
  }
}

Task<void> post_loop(OneWay* ow) {
  Smp& smp = Smp::current();
  ow->begin = Clock::now();
  for (int64_t i = 0; i < ow->count; ++i) {
    co_await smp.post(ShardId(1), [ow] { count_message(ow); });
  }
}

void BM_CrossShardPost(benchmark::State& state) {
  OneWay ow;
  ow.count = state.range(0);
  int64_t total = 0;
  for (auto _ : state) {
    ow.received = 0;
    Smp smp(two_pinned_shards());
    smp.run([&ow](ShardId id) { return id == ShardId(0) ? post_loop(&ow) : idle_shard(); });
    state.SetIterationTime(seconds(ow.end - ow.begin));
    total += ow.received;
  }
  state.SetItemsProcessed(total);
}
BENCHMARK(BM_CrossShardPost)
    ->Arg(10'000'000)
    ->Iterations(3)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// ---- TCP echo on loopback ----

struct Echo {
  uint16_t port = 0;
  int listen_fd = -1;
  size_t message_bytes = 0;
  int64_t messages = 0;
  int connections = 1;
  std::atomic<int> clients_done{0};
  Clock::time_point begin;
  Clock::time_point end;
  std::atomic<bool> failed{false};
};

Task<void> echo_serve(int fd, size_t buffer_bytes) {
  std::vector<std::byte> buf(buffer_bytes);
  for (;;) {
    IoResult r = co_await recv(fd, buf);
    if (!r || *r == 0) break;
    Result<void, Errno> s = co_await send_all(fd, std::span(buf).first(*r));
    if (!s) break;
  }
  ::close(fd);
}

Task<void> echo_server(Echo* e) {
  Acceptor acceptor(e->listen_fd);
  for (;;) {
    Result<int, Errno> r = co_await acceptor.accept();
    if (!r) break;
    (void)set_nodelay(*r);
    Reactor::current().spawn(echo_serve(*r, e->message_bytes));
  }
  co_await acceptor.stop();
}

Task<void> echo_sender(int fd, Echo* e, const std::vector<std::byte>* msg) {
  for (int64_t i = 0; i < e->messages; ++i) {
    Result<void, Errno> s = co_await send_all(fd, *msg);
    if (!s) {
      e->failed = true;
      break;
    }
  }
}

Task<void> echo_client(Echo* e) {
  Result<int, Errno> fd = co_await connect_loopback(e->port);
  if (!fd) {
    e->failed = true;
    co_return;
  }
  (void)set_nodelay(*fd);
  std::vector<std::byte> msg(e->message_bytes, std::byte{0x5a});
  std::vector<std::byte> back(e->message_bytes);
  // Sending and receiving run concurrently so the pipe stays full.
  Reactor::current().spawn(echo_sender(*fd, e, &msg));
  for (int64_t i = 0; i < e->messages; ++i) {
    Result<size_t, Errno> r = co_await recv_exact(*fd, back);
    if (!r || *r != back.size()) {
      e->failed = true;
      break;
    }
  }
  ::shutdown(*fd, SHUT_WR);
  // Wait for the sender before `msg` goes away (it finished: every echo came back).
  co_await sleep(std::chrono::milliseconds(1));
  ::close(*fd);
  if (e->clients_done.fetch_add(1) + 1 == e->connections) {
    e->end = Clock::now();
    Smp::current().request_stop();
  }
}

Task<void> echo_clients(Echo* e) {
  e->begin = Clock::now();
  for (int c = 0; c < e->connections; ++c) Reactor::current().spawn(echo_client(e));
  co_return;
}

void BM_TcpEchoLoopback(benchmark::State& state) {
  Echo e;
  e.message_bytes = static_cast<size_t>(state.range(0));
  e.connections = static_cast<int>(state.range(1));
  e.messages = (int64_t{1} << 30) / static_cast<int64_t>(e.message_bytes) / e.connections;
  int64_t bytes = 0;
  for (auto _ : state) {
    Result<Listener, Errno> l = listen_loopback();
    if (!l) {
      state.SkipWithError("listen failed");
      return;
    }
    e.listen_fd = l->fd;
    e.port = l->port;
    e.clients_done = 0;
    Smp smp(two_pinned_shards());
    smp.run([&e](ShardId id) { return id == ShardId(0) ? echo_server(&e) : echo_clients(&e); });
    ::close(l->fd);
    if (e.failed) {
      state.SkipWithError("echo failed");
      return;
    }
    state.SetIterationTime(seconds(e.end - e.begin));
    bytes += e.messages * e.connections * static_cast<int64_t>(e.message_bytes);
  }
  state.SetBytesProcessed(bytes);  // echoed bytes (each crossed the loopback twice)
  state.SetItemsProcessed(bytes / static_cast<int64_t>(e.message_bytes));
}
BENCHMARK(BM_TcpEchoLoopback)
    ->Args({64 << 10, 1})
    ->Args({64 << 10, 4})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// ---- nop submit rate ----

Task<void> nop_loop(int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    IoResult r = co_await nop();
    benchmark::DoNotOptimize(r);
  }
}

Task<void> spawn_nop_loops(int concurrency, int64_t per_coroutine) {
  for (int c = 0; c < concurrency; ++c) Reactor::current().spawn(nop_loop(per_coroutine));
  co_return;
}

void BM_NopSubmitRate(benchmark::State& state) {
  const int concurrency = static_cast<int>(state.range(0));
  const int64_t per_coroutine = 2'000'000 / concurrency;
  Reactor reactor;
  int64_t total = 0;
  for (auto _ : state) {
    const Clock::time_point begin = Clock::now();
    reactor.block_on(spawn_nop_loops(concurrency, per_coroutine));
    state.SetIterationTime(seconds(Clock::now() - begin));
    total += per_coroutine * concurrency;
  }
  state.SetItemsProcessed(total);
}
BENCHMARK(BM_NopSubmitRate)
    ->Arg(1)
    ->Arg(64)
    ->Arg(512)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ringlog::reactor

BENCHMARK_MAIN();
