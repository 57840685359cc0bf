#!/usr/bin/env bash
# The whole test suite: installs dependencies, checks the layering, builds the release and
# asan (AddressSanitizer + UBSan) presets and runs every test in both with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/check-layering.sh

jobs=$(nproc)
status=0
summary=()
for preset in release asan; do
  echo "=== ${preset}: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "=== ${preset}: test"
  log=$(mktemp)
  if ctest --preset "$preset" -j "$jobs" --timeout 600 2>&1 | tee "$log"; then :; else status=1; fi
  summary+=("${preset}: $(grep -E 'tests passed|tests failed' "$log" | tail -1)")
  rm -f "$log"
done

# libFuzzer over request decoding and record-batch validation (clang, ASan + UBSan), 60 s.
echo "=== fuzz: request_decode_fuzz for 60 s"
fuzz_dir=build/fuzz
cmake -S tests/fuzz -B "$fuzz_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++-19 \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$fuzz_dir" -j "$jobs" --target request_decode_fuzz
mkdir -p "$fuzz_dir/corpus"
if "$fuzz_dir/request_decode_fuzz" -max_total_time=60 -rss_limit_mb=2048 -print_final_stats=1 \
    "$fuzz_dir/corpus" > "$fuzz_dir/fuzz.log" 2>&1; then
  echo "fuzz: $(grep -E '^Done [0-9]+ runs' "$fuzz_dir/fuzz.log" | tail -1), no finding"
else
  tail -40 "$fuzz_dir/fuzz.log"
  echo "fuzz: FAILED (see $fuzz_dir/fuzz.log)"
  status=1
fi

# ctest's summaries last: they are what CI reads.
echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
exit $status
