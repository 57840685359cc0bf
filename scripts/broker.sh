#!/usr/bin/env bash
# Installs dependencies, builds the release preset and starts a single-node broker on
# 127.0.0.1:9092 with data in ./ringlog-data.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
exec build/release/apps/ringlog/ringlog broker "$@"
