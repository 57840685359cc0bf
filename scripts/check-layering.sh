#!/usr/bin/env bash
# Source checks that need no compiler:
# 1. Dependencies point one way: engine <- net <- cluster <- apps, engine <- net <- client <- bench.
#    A library must not include a header from a layer above it.
# 2. No coroutine patterns that GCC 12.2 (Debian 12) miscompiles (check_coroutine_hazards.py).
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A forbidden=(
  [engine]="net cluster client apps bench"
  [net]="cluster client apps bench"
  [cluster]="client apps bench"
  [client]="cluster apps bench"
)
bad=0
for lib in "${!forbidden[@]}"; do
  [ -d "$lib" ] || continue
  for upper in ${forbidden[$lib]}; do
    if grep -rnE "#include \"${upper}/" "$lib" --include='*.h' --include='*.cc' ; then
      echo "layering: ${lib}/ must not include ${upper}/ (see DESIGN.md)"
      bad=1
    fi
  done
done

python3 scripts/check_coroutine_hazards.py || bad=1
exit $bad
