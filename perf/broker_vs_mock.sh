#!/usr/bin/env bash
# ringlog vs the librdkafka mock broker, same client (rdkafka_performance), side by side, each
# broker its own process on 127.0.0.1, a fresh one per cell (issue 3's performance table):
#   produce  1 and 8 partitions x 100 B and 1 KiB x acks=1 and acks=all: records/s, MB/s and
#            broker CPU seconds per GB ingested;
#   consume  1 and 8 partitions x 100 B and 1 KiB, one group consumer from the beginning: ringlog
#            reads a log of >= 2 GiB from its segment files; the mock, which keeps only about
#            5 MiB per partition, is read whole (every record it kept) from memory (median of 9
#            readers; rdkafka_performance times a consumer from its first record to its last);
#   latency  1,000 records/s of 100 B, linger.ms=0, acks=1, one partition: per-record produce
#            latency (send -> delivery report) p50 / p99 for the mock, ringlog with flush none
#            (the default) and ringlog with a flush on every message.
#
#   perf/broker_vs_mock.sh [build_dir] [sections]
#     build_dir  a release build with the ringlog binary (default build/release)
#     sections   any of "produce consume latency" (default all three)
# Environment: GB (default 1) = data per produce cell; REPS (default 3) = runs per produce cell
# and broker, alternating ringlog and the mock, medians reported (single runs on this VM swing
# 2-4x: see perf/broker.md); FILL_GIB (default 2.1) = consume log size; LAT_RECORDS (default
# 10000) = records per latency run; LAT_REPS (default 5) = latency runs per broker, medians;
# RINGLOG_FLAGS = flags for every ringlog broker (default "--smp 1": one shard, as the mock is
# one thread, and the client needs the other core of this 2-vCPU machine; perf/broker.md,
# session 8; RINGLOG_FLAGS="" runs one shard per core, the broker's own default);
# PAUSE_PAGE_REPORTING=1 = keep the VM from handing freed memory to the host during the run
# (root; see perf/tools/page_reporting.sh), and touch WARM_MIB (default 3072) MiB of memory
# before every broker start, so that the run takes memory the host still backs
# (perf/tools/warm_memory.c).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build/release}
sections=${2:-produce consume latency}
gb=${GB:-1}
fill_gib=${FILL_GIB:-2.1}
lat_records=${LAT_RECORDS:-10000}
reps=${REPS:-3}
lat_reps=${LAT_REPS:-5}
ringlog_flags=${RINGLOG_FLAGS---smp 1}
warm_mib=${WARM_MIB:-3072}
ringlog=$build_dir/apps/ringlog/ringlog
[[ -x $ringlog ]] || { echo "build $ringlog first (cmake --preset release && cmake --build --preset release)"; exit 1; }
tools=$build_dir/perf-tools
perf_bin=$(bash perf/tools/build-rdkafka-performance.sh "$tools" | tail -1)
cc -O2 -o "$tools/mock_broker" perf/tools/mock_broker.c -lrdkafka
cc -O2 -o "$tools/warm_memory" perf/tools/warm_memory.c

work=$(mktemp -d /tmp/ringlog-perf-XXXXXX)
broker_pid=""
source perf/tools/page_reporting.sh
cleanup() {
  [[ -n $broker_pid ]] && kill -9 "$broker_pid" 2>/dev/null
  rm -rf "$work"
  restore_page_reporting
}
trap cleanup EXIT
pause_page_reporting

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
warm_memory() { warm_free_memory "$tools/warm_memory" "$warm_mib"; }
# start_ringlog <partitions> [extra flags] -> sets broker_pid, bootstrap
start_ringlog() {
  local partitions=$1; shift
  warm_memory
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  rm -rf "$work/data"
  "$ringlog" broker --listeners "PLAINTEXT://127.0.0.1:$port" --log.dirs "$work/data" \
    --num.partitions "$partitions" --group.initial.rebalance.delay.ms 0 "$@" $ringlog_flags \
    2>"$work/ringlog.log" &
  broker_pid=$!
  bootstrap=127.0.0.1:$port
  wait_port "$port"
  # The topic exists before any client comes, as the mock's does.
  kcat -b "$bootstrap" -L -t perf >/dev/null 2>&1
}
start_mock() {
  warm_memory
  rm -f "$work/port"
  "$tools/mock_broker" "$work/port" perf "$1" &
  broker_pid=$!
  for _ in $(seq 1 200); do [[ -s $work/port ]] && break; sleep 0.05; done
  bootstrap=$(cat "$work/port")
}
stop_broker() { kill "$broker_pid"; wait "$broker_pid" 2>/dev/null || true; broker_pid=""; }
sync_disk() { sync; sleep 0.2; }  # no writeback of the previous cell in this one's way

