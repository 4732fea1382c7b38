#!/usr/bin/env bash
# Runs PromLake on this machine: installs and starts Azurite (blob storage),
# then the standalone server in Development on http://localhost:7071 with the
# documented tenant dev / dev. Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
data="$root/.data"
mkdir -p "$data/azurite"

if [ ! -x "$root/.tools/azurite/node_modules/.bin/azurite" ]; then
  echo "==> installing Azurite (npm)" >&2
  mkdir -p "$root/.tools/azurite"
  npm install --prefix "$root/.tools/azurite" --no-audit --no-fund --silent azurite@3 >/dev/null
fi

echo "==> starting Azurite (blob: http://127.0.0.1:10000)" >&2
"$root/.tools/azurite/node_modules/.bin/azurite" --silent --skipApiVersionCheck --disableTelemetry \
  --location "$data/azurite" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 &
azurite=$!
trap 'kill $azurite 2>/dev/null || true' EXIT

echo "==> starting the standalone server (http://localhost:7071, tenant dev / dev)" >&2
ASPNETCORE_ENVIRONMENT=Development \
PromLake__Log__Directory="$data/log" \
  dotnet run --project src/PromLake.Server -c Release -- "$@"
