#!/usr/bin/env bash
# The group coordinator end to end (issue 4), against the real broker with one shard (so
# "per core" means per broker core):
#   1. rebalance time, 2 -> 3 members on a 12-partition topic, until every member consumes
#      again (librdkafka consumers, heartbeat.interval.ms 100), and the broker's own share
#      (last JoinGroup in -> SyncGroup answers out, from the broker's log line);
#   2. OffsetCommit throughput (4 connections x 32 in flight, generation -1 commits of one
#      partition each over 64 groups) and commits per broker CPU second;
#   3. memory per idle group: broker RSS before and after 10,000 new groups with one
#      committed offset each and no members.
#
#   perf/groups.sh [build_dir] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build/release}
rounds=${2:-7}
ringlog=$build_dir/apps/ringlog/ringlog
load=$build_dir/bench/group/group_load
for bin in "$ringlog" "$load"; do
  [[ -x $bin ]] || { echo "build $bin first (cmake --build --preset release)"; exit 1; }
done

work=$(mktemp -d /tmp/ringlog-groups-XXXXXX)
broker_pid=""
cleanup() { [[ -n $broker_pid ]] && kill -9 "$broker_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ringlog" broker --smp 1 --listeners "PLAINTEXT://127.0.0.1:$port" --log.dirs "$work/data" \
  --group.initial.rebalance.delay.ms 0 2>"$work/broker.log" &
broker_pid=$!
for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
bootstrap=127.0.0.1:$port
echo "machine: $(nproc) cpus, kernel $(uname -r); commit $(git rev-parse --short HEAD); broker --smp 1"

echo "== rebalance, 2 -> 3 members, 12 partitions, $rounds rounds"
"$load" rebalance --bootstrap "$bootstrap" --partitions 12 --rounds "$rounds" | tail -1
share=$(grep -o 'stable with 3 members, [0-9.]* ms' "$work/broker.log" | awk '{print $5}' | median)
echo "broker's share (last JoinGroup in -> SyncGroup answers out), median of the 2 -> 3 rebalances: $share ms"

echo "== OffsetCommit throughput"
before=$(cpu_seconds "$broker_pid")
out=$("$load" commit --bootstrap "$bootstrap" --connections 4 --pipeline 32 --seconds 10)
after=$(cpu_seconds "$broker_pid")
echo "$out"
commits=$(echo "$out" | awk '{print $2}')
awk -v n="$commits" -v c="$(echo "$after - $before" | bc)" \
  'BEGIN {printf "broker CPU %.2f s for %d commits: %.0f commits per broker CPU second\n", c, n, n / c}'

echo "== memory per idle group"
rss0=$(rss_kib "$broker_pid")
"$load" groups --bootstrap "$bootstrap" --groups 10000
rss1=$(rss_kib "$broker_pid")
awk -v a="$rss0" -v b="$rss1" \
  'BEGIN {printf "broker RSS %d KiB -> %d KiB: %.0f bytes per idle group (10,000 groups)\n", a, b, (b - a) * 1024 / 10000}'