# produce <size> <acks> <records> -> "records/s MB/s cpu_s errors"
produce() {
  local before after out
  before=$(cpu_seconds "$broker_pid")
  out=$("$perf_bin" -P -t perf -b "$bootstrap" -s "$1" -c "$3" -a "$2" \
        -X linger.ms=5 -X batch.num.messages=10000 -u 2>&1)
  after=$(cpu_seconds "$broker_pid")
  # The last table row: elapsed_ms msgs bytes rtt dr dr_m/s dr_MB/s dr_err ...
  echo "$out" | awk -v cpu="$(echo "$after - $before" | bc -l)" '
    /^\|/ && $2 ~ /^[0-9]+$/ {row=$0}
    END {split(row, f, "|"); printf "%d %.1f %.3f %d\n", f[7], f[8], cpu, f[9]}'
}

# consume <records> -> "records/s MB/s cpu_s errors" (one group consumer from the beginning,
# until <records> or, with "eof" as <records>, until the end of every partition)
consume() {
  local before after out limit=(-c "$1")
  [[ $1 == eof ]] && limit=(-e -c 999999999 -X enable.partition.eof=true)
  before=$(cpu_seconds "$broker_pid")
  out=$("$perf_bin" -C -G "perf-$RANDOM" -t perf -b "$bootstrap" -o beginning "${limit[@]}" -u \
        -X fetch.wait.max.ms=100 2>&1)
  after=$(cpu_seconds "$broker_pid")
  # The last table row: elapsed_ms msgs bytes rtt m/s MB/s rx_err offset
  echo "$out" | awk -v cpu="$(echo "$after - $before" | bc -l)" '
    /^\|/ && $2 ~ /^[0-9]+$/ {row=$0}
    END {split(row, f, "|"); printf "%d %.1f %.3f %d\n", f[6], f[7], cpu, f[8]}'
}

# latency -> "p50_ms p99_ms" of per-record produce latency at 1,000 records/s
latency() {
  rm -f "$work/lat"
  "$perf_bin" -P -t perf -b "$bootstrap" -s 100 -c "$lat_records" -a 1 -r 1000 -l -A "$work/lat" \
    -X linger.ms=0 -p 0 >/dev/null 2>&1
  sort -n "$work/lat" | awk '{a[NR]=$1} END {printf "%.3f %.3f\n", a[int(NR*0.5)]/1000, a[int(NR*0.99)]/1000}'
}

# medians "a1 b1 c1 d1" "a2 b2 c2 d2" ... -> the median of each column (errors: the largest)
medians() {
  printf '%s\n' "$@" | awk '
    { for (i = 1; i <= 4; i++) v[i, NR] = $i }
    END {
      for (i = 1; i <= 3; i++) {
        n = 0; for (r = 1; r <= NR; r++) a[++n] = v[i, r]
        for (x = 1; x <= n; x++) for (y = x + 1; y <= n; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
        out[i] = a[int((n + 1) / 2)]
      }
      e = 0; for (r = 1; r <= NR; r++) if (v[4, r] > e) e = v[4, r]
      printf "%s %s %s %d\n", out[1], out[2], out[3], e
    }'
}

echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r); commit $(git rev-parse --short HEAD)"
echo "ringlog flags: ${ringlog_flags:-(none)}"

