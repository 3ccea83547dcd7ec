/**
 * Versions for `dynafeast --version`, `dynafeast version` and bug reports. dynafeast's own is one small
 * file read at every start; DuckDB's and the AWS SDK's are read only by `dynafeast version`, because
 * loading DuckDB's native module would slow every command's start (and `--help`).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Versions {
  dynafeast: string;
  /** Without the leading `v`, as in `process.versions.node`. */
  node: string;
  /** `process.platform-process.arch`, which picks DuckDB's native binding. */
  platform: string;
  /** The DuckDB engine; null when its native binding does not load here (`duckdbError` says why). */
  duckdb: string | null;
  duckdbError?: string;
  /** The @duckdb/node-api package. */
  duckdbNodeApi: string;
  /** The AWS SDK for JavaScript v3, as the @aws-sdk/client-dynamodb package version. */
  awsSdk: string;
}

const versionIn = (packageJson: string | URL): string => (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;

export function packageVersion(): string {
  return versionIn(new URL('../../package.json', import.meta.url));
}

export async function collectVersions(): Promise<Versions> {
  const require = createRequire(import.meta.url);
  const dependencyVersion = (name: string) => versionIn(require.resolve(`${name}/package.json`));
  let duckdb: string | null = null;
  let duckdbError: string | undefined;
  try {
    const { version } = await import('@duckdb/node-api');
    duckdb = version().replace(/^v/, '');
  } catch (e) {
    // a version report is most wanted when something is broken: say what did not load, report the rest
    duckdbError = e instanceof Error ? e.message : String(e);
  }
  return {
    dynafeast: packageVersion(),
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    duckdb,
    ...(duckdbError !== undefined ? { duckdbError } : {}),
    duckdbNodeApi: dependencyVersion('@duckdb/node-api'),
    awsSdk: dependencyVersion('@aws-sdk/client-dynamodb'),
  };
}
