#!/usr/bin/env bash
# The write-path scenarios of docs/materialize.md, one JSON line each (architecture.md §7). Bounded: about
# 3 minutes on a 2-core machine; the 5M-row parquet file is generated once into .bench/data.
#   bash bench/run-write.sh            # all scenarios
#   BENCH_ROWS=1000000 bash bench/run-write.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${BENCH_ROWS:-5000000}"
drivers="${BENCH_DRIVERS:-100000}"
npx tsc -p tsconfig.json --outDir .bench >/dev/null || true # emits even when unrelated files have type errors
b() { node --no-warnings .bench/bench/write.bench.js --rows "$rows" --drivers "$drivers" "$@"; }

b --target instant --split                               # (b) client-side ceiling
b --target latency --delay-ms 8 --concurrency 16         # (c) in-region model, the configured default
b --target latency --delay-ms 8 --concurrency 32         # (c) the same, 32 requests in flight
b --target latency --delay-ms 8 --concurrency 1          # (c) one request at a time, the baseline
b --target dynalite --ceiling                            # (a) against what dynalite absorbs
b --target latency --delay-ms 8 --concurrency 32 --monotonic # conditional puts (monotonic_writes)
b --target latency --delay-ms 8 --concurrency 128 --monotonic
# write-heavy: every row a distinct entity
node --no-warnings .bench/bench/write.bench.js --target instant --rows 1000000 --drivers 1000000
