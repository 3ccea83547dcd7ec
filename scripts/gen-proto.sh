#!/usr/bin/env bash
# Regenerates src/gen/ from proto/ with buf + protoc-gen-es (both pinned in package-lock.json).
# The output is committed, so building dynafeast never needs buf; rerun this after editing proto/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
buf="$root/node_modules/.bin/buf"
if ! "$buf" --version >/dev/null 2>&1; then
  echo "gen-proto: $buf does not run; run 'npm ci' (the @bufbuild/buf binary ships in @bufbuild/buf-<platform>)" >&2
  exit 1
fi
cd "$root/proto"
"$buf" lint
"$buf" generate --template buf.gen.yaml
echo "gen-proto: wrote $(find "$root/src/gen" -name '*_pb.ts' | wc -l) files to src/gen/"
