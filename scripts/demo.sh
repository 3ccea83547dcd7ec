#!/usr/bin/env bash
# The README's first command runs this (after installing): a feature repo on the embedded DynamoDB,
# from nothing to features read back. Works on a fresh machine with no AWS account.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dynafeast() { node "$root/bin/dynafeast.js" "$@"; }
# A folder of its own is removed when the demo ends, also on failure or Ctrl-C; one named in DEMO_DIR is
# the user's and is kept for a look afterwards.
if [ -n "${DEMO_DIR:-}" ]; then
  work="$DEMO_DIR"
  mkdir -p "$work"
  echo "demo folder: $work (kept)"
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/dynafeast-demo.XXXXXX")"
  cleanup() {
    local status=$1
    cd /
    rm -rf "$work"
    echo "demo folder $work removed; DEMO_DIR=<folder> npm run demo keeps the repo" >&2
    exit "$status"
  }
  trap '{ status=$?; set +x; } 2>/dev/null; cleanup "$status"' EXIT
  # Ctrl-C / kill: exit with the signal's code, which runs the EXIT trap once
  trap 'exit 130' INT
  trap 'exit 143' TERM
  echo "demo folder: $work (removed at the end; set DEMO_DIR to keep it)"
fi
cd "$work"
set -x
dynafeast init demo -t local
cd demo/feature_repo
dynafeast validate
dynafeast plan
dynafeast apply
dynafeast plan --detailed-exitcode
dynafeast list feature-views
dynafeast materialize-incremental now
dynafeast get-online-features -f driver_hourly_stats:conv_rate -f driver_hourly_stats:avg_daily_trips \
  -e driver_id=1001 -e driver_id=1002 -e driver_id=1005 --with-status
dynafeast get-online-features --feature-service driver_activity -e driver_id=1003 --output table
