#!/usr/bin/env bash
# Publishing throughput through the real Azure.Messaging.EventHubs client: the
# standalone server with Event Hubs as its log, against the fake broker (in its
# own process), driven by the load generator. Prints samples/s from the
# generator and events/s and MB/s from the server's own log counters.
#
#   bash tests/PromLake.Benchmarks/load/eventhubs-publish.sh [duration-seconds] [concurrency]
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$(pwd)
duration=${1:-20}
concurrency=${2:-8}
work=$(mktemp -d -t promlake-ehload-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build -c Release -nologo -v quiet src/PromLake.Server >/dev/null
dotnet build -c Release -nologo -v quiet src/PromLake.LoadGenerator >/dev/null
dotnet build -c Release -nologo -v quiet tests/PromLake.EventHubsFake >/dev/null

dotnet "$root/tests/PromLake.EventHubsFake/bin/Release/net10.0/PromLake.EventHubsFake.dll" --port 17272 --partitions 4 >"$work/broker.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q '^Endpoint=' "$work/broker.out" 2>/dev/null && break; sleep 0.1; done
connection=$(grep '^Endpoint=' "$work/broker.out")

ASPNETCORE_ENVIRONMENT=Development PromLake__EventHubs__ConnectionString="$connection" PromLake__EventHubs__ShardCount=4 \
  dotnet "$root/src/PromLake.Server/bin/Release/net10.0/PromLake.Server.dll" --urls http://127.0.0.1:17273 >"$work/server.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do curl -fs http://127.0.0.1:17273/-/ready >/dev/null 2>&1 && break; sleep 0.1; done

counter() { curl -fs http://127.0.0.1:17273/metrics | awk -v n="$1" '$1 == n { print $2 }'; }
events0=$(counter promlake_log_events_total); bytes0=$(counter promlake_log_event_bytes_total)
start=$(date +%s.%N)
dotnet "$root/src/PromLake.LoadGenerator/bin/Release/net10.0/PromLake.LoadGenerator.dll" \
  --url http://127.0.0.1:17273/api/v1/write --basic-auth dev:dev --concurrency "$concurrency" --duration "$duration" --warmup 0
end=$(date +%s.%N)
events1=$(counter promlake_log_events_total); bytes1=$(counter promlake_log_event_bytes_total)
awk -v e0="${events0:-0}" -v e1="$events1" -v b0="${bytes0:-0}" -v b1="$bytes1" -v s="$start" -v t="$end" 'BEGIN {
  secs = t - s
  printf "event hubs publish: %d events, %.1f MB in %.1f s = %.0f events/s, %.1f MB/s (avg event %.1f KiB)\n",
    e1 - e0, (b1 - b0) / 1e6, secs, (e1 - e0) / secs, (b1 - b0) / 1e6 / secs, (b1 - b0) / (e1 - e0) / 1024 }'
