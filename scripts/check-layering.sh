#!/usr/bin/env bash
# Dependencies point one way: engine <- net <- cluster <- apps, and engine <- net <- client <- bench.
# Fails if a library includes a header from a layer above it.
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
exit $bad
