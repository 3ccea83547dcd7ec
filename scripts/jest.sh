#!/usr/bin/env bash
# Runs jest with the flag ESM needs. `scripts/jest.sh unit|int|e2e [jest args...]` runs one tier (a project of
# jest.config.js); the arguments go through, so `npm run test:unit -- test/unit/cli` runs only that path.
# --selectProjects goes last on purpose: it takes a list, so a path after it would be read as a project name.
set -euo pipefail
cd "$(dirname "$0")/.."
project="$1"
shift
exec node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js "$@" --selectProjects "$project"
