#!/usr/bin/env node
// Fails when package-lock.json lacks another platform's optional package. npm leaves those out when it
// rewrites the lock file with node_modules present, and `npm ci` on that other platform then refuses
// the lock file. Regenerate with: rm -rf node_modules && npm install --package-lock-only
// With --npm-ci-dry-run it also asks npm itself: `npm ci --dry-run` for each supported platform, in a
// temporary folder holding only package.json and the lock file (.ci/run does this).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PLATFORMS = [
  ['linux', 'x64'],
  ['linux', 'arm64'],
  ['darwin', 'x64'],
  ['darwin', 'arm64'],
  ['win32', 'x64'],
];

const lockPath = fileURLToPath(new URL('../package-lock.json', import.meta.url));
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages ?? {};

/** Where npm would resolve `name` from the package at `from`: its own node_modules, then each parent's. */
function resolves(from, name) {
  let dir = from;
  for (;;) {
    if (`${dir ? `${dir}/` : ''}node_modules/${name}` in packages) return true;
    if (dir === '') return false;
    const i = dir.lastIndexOf('/node_modules/');
    dir = i < 0 ? '' : dir.slice(0, i);
  }
}

const missing = [];
for (const [path, pkg] of Object.entries(packages)) {
  for (const name of Object.keys(pkg.optionalDependencies ?? {})) {
    if (!resolves(path, name)) missing.push(`${name} (optional dependency of ${path || 'the root package'})`);
  }
}
if (missing.length > 0) {
  console.error(`package-lock.json lacks ${missing.length} optional package(s), so \`npm ci\` fails on other platforms:`);
  for (const m of missing) console.error(`  ${m}`);
  console.error('Regenerate it: rm -rf node_modules && npm install --package-lock-only');
  process.exit(1);
}
console.log(`package-lock.json: every optional package is recorded (${Object.keys(packages).length} entries)`);

if (process.argv.includes('--npm-ci-dry-run')) {
  const dir = mkdtempSync(join(tmpdir(), 'dynafeast-lockcheck-'));
  try {
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(fileURLToPath(new URL(`../${f}`, import.meta.url)), join(dir, f));
    for (const [os, cpu] of PLATFORMS) {
      const args = ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund', `--os=${os}`, `--cpu=${cpu}`];
      try {
        execFileSync('npm', args, { cwd: dir, stdio: 'pipe', shell: process.platform === 'win32' });
      } catch (e) {
        console.error(`npm ci fails for ${os}-${cpu}:\n${String(e.stderr ?? e.message)}`);
        process.exit(1);
      }
      console.log(`npm ci --dry-run: ok for ${os}-${cpu}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
