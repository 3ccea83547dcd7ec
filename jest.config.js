// Tiers (CONTRIBUTING.md convention 11): *.test.ts pure, *.int.test.ts against a real local DynamoDB-compatible
// server, *.e2e.test.ts spawning the built binary.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};
export default {
  // jest reads the timeout from the global config, not a project's: e2e cases spawn the binary (~0.3 s
  // of CPU each) and integration cases start servers, which on a loaded 2-core machine takes more than 5 s.
  testTimeout: 30_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '\\.e2e\\.test\\.ts$', '/test/interop/'],
    },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/test/**/*.int.test.ts'], testPathIgnorePatterns: ['/test/interop/'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e.test.ts'] },
    // *.s3.ts need an S3 server: the moto tier (scripts/test-server-tier.sh) starts one and names it.
    ...(process.env.DYNAFEAST_TEST_S3_ENDPOINT ? [{ ...common, displayName: 's3', testMatch: ['<rootDir>/test/s3/**/*.s3.ts'] }] : []),
  ],
};
