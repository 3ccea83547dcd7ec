#!/usr/bin/env bash
# The reliability tier (issue 8): fault proxy, chaos materialize/read, interruption, concurrency, the
# bad-input corpus, secrets, permissions and the feature server under load (issue 18). Builds the binary
# first (most suites spawn it), then runs every test/reliability/**/*.rel.ts. Extra arguments go to jest
# (e.g. a path to run one suite).
# CHAOS_ROWS overrides the chaos test's row count (default 200000).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
exec node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js \
  -c test/reliability/jest.config.js "$@"
