#!/usr/bin/env bash
# The test command (README): installs and starts what the tests need (PostgreSQL, Chromium for the browser tests), runs every test against the real PostgreSQL, then brings docker-compose.cluster.yml up for real (scripts/compose-smoke.sh; needs root for the Docker engine, says why when it cannot run).
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter Category=Unit
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/ensure-postgres.sh
bash scripts/ensure-chromium.sh
bash scripts/ensure-fault-tools.sh
# The fault suite's measured figures (bounds and times per case) are collected here and printed at the end.
figures=artifacts/faults/figures.txt
rm -f "$figures"
log=$(mktemp)
set +e
dotnet test Totallator.sln -c Release "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One plain closing line: "N passed, N failed".
summary=$(grep -E '^(Passed|Failed)!' "$log" | tail -n 1)
passed=$(sed -nE 's/.*Passed: *([0-9]+).*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.*Failed: *([0-9]+),.*/\1/p' <<<"$summary")
rm -f "$log"
if [ -s "$figures" ]; then
  echo "Fault suite figures:"
  cat "$figures"
fi
echo "${passed:-0} passed, ${failed:-0} failed"
# docker-compose.cluster.yml brought up for real, a silo container killed, then all torn down (scripts/compose-smoke.sh).
# Only with the whole suite (no extra arguments); it says why when it cannot run here (no engine, not root).
if [ "$#" -eq 0 ] && [ "${TOTALLATOR_SKIP_COMPOSE_SMOKE:-}" != 1 ]; then
  bash scripts/compose-smoke.sh || rc=1
fi
exit "$rc"
