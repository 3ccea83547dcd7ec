#!/usr/bin/env bash
# The README's first command runs this (after installing): a feature repo on the embedded DynamoDB,
# from nothing to features read back. Works on a fresh machine with no AWS account.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dynafeast() { node "$root/bin/dynafeast.js" "$@"; }
work="${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/dynafeast-demo.XXXXXX")}"
echo "demo folder: $work"
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
