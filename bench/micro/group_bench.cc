// Group coordinator hot paths without I/O: encoding a commit's __consumer_offsets records, and
// a whole rebalance of the state machine (3 members join, the leader syncs).
#include <benchmark/benchmark.h>

#include "cluster/groups/group.h"
#include "cluster/groups/offset_records.h"
#include "engine/reactor/reactor.h"

namespace ringlog::cluster::groups {
namespace {

void BM_OffsetCommitRecordEncode(benchmark::State& state) {
  const OffsetKey key{.group = "payments-consumer", .topic = "payments", .partition = 17};
  const OffsetValue value{.offset = 123'456'789,
                          .leader_epoch = 3,
                          .metadata = "",
                          .commit_timestamp_ms = 1'700'000'000'000};
  for (auto _ : state) {
    auto k = encode_offset_key(key);
    auto v = encode_offset_value(value);
    benchmark::DoNotOptimize(k.data());
    benchmark::DoNotOptimize(v.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OffsetCommitRecordEncode);

void BM_RebalanceThreeMembers(benchmark::State& state) {
  reactor::Reactor reactor;  // Pending slots belong to a shard (nothing parks here)
  const Clock::time_point now = Clock::now();
  Group group("g", 0);
  for (const char* id : {"a", "b", "c"}) {
    Member m;
    m.id = id;
    m.session_timeout_ms = 10'000;
    m.rebalance_timeout_ms = 10'000;
    m.protocol_type = "consumer";
    m.protocols = {{.name = "range", .metadata = std::vector<std::byte>(64)},
                   {.name = "roundrobin", .metadata = std::vector<std::byte>(64)}};
    group.add_member(std::move(m));
  }
  const std::vector<std::pair<std::string, std::vector<std::byte>>> assignments = {
      {"a", std::vector<std::byte>(48)},
      {"b", std::vector<std::byte>(48)},
      {"c", std::vector<std::byte>(48)}};
  for (auto _ : state) {
    group.prepare_rebalance(now, Clock::duration::zero());
    for (const char* id : {"a", "b", "c"}) {
      group.find_member(id)->join = std::make_shared<Pending<JoinResult>>();
    }
    group.complete_join(now);
    group.complete_sync(assignments, now);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RebalanceThreeMembers);

}  // namespace
}  // namespace ringlog::cluster::groups

BENCHMARK_MAIN();