if [[ $sections == *produce* ]]; then
  echo "== produce (${gb} GB per cell, linger.ms=5, batch.num.messages=10000; medians of $reps runs)"
  printf '%-26s %11s %8s %9s %11s %8s %9s %7s %7s\n' case "ringlog r/s" "MB/s" "cpu s/GB" \
    "mock r/s" "MB/s" "cpu s/GB" ratio "cpu x"
  for partitions in 1 8; do
    for size in 100 1024; do
      records=$(echo "$gb * 1000000000 / $size" | bc)
      for acks in 1 -1; do
        r_runs=(); m_runs=()
        for _ in $(seq 1 "$reps"); do
          sync_disk
          start_ringlog "$partitions"; r_runs+=("$(produce "$size" "$acks" "$records")"); stop_broker
          start_mock "$partitions"; m_runs+=("$(produce "$size" "$acks" "$records")"); stop_broker
        done
        read -r r_rate r_mb r_cpu r_err < <(medians "${r_runs[@]}")
        read -r m_rate m_mb m_cpu m_err < <(medians "${m_runs[@]}")
        printf '%-26s %11d %8.1f %9.3f %11d %8.1f %9.3f %6.2fx %6.2fx\n' \
          "p=$partitions size=$size acks=$acks" "$r_rate" "$r_mb" "$(echo "$r_cpu / $gb" | bc -l)" \
          "$m_rate" "$m_mb" "$(echo "$m_cpu / $gb" | bc -l)" \
          "$(echo "$r_rate / $m_rate" | bc -l)" "$(echo "$r_cpu / ($m_cpu + 0.000001)" | bc -l)"
        [[ $r_err == 0 && $m_err == 0 ]] || echo "  delivery errors: ringlog $r_err, mock $m_err"
      done
    done
  done
fi

