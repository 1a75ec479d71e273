#!/usr/bin/env bash
# The test command (README): installs and starts what the tests need (PostgreSQL, Chromium for the browser tests), then runs every test against the real PostgreSQL.
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
exit "$rc"
