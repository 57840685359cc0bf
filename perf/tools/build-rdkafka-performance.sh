#!/usr/bin/env bash
# Builds rdkafka_performance from the example librdkafka-dev ships, with our stand-ins for the
# internal headers it includes, into $1 (default build/perf-tools). Prints the binary's path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../../build/perf-tools"}
src=/usr/share/doc/librdkafka-dev/examples/rdkafka_performance.c
[ -f "$src" ] || { echo "missing $src: apt-get install librdkafka-dev" >&2; exit 1; }
mkdir -p "$out/examples" "$out/src" "$out/include"
cp "$src" "$out/examples/rdkafka_performance.c"
for h in "$out/src/rd.h" "$out/include/rd.h" "$out/include/rdtime.h"; do
  printf '#include "%s/rd_shim.h"\n' "$here" > "$h"
done
if [ ! -x "$out/rdkafka_performance" ] || [ "$src" -nt "$out/rdkafka_performance" ] || [ "$here/rd_shim.h" -nt "$out/rdkafka_performance" ]; then
  cc -O2 -w -I "$out/include" -I /usr/include/librdkafka "$out/examples/rdkafka_performance.c" \
     -o "$out/rdkafka_performance" -lrdkafka -lpthread -lm
fi
echo "$out/rdkafka_performance"
