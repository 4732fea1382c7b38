#!/usr/bin/env bash
# Runs the load generator against PromLake's standalone server and against
# Prometheus's own receiver (prometheus --web.enable-remote-write-receiver), one
# after the other in the same run, with the same workload, each on fresh storage.
#
#   bash tests/PromLake.Benchmarks/load/compare-receivers.sh [duration-seconds] [concurrency]
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$(pwd)
duration=${1:-20}
concurrency=${2:-8}
work=$(mktemp -d -t promlake-load-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build -c Release -nologo -v quiet src/PromLake.Server >/dev/null
dotnet build -c Release -nologo -v quiet src/PromLake.LoadGenerator >/dev/null
generator=(dotnet "$root/src/PromLake.LoadGenerator/bin/Release/net10.0/PromLake.LoadGenerator.dll")

wait_ready() {
  for _ in $(seq 1 300); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "not ready: $1" >&2
  return 1
}

echo "== PromLake standalone server (local durable log, 4 shards)"
ASPNETCORE_ENVIRONMENT=Development PromLake__Log__Directory="$work/promlake-log" \
  dotnet "$root/src/PromLake.Server/bin/Release/net10.0/PromLake.Server.dll" --urls http://127.0.0.1:17171 \
  >"$work/promlake.out" 2>&1 &
pids+=($!)
wait_ready http://127.0.0.1:17171/-/ready
"${generator[@]}" --url http://127.0.0.1:17171/api/v1/write --basic-auth dev:dev \
  --concurrency "$concurrency" --duration "$duration" --json | tee "$work/promlake.result"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

echo "== Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') receiver (TSDB)"
printf 'global:\n  scrape_interval: 1m\nscrape_configs: []\n' >"$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address=127.0.0.1:17172 --web.enable-remote-write-receiver --log.level=warn \
  >"$work/prometheus.out" 2>&1 &
pids+=($!)
wait_ready http://127.0.0.1:17172/-/ready
"${generator[@]}" --url http://127.0.0.1:17172/api/v1/write \
  --concurrency "$concurrency" --duration "$duration" --json | tee "$work/prometheus.result"
