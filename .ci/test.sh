#!/usr/bin/env bash
# Runs every test of PromLake: builds the solution, installs what the tests
# need (real Prometheus from Debian), runs all test projects and prints one
# closing line "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

log() { printf '==> %s\n' "$*" >&2; }

if ! command -v prometheus >/dev/null 2>&1; then
  log "installing prometheus (Debian package) for the end-to-end tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

# Azurite, the local blob storage, for the checkpoint and lease tests (npm package,
# kept in .tools/ so it is installed once per machine).
azurite_main="$root/.tools/azurite/node_modules/azurite/dist/src/blob/main.js"
if [ ! -f "$azurite_main" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    log "installing node and npm (Debian packages) for Azurite"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  log "installing azurite (npm package)"
  npm install --prefix "$root/.tools/azurite" --no-audit --no-fund --silent azurite@3 >/dev/null
fi

results="$root/.data/test-results"
rm -rf "$results"
mkdir -p "$results"

azurite_pid=""
cleanup() {
  # Test processes clean up after themselves; this catches anything a killed run left behind.
  pkill -f 'promlake-e2e-' >/dev/null 2>&1 || true
  if [ -n "$azurite_pid" ]; then
    kill "$azurite_pid" >/dev/null 2>&1 || true
    wait "$azurite_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

log "building (Release)"
dotnet build Functions.sln -c Release -nologo -v quiet

# Azurite's usual port when it is free, else the next free one. In memory: nothing to clean up.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
azurite_port=10000
while port_in_use "$azurite_port" && [ "$azurite_port" -lt 10100 ]; do azurite_port=$((azurite_port + 1)); done
log "starting azurite on 127.0.0.1:$azurite_port"
node "$azurite_main" --blobHost 127.0.0.1 --blobPort "$azurite_port" --inMemoryPersistence \
  --skipApiVersionCheck --disableTelemetry --silent >"$root/.data/azurite.log" 2>&1 &
azurite_pid=$!
for _ in $(seq 1 300); do
  if port_in_use "$azurite_port" || ! kill -0 "$azurite_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if port_in_use "$azurite_port" && kill -0 "$azurite_pid" 2>/dev/null; then
  export PROMLAKE_AZURITE_BLOB="http://127.0.0.1:$azurite_port/devstoreaccount1"
else
  # The blob tests then start an Azurite of their own.
  log "azurite did not start (see .data/azurite.log)"
fi

log "running tests"
status=0
dotnet test Functions.sln -c Release --no-build -nologo -v quiet \
  --logger "trx" --results-directory "$results" || status=$?

passed=0; failed=0; skipped=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # dotnet test failed without a failing test (a crash or a build problem): count it.
  failed=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
