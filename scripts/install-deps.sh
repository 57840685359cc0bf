#!/usr/bin/env bash
# Installs every package ringlog needs to build, test and benchmark on Debian 12.
# Idempotent and quick when everything is present: apt-get runs only for what is missing.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config git
  # net/kafka/gen/generate.py runs at build time (standard library only)
  python3
  # libraries
  liburing-dev libmimalloc-dev libfmt-dev libisal-dev libcli11-dev
  # compressed batches (gzip, snappy, lz4, zstd) for the client's consumer
  zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev fio
  # Kafka clients used by integration tests and perf comparisons
  kcat librdkafka-dev
  # formatting (STYLE.md: every machine formats alike) and the libFuzzer build
  clang-format-19 clang-19 libclang-rt-19-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
