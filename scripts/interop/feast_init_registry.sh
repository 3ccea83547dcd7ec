#!/usr/bin/env bash
# Writes test/fixtures/feast/init-registry.db: the registry.db that `feast apply` writes for the repo
# `feast init` creates (Feast's starter repo: Map/Json/Struct features, push sources, on-demand views,
# feature services, a label view). The registry does not depend on the online store, so Feast's default
# (SQLite) is kept and nothing outside a temp folder is touched.
# Usage: scripts/interop/feast_init_registry.sh [OUT]   (needs the interop venv: scripts/interop/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-test/fixtures/feast/init-registry.db}"
py=$(bash scripts/interop/setup.sh)
feast="$(dirname "$py")/feast"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && "$feast" init demo >/dev/null && cd demo/feature_repo && "$feast" apply >/dev/null 2>&1)
cp "$tmp/demo/feature_repo/data/registry.db" "$out"
echo "wrote $out ($(wc -c <"$out") bytes) with $("$py" -c 'import feast; print("feast", feast.__version__)')"