# consume_median <records> <runs> -> "records/s MB/s" medians over <runs> consumers reading the
# same log from the beginning one after the other.
consume_median() {
  local rates=() mbs=() r m c e
  for _ in $(seq 1 "$2"); do
    read -r r m c e < <(consume "$1")
    rates+=("$r"); mbs+=("$m")
  done
  echo "$(printf '%s\n' "${rates[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') $(printf '%s\n' "${mbs[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
}

if [[ $sections == *consume* ]]; then
  # The mock keeps only a few MiB per partition (older records are dropped), so it cannot hold
  # a 2 GiB log: it is measured reading every record it kept of 4 MiB per partition, from
  # memory (median of 9 readers; such short reads include the consumer's ramp-up, which
  # understates the mock somewhat, most at 8 partitions); ringlog reads a >= 2 GiB log from its
  # segment files. The last two columns: ringlog holding just the mock's small log, read the
  # same way (median of 9), and its ratio to the mock: the same read on both brokers.
  echo "== consume from the beginning: ringlog a ${fill_gib} GiB log (segment files), the mock 4 MiB per partition (memory; all it keeps)"
  printf '%-22s %12s %8s %9s %12s %8s %7s %12s %7s\n' case "ringlog r/s" "MB/s" "cpu s/GB" "mock r/s" "MB/s" ratio \
    "small r/s" ratio
  for partitions in 1 8; do
    for size in 100 1024; do
      fill=$(echo "$fill_gib * 1073741824 / $size" | bc)
      sync_disk
      start_ringlog "$partitions"; produce "$size" 1 "$fill" >/dev/null
      log_gib=$(du -sb "$work/data" | awk '{printf "%.2f", $1 / 1073741824}')
      read -r r_rate r_mb r_cpu r_err < <(consume "$fill"); stop_broker
      small=$(echo "$partitions * 4 * 1048576 / ($size + 70)" | bc)
      # ringlog again, holding only as much as the mock keeps: the same small read, side by side.
      start_ringlog "$partitions"; produce "$size" 1 "$small" >/dev/null
      read -r s_rate s_mb < <(consume_median "$small" 9); stop_broker
      start_mock "$partitions"; produce "$size" 1 "$small" >/dev/null
      # Read exactly what it kept: a reader stopping at end-of-partition instead would wait out
      # one empty fetch (fetch.wait.max.ms) and count that as reading time.
      kept=$(kcat -b "$bootstrap" -C -t perf -o beginning -e -q -f 'x\n' 2>/dev/null | wc -l)
      read -r m_rate m_mb < <(consume_median "$kept" 9); stop_broker
      printf '%-22s %12d %8.1f %9.3f %12d %8.1f %6.2fx %12d %6.2fx\n' "p=$partitions size=$size" \
        "$r_rate" "$r_mb" "$(echo "$r_cpu / ($fill * $size / 1000000000)" | bc -l)" \
        "$m_rate" "$m_mb" "$(echo "$r_rate / ($m_rate + 0.001)" | bc -l)" \
        "$s_rate" "$(echo "$s_rate / ($m_rate + 0.001)" | bc -l)"
      echo "  (ringlog's log: $log_gib GiB on disk; $fill records read)"
      [[ $r_err == 0 ]] || echo "  errors: ringlog $r_err"
    done
  done
fi

if [[ $sections == *latency* ]]; then
  echo "== produce latency, 1,000 records/s x ${lat_records}, 100 B, linger.ms=0, acks=1, 1 partition; medians of $lat_reps runs"
  m_runs=(); r_runs=(); f_runs=()
  # A latency run takes little new memory; nothing to warm, and nothing to disturb its start.
  warm_mib=0
  for _ in $(seq 1 "$lat_reps"); do
    start_mock 1; m_runs+=("$(latency) 0 0"); stop_broker
    sync_disk; start_ringlog 1; r_runs+=("$(latency) 0 0"); stop_broker
    sync_disk; start_ringlog 1 --log.flush.interval.messages 1; f_runs+=("$(latency) 0 0"); stop_broker
  done
  echo "  runs (p50 p99 ms): mock ${m_runs[*]// 0 0/;} | ringlog ${r_runs[*]// 0 0/;} | flush every ${f_runs[*]// 0 0/;}"
  # Some mock runs answer every record a timer tick late (p50 ~1.07 ms instead of ~0.07, with
  # or without warm_memory; perf/broker.md, session 8). Those runs are left out of the mock's
  # median, which can only make the comparison harder for ringlog; ringlog's runs all count.
  m_fast=()
  for run in "${m_runs[@]}"; do
    awk '{exit !($1 < 0.5)}' <<<"$run" && m_fast+=("$run")
  done
  (( ${#m_fast[@]} > 0 )) || m_fast=("${m_runs[@]}")
  (( ${#m_fast[@]} == ${#m_runs[@]} )) ||
    echo "  mock runs in its 1 ms mode, left out: $(( ${#m_runs[@]} - ${#m_fast[@]} )) of ${#m_runs[@]}"
  read -r m50 m99 _ < <(medians "${m_fast[@]}")
  read -r r50 r99 _ < <(medians "${r_runs[@]}")
  read -r f50 f99 _ < <(medians "${f_runs[@]}")
  printf '%-34s %9s %9s\n' broker "p50 ms" "p99 ms"
  printf '%-34s %9.3f %9.3f\n' "mock" "$m50" "$m99"
  printf '%-34s %9.3f %9.3f   (%.2fx / %.2fx the mock)\n' "ringlog, flush none" "$r50" "$r99" \
    "$(echo "$r50 / $m50" | bc -l)" "$(echo "$r99 / $m99" | bc -l)"
  printf '%-34s %9.3f %9.3f\n' "ringlog, flush every message" "$f50" "$f99"
fi
