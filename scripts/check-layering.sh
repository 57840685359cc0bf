#!/usr/bin/env bash
# Source checks that need no compiler:
# 1. Dependencies point one way: engine <- net <- cluster <- apps, engine <- net <- client <- bench.
#    A library must not include a header from a layer above it.
# 2. No `co_await` inside an if/while condition: GCC 12.2 (Debian 12) miscompiles it (the
#    coroutine traps or loses state). Bind the awaited value to a local first.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A forbidden=(
  [engine]="net cluster client apps bench"
  [net]="cluster client apps bench"
  [cluster]="client apps bench"
  [client]="cluster apps"
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

dirs=$(ls -d engine net cluster client apps bench tests 2>/dev/null || true)
if grep -rnE "(if|while) \(!?[[:space:]]*co_await" $dirs --include='*.h' --include='*.cc'; then
  echo "co_await inside an if/while condition: GCC 12 miscompiles it; bind to a local first"
  bad=1
fi
exit $bad
