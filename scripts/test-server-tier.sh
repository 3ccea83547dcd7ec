#!/usr/bin/env bash
# Runs the integration suites that accept DYNAFEAST_TEST_ENDPOINT against another DynamoDB-compatible
# server. Usage: scripts/test-server-tier.sh moto|dynamodb-local
# The server must be installed (CI: pip install "moto[server]"; bash scripts/dynamodb-local/install.sh);
# if it is not, this says so and fails, unless ALLOW_MISSING_TIER=1, where it reports "skipped" loudly.
# TIER_SUITES: other suites instead (space-separated); TIER_JEST_CONFIG: their jest config (e.g. the
# reliability tier's, whose 50k-item DynamoDB source suite scripts/test-reliability.sh runs here).
set -euo pipefail
cd "$(dirname "$0")/.."
tier="${1:-moto}"
suites=(test/int/plan-apply.int.test.ts test/int/teardown.int.test.ts test/int/materialize.int.test.ts test/int/materialize-dtypes.int.test.ts test/int/materialize-faults.int.test.ts test/int/online-read.int.test.ts test/int/online-feast-layout.int.test.ts test/int/online-feature-store.int.test.ts test/int/online-materialized.int.test.ts test/int/materialize-shards.int.test.ts test/int/dynamodb-source.int.test.ts test/int/dynamodb-source-spool.int.test.ts test/int/sql-dynamodb-source.int.test.ts)
[ -n "${TIER_SUITES:-}" ] && read -r -a suites <<<"$TIER_SUITES"

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
log=$(mktemp)
case "$tier" in
  moto)
    if ! command -v moto_server >/dev/null 2>&1; then
      echo "skipped: moto server not installed (pip install \"moto[server]\")" >&2
      [ "${ALLOW_MISSING_TIER:-}" = 1 ] && exit 0 || exit 1
    fi
    # its version, from the interpreter it runs on (a venv's) when that is python, else python3's moto
    moto_py=$(sed -n '1s/^#!//p' "$(command -v moto_server)")
    case "$moto_py" in *python*) ;; *) moto_py=python3 ;; esac
    moto_version=$($moto_py -c 'import moto; print(moto.__version__)' 2>/dev/null || true)
    moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
    ;;
  dynamodb-local)
    ddbl=.tiers/dynamodb-local
    if [ ! -f "$ddbl/installed" ] || ! command -v java >/dev/null 2>&1; then
      echo "skipped: DynamoDB Local not installed (needs java and mvn: bash scripts/dynamodb-local/install.sh)" >&2
      [ "${ALLOW_MISSING_TIER:-}" = 1 ] && exit 0 || exit 1
    fi
    # Run from its folder (it writes dynamodb-local-metadata.json to the working directory); -sharedDb so
    # every client sees the same tables whatever its credentials and region, as dynalite and moto do;
    # org.sqlite.lib.path so it loads the installed native library instead of unpacking one into /tmp.
    (cd "$ddbl" && exec java -Dorg.sqlite.lib.path=native -cp 'lib/*' com.amazonaws.services.dynamodbv2.local.main.ServerRunner \
      -inMemory -sharedDb -disableTelemetry -port "$port") >"$log" 2>&1 &
    ;;
  *) echo "unknown tier: $tier" >&2; exit 2 ;;
esac
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
# Up when it answers HTTP at all (DynamoDB Local answers a bare GET with 400); a JVM can take a while.
up=
for _ in $(seq 1 300); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then up=1; break; fi
  kill -0 $pid 2>/dev/null || break
  sleep 0.2
done
if [ -z "$up" ]; then
  echo "$tier server did not answer on 127.0.0.1:$port; its output:" >&2
  cat "$log" >&2
  exit 1
fi
echo "$tier server on 127.0.0.1:$port${moto_version:+ (moto $moto_version)}"
# moto also serves S3 on the same port: the S3 suites (test/s3/*.s3.ts: registry and sources in S3) run there too.
projects=(int)
if [ "$tier" = moto ] && [ -z "${TIER_SUITES:-}" ]; then
  suites+=(test/s3)
  projects+=(s3)
  npm run build >/dev/null # the S3 flow suite runs the built binary
  export DYNAFEAST_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
fi
select=(--selectProjects "${projects[@]}")
[ -n "${TIER_JEST_CONFIG:-}" ] && select=(-c "$TIER_JEST_CONFIG")
DYNAFEAST_TEST_ENDPOINT="http://127.0.0.1:$port" DYNAFEAST_TEST_SERVER="$tier" node --experimental-vm-modules --no-warnings=ExperimentalWarning \
  node_modules/jest/bin/jest.js "${suites[@]}" "${select[@]}"
