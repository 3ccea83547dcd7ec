#!/usr/bin/env bash
# Regenerates src/gen/ from proto/ with buf + protoc-gen-es (both pinned in package-lock.json).
# The output is committed, so building dynafeast never needs buf; rerun this after editing proto/.
#   scripts/gen-proto.sh           write src/gen/ (npm run gen:proto)
#   scripts/gen-proto.sh --check   generate into a temp folder and fail if src/gen/ differs from it, i.e.
#                                  someone edited proto/ or src/gen/ without regenerating (npm run gen:proto:check)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
buf="$root/node_modules/.bin/buf"
if ! "$buf" --version >/dev/null 2>&1; then
  echo "gen-proto: $buf does not run; run 'npm ci' (the @bufbuild/buf binary ships in @bufbuild/buf-<platform>)" >&2
  exit 1
fi
cd "$root/proto"
"$buf" lint
if [ "${1:-}" != "--check" ]; then
  "$buf" generate --template buf.gen.yaml
  echo "gen-proto: wrote $(find "$root/src/gen" -name '*_pb.ts' | wc -l) files to src/gen/"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The same template with its output pointed at the temp folder: buf.gen.yaml stays the one description.
sed "s#out: ../src/gen#out: $tmp/gen#" buf.gen.yaml >"$tmp/buf.gen.yaml"
if ! grep -q "out: $tmp/gen" "$tmp/buf.gen.yaml"; then
  echo "gen-proto: buf.gen.yaml no longer writes to ../src/gen; update scripts/gen-proto.sh --check to match" >&2
  exit 1
fi
"$buf" generate --template "$tmp/buf.gen.yaml"
if ! diff -r -u "$tmp/gen" "$root/src/gen"; then
  echo "gen-proto: src/gen/ does not match proto/ (diff above: generated vs committed); run 'npm run gen:proto' and commit the result" >&2
  exit 1
fi
echo "gen-proto: src/gen/ matches proto/ ($(find "$tmp/gen" -name '*_pb.ts' | wc -l) files)"
