#!/usr/bin/env bash
# Runs the partition log's append benchmarks (bench/micro/log_bench) and fio sequential writes
# with the same block sizes and sync policy on the same filesystem, and prints log/fio ratios.
#
#   perf/storage_vs_fio.sh [build_dir] [data_dir]
#     build_dir  where log_bench was built (default build/log, RelWithDebInfo -O2 -DNDEBUG)
#     data_dir   directory both write into (default /tmp); must be one filesystem for both
#
# Cases (block = batch size): 1 KiB, 16 KiB, 64 KiB;
#   flush none:  fio buffered writes, no sync, 1 GiB (psync, and io_uring at queue depth 1);
#                log: 1 GiB of appends, 1 producer (one append in flight) and 16 (coalesced:
#                16 appends per write, so p16 at 16 and 64 KiB is also shown next to fio psync
#                writing blocks of 16 x the batch size, the size of the log's writes: "psync x16";
#                at 1 KiB the log's p16 rate is bound by its per-append work instead)
#   flush every: fio buffered write + fdatasync after every write (psync, --fdatasync=1),
#                4096 writes; log: 4096 appends with flush every append, 1 producer and 16
#                (group commit: one write + one fdatasync for the appends queued meanwhile)
# Each case runs log then fio back to back REPS times (default 3); the medians are compared.
# SYNC=1 runs only the fdatasync cases, SYNC=0 only the others.
# PAUSE_PAGE_REPORTING=1 (root) keeps this VM's balloon from handing freed memory to the host
# for the length of the run, for the log and fio alike (perf/tools/page_reporting.sh says why).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build/log}
data_dir=${2:-/tmp}
bench=$build_dir/bench/micro/log_bench
[[ -x $bench ]] || { echo "build $bench first (ninja -C $build_dir log_bench)"; exit 1; }
command -v fio >/dev/null || { echo "fio missing: apt-get install -y fio"; exit 1; }

fio_dir=$(mktemp -d "$data_dir/ringlog-fio-XXXXXX")
source perf/tools/page_reporting.sh
trap 'rm -rf "$fio_dir"; restore_page_reporting' EXIT
pause_page_reporting
src_fio=$(df --output=source "$fio_dir" | tail -1)
src_log=$(df --output=source "$data_dir" | tail -1)
[[ $src_fio == "$src_log" ]] || { echo "fio ($src_fio) and log ($src_log) on different filesystems"; exit 1; }
echo "filesystem: $src_fio ($(df --output=fstype "$fio_dir" | tail -1)), data dir $data_dir"
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r)"
echo "commit: $(git rev-parse --short HEAD) (+ uncommitted storage files)"

# fio_bw <engine> <bs> <size> <fdatasync 0|1> -> bytes/s
fio_bw() {
  local engine=$1 bs=$2 size=$3 sync=$4
  # --fallocate=none: the log appends without preallocating, so fio does too.
  local args=(--name=w --directory="$fio_dir" --ioengine="$engine" --rw=write --bs="$bs"
              --size="$size" --iodepth=1 --numjobs=1 --fallocate=none --output-format=json)
  sync  # start from a clean page cache state: no writeback of the previous run in the way
  [[ $sync == 1 ]] && args+=(--fdatasync=1)
  fio "${args[@]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["write"]["bw_bytes"])'
  rm -f "$fio_dir"/*
}

reps=${REPS:-3}
# log_bw <bs> <sync> <producers> -> bytes/s of that log_bench case
log_bw() {
  local out; out=$(mktemp)
  sync
  RINGLOG_BENCH_DIR=$data_dir "$bench" --benchmark_filter="BM_Append/batch:$1/sync:$2/producers:$3/" \
    --benchmark_format=json --benchmark_out="$out" --benchmark_out_format=json >/dev/null
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["benchmarks"][0]["bytes_per_second"])' "$out"
  rm -f "$out"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-44s %10s %10s %8s\n' case "log MB/s" "fio MB/s" log/fio
# Each case: log and fio back to back, $reps times, medians (the disk is shared and noisy).
# SYNC=0 or SYNC=1 runs only the cases without or with fdatasync.
for sync in ${SYNC:-0 1}; do
  for bs in 1024 16384 65536; do
    if [[ $sync == 0 ]]; then size=1g; refs="psync io_uring"; else size=$((bs * 4096)); refs=psync; fi
    for producers in 1 16; do
      cases=$refs
      [[ $sync == 0 && $producers == 16 && $bs -ge 16384 ]] && cases+=" psync-x16"
      for engine in $cases; do
        logs=(); fios=()
        fio_engine=$engine fio_bs=$bs
        [[ $engine == psync-x16 ]] && fio_engine=psync fio_bs=$((bs * 16))
        for ((r = 0; r < reps; ++r)); do
          logs+=("$(log_bw $bs $sync $producers)")
          fios+=("$(fio_bw $fio_engine $fio_bs $size $sync)")
        done
        l=$(median "${logs[@]}"); f=$(median "${fios[@]}")
        label="$((bs / 1024)) KiB $([[ $sync == 1 ]] && echo fdatasync-each || echo no-sync) p$producers vs fio ${engine/-x16/ x16}"
        awk -v c="$label" -v l="$l" -v f="$f" \
          'BEGIN { printf "%-44s %10.1f %10.1f %7.0f%%\n", c, l / 1e6, f / 1e6, 100 * l / f }'
      done
    done
  done
done
