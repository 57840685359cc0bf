#!/usr/bin/env bash
# ringlog vs the librdkafka mock broker, same client (rdkafka_performance), side by side:
# produce throughput and broker CPU seconds per GB for 1 and 8 partitions, 100 B and 1 KiB
# records, acks=1 and acks=all. Both brokers run as their own processes on 127.0.0.1.
#
#   perf/broker_vs_mock.sh [build_dir] [records]
#     build_dir  a release build with the ringlog binary (default build/release)
#     records    records per produce run (default 2,000,000)
#
# Not yet covered (issue 3): consume over a >= 2 GiB log, latency at 1,000 msg/s.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build/release}
records=${2:-2000000}
ringlog=$build_dir/apps/ringlog/ringlog
[[ -x $ringlog ]] || { echo "build $ringlog first (cmake --preset release && cmake --build --preset release)"; exit 1; }
tools=$build_dir/perf-tools
perf_bin=$(bash perf/tools/build-rdkafka-performance.sh "$tools" | tail -1)
cc -O2 -o "$tools/mock_broker" perf/tools/mock_broker.c -lrdkafka

work=$(mktemp -d /tmp/ringlog-perf-XXXXXX)
broker_pid=""
cleanup() { [[ -n $broker_pid ]] && kill -9 "$broker_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cpu_seconds() {  # utime + stime of a pid, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"
}
wait_port() {
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "port $1 not listening" >&2; return 1
}
# start_ringlog <partitions> -> sets broker_pid, bootstrap
start_ringlog() {
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  rm -rf "$work/data"
  "$ringlog" broker --listeners "PLAINTEXT://127.0.0.1:$port" --log.dirs "$work/data" \
    --num.partitions "$1" 2>"$work/ringlog.log" &
  broker_pid=$!
  bootstrap=127.0.0.1:$port
  wait_port "$port"
}
start_mock() {
  rm -f "$work/port"
  "$tools/mock_broker" "$work/port" perf "$1" &
  broker_pid=$!
  for _ in $(seq 1 200); do [[ -s $work/port ]] && break; sleep 0.05; done
  bootstrap=$(cat "$work/port")
}
stop_broker() { kill "$broker_pid"; wait "$broker_pid" 2>/dev/null || true; broker_pid=""; }

# produce <size> <acks> -> "records/s MB/s cpu_s"
produce() {
  local before after out
  before=$(cpu_seconds "$broker_pid")
  out=$("$perf_bin" -P -t perf -b "$bootstrap" -s "$1" -c "$records" -a "$2" \
        -X linger.ms=5 -X batch.num.messages=10000 -u 2>&1)
  after=$(cpu_seconds "$broker_pid")
  # The last table row: elapsed_ms msgs bytes rtt dr dr_m/s dr_MB/s dr_err ...
  echo "$out" | awk -v cpu="$(echo "$after - $before" | bc -l)" '
    /^\|/ && $2 ~ /^[0-9]+$/ {row=$0}
    END {split(row, f, "|"); printf "%d %.1f %.2f %d\n", f[7], f[8], cpu, f[9]}'
}

echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); commit $(git rev-parse --short HEAD); $records records per run"
printf '%-28s %12s %9s %10s %12s %9s %10s %7s %9s\n' case "ringlog r/s" "MB/s" "cpu s/GB" "mock r/s" "MB/s" "cpu s/GB" ratio cpu-ratio
for partitions in 1 8; do
  for size in 100 1024; do
    for acks in 1 -1; do
      start_ringlog "$partitions"; read -r r_rate r_mb r_cpu r_err < <(produce "$size" "$acks"); stop_broker
      start_mock "$partitions"; read -r m_rate m_mb m_cpu m_err < <(produce "$size" "$acks"); stop_broker
      gb=$(echo "$records * $size / 1000000000" | bc -l)
      printf '%-28s %12d %9.1f %10.3f %12d %9.1f %10.3f %6.2fx %8.2fx\n' \
        "p=$partitions size=$size acks=$acks" "$r_rate" "$r_mb" "$(echo "$r_cpu / $gb" | bc -l)" \
        "$m_rate" "$m_mb" "$(echo "$m_cpu / $gb" | bc -l)" \
        "$(echo "$r_rate / $m_rate" | bc -l)" "$(echo "($r_cpu / $gb) / ($m_cpu / $gb + 0.000001)" | bc -l)"
      [[ $r_err == 0 && $m_err == 0 ]] || echo "  delivery errors: ringlog $r_err, mock $m_err"
    done
  done
done
