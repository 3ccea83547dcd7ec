// The reliability tier (issue 8): fault injection, chaos, interruption, concurrency, the bad-input corpus,
// secrets and permissions. Slow, so it is its own jest config; the default projects never match *.rel.ts.
// Run with `npm run test:reliability` (scripts/test-reliability.sh builds first).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }];

export default {
  rootDir: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'),
  displayName: 'reliability',
  testMatch: ['<rootDir>/test/reliability/**/*.rel.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  // spawned binaries and large materializations: generous, but a hang still ends
  testTimeout: 600_000,
  // the machine is small and many suites spawn the CLI: one suite at a time keeps timings meaningful
  maxWorkers: 1,
};
