#!/usr/bin/env bash
# PromQL range queries, PromLake against Prometheus, on the same data in the same run.
#
# One counter, bench_requests_total: 10,000 series (job in 10 values, instance unique), one
# sample a minute for the 24 hours before END (default: one hour before the current hour), counters
# with pseudo-random increments and a few resets, all deterministic (bench-data in this folder).
#   - Prometheus 2.42: the data as OpenMetrics text, `promtool tsdb create-blocks-from
#     openmetrics`, then `prometheus --storage.tsdb.retention.time=30d` on those blocks, with an
#     empty scrape configuration; it compacts them itself a minute after start, which we wait for.
#   - PromLake: the standalone server (Release, local durable log, 4 shards) on an Azurite of its
#     own, loaded by remote write 1.0 (2,000 series x 60 samples a request, hour by hour); then
#     we wait until the compactor has flushed everything, so queries read Parquet blocks only,
#     and until the hour and day merges have settled (MergeInterval 5 s here instead of 1 min;
#     the grace periods stay: an hour is merged 15 min after it ends, a UTC day 1 h after). With
#     the default END every hour is merged; the day before END's day is one day block per shard
#     once that day is an hour old, the hours of END's own day stay hour blocks.
# Then three range queries against both, alternating Prometheus and PromLake run by run: the
# first run of each query is reported apart ("first"), then the median of RUNS more (5 x RUNS for (b)
# and (c), which take milliseconds: one scheduling hiccup on the shared cores would otherwise
# move a median of 5). Both must
# return the same series with values equal within a relative 1e-6. Finally profile-query times
# PromLake's phases (download, Parquet decode, select, evaluation) for the same queries.
# Everything shares the machine: on a busy one, compare the two columns of one run, not runs.
#
#   bash tests/PromLake.Benchmarks/query/compare-queries.sh [runs]      (default 5; END=<unix s> to pin the data)
#
# The layout depends on the hour: soon after midnight UTC the data is mostly day blocks, late in the
# day mostly hour blocks. PromLake__Compactor__DayMergeGrace=3.00:00:00 in the environment keeps
# every hour an hour block (96 blocks), the layout of a day still open, at any hour.
#
# HOLD=<seconds> keeps both servers and their data up that long after the queries (their URLs and
# the server's process id are printed), for profiling by hand, e.g. with dotnet-trace.
#
# Needs prometheus and promtool (Debian's 2.42, as .ci/test.sh installs), node for Azurite, curl,
# the .NET 10 SDK (bench-data and profile-query are file-based apps: `dotnet run --file`), about
# 1.5 GB free in $TMPDIR for a few minutes, and 6 to 8 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$(pwd)
here="$root/tests/PromLake.Benchmarks/query"
runs=${1:-5}
end=${END:-$(( $(date +%s) / 3600 * 3600 - 3600 ))}
start=$((end - 24 * 3600))
work=$(mktemp -d -t promlake-qbench-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

log() { printf '==> %s\n' "$*" >&2; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p=$1; while port_in_use "$p"; do p=$((p + 1)); done; echo "$p"; }
wait_ready() {
  for _ in $(seq 1 600); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "not ready: $1" >&2
  return 1
}
# The helpers are .NET 10 file-based apps: built once below, then run without a build.
bench_data() { dotnet run -c Release --no-build --file "$here/bench-data" -- "$@"; }

# What the run needs, installed as .ci/test.sh installs it.
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  log "installing prometheus (Debian package)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
azurite_main="$root/.tools/azurite/node_modules/azurite/dist/src/blob/main.js"
if [ ! -f "$azurite_main" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    log "installing node and npm (Debian packages) for Azurite"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  log "installing azurite (npm package)"
  npm install --prefix "$root/.tools/azurite" --no-audit --no-fund --silent azurite@3 >/dev/null
fi

log "building the server and the helpers (Release)"
dotnet build -c Release -nologo -v quiet src/PromLake.Server >"$work/build.out" 2>&1 || { cat "$work/build.out"; exit 1; }
dotnet run -c Release --file "$here/bench-data" -- instance 0 >/dev/null
# Without arguments profile-query only prints its usage: that builds it.
dotnet run -c Release --file "$here/profile-query" >"$work/profile-build.out" 2>&1 || true
grep -q '^usage: profile-query' "$work/profile-build.out" || { cat "$work/profile-build.out"; exit 1; }

echo "data: 10,000 series x 1,440 samples, $(date -u -d "@$start" '+%Y-%m-%d %H:%M') to $(date -u -d "@$end" '+%Y-%m-%d %H:%M') UTC (END=$end)"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git status --porcelain 2>/dev/null | grep -q . && echo ' (working tree modified)')"

# ---- Prometheus: OpenMetrics → promtool → blocks → prometheus
log "writing OpenMetrics and creating TSDB blocks with promtool (about 2 minutes)"
bench_data openmetrics "$end" "$work/data.om"
promtool tsdb create-blocks-from openmetrics "$work/data.om" "$work/tsdb" >"$work/promtool.out"
rm -f "$work/data.om"
tsdb_blocks=$(find "$work/tsdb" -mindepth 1 -maxdepth 1 -type d | wc -l)
tsdb_bytes=$(du -cb "$work/tsdb"/*/ | tail -1 | cut -f1)

prom_port=$(free_port 19390)
printf 'global:\n  scrape_interval: 1m\nscrape_configs: []\n' >"$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" --storage.tsdb.retention.time=30d \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.out" 2>&1 &
pids+=($!)
prom_started=$(date +%s)
wait_ready "http://127.0.0.1:$prom_port/-/ready"
prom="http://127.0.0.1:$prom_port"

# ---- PromLake: Azurite, the server, remote write, the compactor drained
azurite_port=$(free_port 10190)
node "$azurite_main" --blobHost 127.0.0.1 --blobPort "$azurite_port" --inMemoryPersistence \
  --skipApiVersionCheck --disableTelemetry --silent >"$work/azurite.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do port_in_use "$azurite_port" && break; sleep 0.1; done
connection="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$azurite_port/devstoreaccount1;"
container="qbench-$end"

lake_port=$(free_port 19391)
ASPNETCORE_ENVIRONMENT=Development PromLake__Log__Directory="$work/log" \
  PromLake__Storage__ConnectionString="$connection" PromLake__Storage__ContainerName="$container" \
  PromLake__Compactor__MergeInterval=00:00:05 \
  dotnet "$root/src/PromLake.Server/bin/Release/net10.0/PromLake.Server.dll" --urls "http://127.0.0.1:$lake_port" \
  >"$work/promlake.out" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$lake_port/-/ready"
lake="http://127.0.0.1:$lake_port"

log "loading PromLake by remote write"
bench_data write "$end" "$lake/api/v1/write" dev:dev 2
# The compactor flushes every FlushInterval (5 s) while it has data: 15 s without a new flush
# means every shard's buffer is empty and its checkpoint is at the end of the log.
flushes=-1
for _ in $(seq 1 60); do
  now=$(grep -c 'level-0 blobs' "$work/promlake.out" || true)
  [ "$now" = "$flushes" ] && break
  flushes=$now
  sleep 15
done
# Merges run every 5 s (MergeInterval above). Every hour of the data ended at least 15 min ago (the
# hour merge's grace) unless END was pinned later, so then the merges are done when no level-0 blob
# is left; otherwise when the blob listing stayed the same over 30 s with no merge logged. (A day
# merge on a busy machine can take longer than 30 s, during which the listing does not change.)
log "waiting for the hour and day merges to settle"
all_hours_due=$(( $(date +%s) - end >= 900 ? 1 : 0 ))
layout="" merges=-1
for _ in $(seq 1 60); do
  now_layout=$(bench_data blobs "$connection" "$container")
  now_merges=$(grep -c 'merged .* block(s) into' "$work/promlake.out" || true)
  read -r _ _ _ now_l0 _ _ <<<"$now_layout"
  if [ "$now_layout" = "$layout" ] && [ "$now_merges" = "$merges" ] && { [ "$all_hours_due" = 0 ] || [ "$now_l0" = 0 ]; }; then
    break
  fi
  layout=$now_layout merges=$now_merges
  sleep 30
done
read -r parquet_blobs parquet_bytes parquet_folders blocks_l0 blocks_hour blocks_day <<<"$layout"
# Queries must then read merged blocks only.
if [ "$blocks_l0" != 0 ] && [ "$all_hours_due" = 1 ]; then
  echo "level-0 blobs left after the merges settled: $layout (blobs bytes folders l0 hour day)" >&2
  exit 1
fi

# Prometheus compacts the promtool blocks one minute after start; measure after that.
while [ $(( $(date +%s) - prom_started )) -lt 70 ]; do sleep 2; done
blocks_loaded() { curl -fs "$prom/metrics" | awk '$1 == "prometheus_tsdb_blocks_loaded" { print $2 }'; }
previous=""
for _ in $(seq 1 30); do
  current=$(blocks_loaded)
  [ "$current" = "$previous" ] && break
  previous=$current
  sleep 5
done

samples=$((10000 * 1440))
echo
echo "storage for the same $samples samples:"
awk -v b="$tsdb_bytes" -v n="$samples" -v k="$tsdb_blocks" -v l="$(blocks_loaded)" 'BEGIN {
  printf "  Prometheus TSDB (promtool blocks): %.1f MB in %d blocks = %.2f bytes/sample (%s blocks after its own compaction)\n", b / 1e6, k, b / n, l }'
awk -v b="$parquet_bytes" -v n="$samples" -v k="$parquet_blobs" -v f="$flushes" -v z="$blocks_l0" -v h="$blocks_hour" -v d="$blocks_day" -v m="$merges" 'BEGIN {
  printf "  PromLake Parquet (merged):         %.1f MB in %d blobs (%d day, %d hour, %d level-0 blocks; %d flushes, %d merges) = %.2f bytes/sample\n", b / 1e6, k, d, h, z, f, m, b / n }'

# ---- the queries
instance=$(bench_data instance 4242)
names=(a b c)
exprs=(
  'sum by (job) (rate(bench_requests_total[5m]))'
  "rate(bench_requests_total{instance=\"$instance\"}[5m])"
  'topk(10, rate(bench_requests_total[5m]))'
)
starts=("$start" "$start" "$((end - 3600))")
repeats=("$runs" "$((runs * 5))" "$((runs * 5))")

# query <file> <base-url> <expr> <start> [curl options]: prints the seconds the request took.
query() {
  local out=$1 url=$2 expr=$3 from=$4
  shift 4
  local answer
  answer=$(curl -sS -o "$out" -w '%{http_code} %{time_total}' "$@" -G "$url/api/v1/query_range" \
    --data-urlencode "query=$expr" --data-urlencode "start=$from" --data-urlencode "end=$end" --data-urlencode "step=60")
  if [ "${answer%% *}" != 200 ]; then
    echo "HTTP ${answer%% *} from $url for $expr: $(head -c 300 "$out")" >&2
    return 1
  fi
  echo "${answer#* }"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ms() { awk -v s="$1" 'BEGIN { m = s * 1000; if (m >= 1000) printf "%.2f s", s; else if (m >= 10) printf "%.0f ms", m; else printf "%.1f ms", m }'; }

log "querying: each query once, then ${repeats[*]} more times, Prometheus and PromLake in turn"
status=0
rows=()
for q in 0 1 2; do
  name=${names[$q]} expr=${exprs[$q]} from=${starts[$q]}
  for run in $(seq 0 "${repeats[$q]}"); do
    query "$work/$name.prometheus.json" "$prom" "$expr" "$from" >>"$work/$name.prometheus.times"
    query "$work/$name.promlake.json" "$lake" "$expr" "$from" -u dev:dev >>"$work/$name.promlake.times"
  done
  if check=$(bench_data compare "$work/$name.prometheus.json" "$work/$name.promlake.json" 2>"$work/$name.compare.err"); then
    read -r series points diff <<<"$check"
    same="$series series, $points points, max rel. diff $diff"
  else
    same="MISMATCH: $check $(head -3 "$work/$name.compare.err" | tr '\n' ' ')"
    status=1
  fi
  p_first=$(head -1 "$work/$name.prometheus.times"); p_med=$(tail -n +2 "$work/$name.prometheus.times" | median)
  l_first=$(head -1 "$work/$name.promlake.times"); l_med=$(tail -n +2 "$work/$name.promlake.times" | median)
  ratio=$(awk -v l="$l_med" -v p="$p_med" 'BEGIN { r = l / p; printf (r >= 10 ? "%.0f×" : "%.2f×"), r }')
  rows+=("| ($name) \`$expr\` | $(ms "$p_first") | $(ms "$p_med") | $(ms "$l_first") | $(ms "$l_med") | $ratio | $same |")
done

echo
echo "range queries, step 60 s; (a) and (b) over the 24 hours, (c) over the last hour; first run, then the median of ${repeats[0]} for (a) and ${repeats[1]} for (b) and (c):"
echo
echo "| query | Prometheus first | Prometheus median | PromLake first | PromLake median | PromLake / Prometheus | same answer |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
printf '%s\n' "${rows[@]}"
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ -n "${HOLD:-}" ]; then
  log "holding for $HOLD s: prometheus $prom, promlake $lake (user dev:dev, process ${pids[2]}), END=$end start=$start, azurite $connection container $container"
  sleep "$HOLD"
fi

log "where PromLake's time goes (profile-query: the product's classes in one process, a first run and the median of 5)"
# (a) once more without the sum, to separate rate() from the aggregation.
names+=("a without the sum"); exprs+=('rate(bench_requests_total[5m])'); starts+=("$start")
for q in 0 1 2 3; do
  echo
  echo "(${names[$q]}) ${exprs[$q]}"
  dotnet run -c Release --no-build --file "$here/profile-query" -- "$connection" "$container" dev "${starts[$q]}" "$end" 60 "${exprs[$q]}" 5
done
exit "$status"
