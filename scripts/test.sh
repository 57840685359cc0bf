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

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
exit $status
