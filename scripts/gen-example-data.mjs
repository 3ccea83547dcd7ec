#!/usr/bin/env node
// Regenerates the data files of examples/driver-stats with their fixed clock (see
// src/core/sample-data/example-data.ts). Run after `npm run build`:
//   node scripts/gen-example-data.mjs [EXAMPLE_DIR]
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { writeExampleData } = await import(path.join(root, 'dist/core/sample-data/example-data.js')).catch((e) => {
  console.error(`cannot load dist/ (${e.message}); run \`npm run build\` first`);
  process.exit(1);
});
const dir = path.resolve(process.argv[2] ?? path.join(root, 'examples/driver-stats'));
const summary = await writeExampleData(dir);
console.log(`wrote ${dir}/data: driver_stats ${summary.driverStats.rows} rows, driver_profile ${summary.driverProfileRows} rows`);
