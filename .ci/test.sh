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

results="$root/.data/test-results"
rm -rf "$results"
mkdir -p "$results"

cleanup() {
  # Test processes clean up after themselves; this catches anything a killed run left behind.
  pkill -f 'promlake-e2e-' >/dev/null 2>&1 || true
}
trap cleanup EXIT

log "building (Release)"
dotnet build Functions.sln -c Release -nologo -v quiet

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
