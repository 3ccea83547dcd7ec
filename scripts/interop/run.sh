#!/usr/bin/env bash
# The interop tier (docs/interop.md): dynafeast against the real Feast SDK from PyPI, in both
# directions, on `dynafeast local` (dynalite) and, when moto_server is on PATH, on moto server too.
# Usage: scripts/interop/run.sh [jest args]      (npm run test:interop)
# Env:   ALLOW_MISSING_TIER=1  exit 0 (loudly "skipped") where Python is missing
#        INTEROP_SKIP_BUILD=1  use the existing dist/ instead of `npm run build`
#        INTEROP_KEEP=1        keep the temporary repos, data and server folders for inspection
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)

set +e
py=$(bash scripts/interop/setup.sh)
rc=$?
set -e
if [ "$rc" = 3 ]; then exit 0; fi # skipped, already said so on stderr (ALLOW_MISSING_TIER=1)
if [ "$rc" != 0 ]; then exit "$rc"; fi

if [ "${INTEROP_SKIP_BUILD:-}" != 1 ]; then npm run --silent build; fi

jest() {
  INTEROP_PYTHON="$py" node --experimental-vm-modules --no-warnings=ExperimentalWarning \
    node_modules/jest/bin/jest.js -c test/interop/jest.config.js "$@"
}

status=0
echo "interop: Feast $("$py" -c 'import feast; print(feast.__version__)') on dynalite (dynafeast local)" >&2
# the S3 registry suite needs moto (S3) and the 50k-item DynamoDB source suite is moto's: they run below
INTEROP_SERVER=dynalite jest "$@" --testPathIgnorePatterns feast-s3-registry dynamodb-source-50k || status=1  # paths first: the option takes every word after it

if command -v moto_server >/dev/null 2>&1; then
  echo "interop: the round trip again on moto server, the S3 registry shared with Feast, and a 50k-item DynamoDB source view (resumed materialize, parquet twin, verify, Feast's read; ~13 min)" >&2
  INTEROP_SERVER=moto jest test/interop/feast-roundtrip.interop.test.ts test/interop/feast-s3-registry.interop.test.ts \
    test/interop/dynamodb-source-50k.interop.test.ts || status=1
else
  echo "interop: moto round trip skipped: moto_server not installed (pip install \"moto[server]\")" >&2
fi
echo "interop: $([ $status = 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - started ))s" >&2
exit $status
