#!/usr/bin/env bash
# The reliability tier (issue 8): fault proxy, chaos materialize/read, interruption, concurrency, the
# bad-input corpus, secrets, permissions and the feature server under load (issue 18). Builds the binary
# first (most suites spawn it), then runs every test/reliability/**/*.rel.ts. Extra arguments go to jest
# (e.g. a path to run one suite).
# CHAOS_ROWS overrides the chaos test's row count (default 200000).
# Without arguments it then runs the 50k-item DynamoDB source suite (issue 20) again against each server
# of RELIABILITY_50K_SERVERS (default: dynamodb-local, ~3.5 min; add moto for ~18 min more: moto 5.2
# spends ~3.4 ms of CPU per item it returns from a Scan of the source, and the suite scans it 3 times;
# the interop tier runs materialize, resume, the parquet twin, verify and Feast's read at 50k on moto,
# scanning it twice). scripts/test-server-tier.sh starts each server (ALLOW_MISSING_TIER=1 as there).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
status=0
node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js \
  -c test/reliability/jest.config.js "$@" || status=1
if [ $# -eq 0 ]; then
  for tier in ${RELIABILITY_50K_SERVERS:-dynamodb-local}; do
    started=$(date +%s)
    TIER_SUITES=test/reliability/dynamodb-source-50k.rel.ts TIER_JEST_CONFIG=test/reliability/jest.config.js \
      bash scripts/test-server-tier.sh "$tier" || status=1
    echo "reliability: 50k-item DynamoDB source suite on $tier: $(( $(date +%s) - started )) s" >&2
  done
fi
exit $status
