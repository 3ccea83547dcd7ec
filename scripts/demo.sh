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
