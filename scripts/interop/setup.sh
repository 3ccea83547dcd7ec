#!/usr/bin/env bash
# Creates (once) the Python virtualenv holding the Feast SDK that the interop tier talks to.
# Usage: scripts/interop/setup.sh     prints the venv's python path on stdout (everything else: stderr)
# Exit:  0 ready; 1 failed, or Python missing; 3 Python missing and ALLOW_MISSING_TIER=1 (skip).
# Env:   INTEROP_VENV (default .venv-interop).
# The pin lives here and in docs/interop.md; bump both together.
set -euo pipefail
cd "$(dirname "$0")/../.."
FEAST_PIN="feast[aws]==0.67.0"
venv="${INTEROP_VENV:-.venv-interop}"
stamp="$venv/.dynafeast-interop"

skip() {
  echo "skipped: no Python ($1)" >&2
  if [ "${ALLOW_MISSING_TIER:-}" = 1 ]; then exit 3; fi
  exit 1
}

py=""
for cand in python3.11 python3 python; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
    py="$cand"
    break
  fi
done
[ -n "$py" ] || skip "python3 >= 3.10 not found on PATH"
"$py" -m venv --help >/dev/null 2>&1 || skip "$py has no venv module (apt-get install python3-venv)"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$FEAST_PIN" ] && "$venv/bin/python" -c 'import feast' 2>/dev/null; then
  echo "interop venv ready: $venv ($FEAST_PIN, cached)" >&2
else
  start=$(date +%s)
  echo "creating $venv with $FEAST_PIN (first run takes a few minutes)" >&2
  rm -rf "$venv"
  "$py" -m venv "$venv"
  "$venv/bin/python" -m ensurepip --upgrade >/dev/null 2>&1 || true
  "$venv/bin/python" -m pip --version >/dev/null 2>&1 || skip "$py's venv has no pip (apt-get install python3-venv)"
  # A failed install (no network, no wheel for this Python) is a failure, never a skip.
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$FEAST_PIN" >&2 \
    || { echo "pip install $FEAST_PIN failed (is the package index reachable?)" >&2; exit 1; }
  echo "$FEAST_PIN" >"$stamp"
  echo "installed $FEAST_PIN in $(( $(date +%s) - start ))s" >&2
fi
echo "$(cd "$venv" && pwd)/bin/python"
