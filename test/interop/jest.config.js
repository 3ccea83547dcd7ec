// The interop tier (docs/interop.md): talks to the real Feast SDK in .venv-interop, so it is kept out
// of the default projects and run by scripts/interop/run.sh (`npm run test:interop`).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export default {
  rootDir,
  displayName: 'interop',
  testMatch: ['<rootDir>/test/interop/**/*.interop.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  // Each file starts its own DynamoDB server and Python processes: one at a time on a 2-core machine.
  maxWorkers: 1,
  testTimeout: 300_000,
};
