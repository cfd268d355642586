#!/usr/bin/env bash
# One command on a fresh machine: install, build, start Kafka + FerretDB (or use
# KAFKA_BROKERS / MONGODB_URI), the demo Okta org, both apps, connect the demo
# org and run a first sync. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in node npm java mvn go; do
  command -v "$tool" >/dev/null 2>&1 || { echo "start: '$tool' is not on PATH (see README, Requirements)" >&2; exit 1; }
done
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
exec node dist/scripts/start-all.js "$@"
