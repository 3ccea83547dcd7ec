import { resolve } from 'node:path';
import type { RepoConfig } from '../config/types.js';
import { DynafeastError } from '../errors.js';

/** Where the embedded store keeps its data and where it listens. */
export interface EmbeddedTarget {
  /** Absolute folder holding the LevelDB files. */
  dataDir: string;
  port: number;
  /** Loopback address to listen on; 127.0.0.1 unless the endpoint names another loopback IP. */
  host?: string;
  /** The repo (absolute path) and project the store is for: its lock names them. */
  repo: string;
  project: string;
}

export const DEFAULT_EMBEDDED_PATH = 'data/online_store';

/**
 * The embedded store's folder and address from `feature_store.yaml`: `dynafeast.embedded.path` relative
 * to the repo, and the port of `online_store.endpoint_url`, which must be plain http on loopback since the
 * server is only for this machine.
 */
export function resolveEmbeddedTarget(config: RepoConfig, overrides: { port?: number } = {}): EmbeddedTarget {
  const dataDir = embeddedDataDir(config);
  const identity = { repo: resolve(config.repoPath), project: config.project };
  const raw = config.onlineStore.endpointUrl;
  if (raw === undefined) {
    if (overrides.port !== undefined) return { dataDir, port: overrides.port, host: '127.0.0.1', ...identity };
    throw new DynafeastError('config.missingKey', 'The embedded DynamoDB needs online_store.endpoint_url.', {
      path: 'online_store.endpoint_url',
      location: { file: config.source },
      hint: 'Add `endpoint_url: http://127.0.0.1:8000` under online_store (any free port works).',
    });
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badEndpoint(config, raw, 'it is not a URL');
  }
  if (url.protocol !== 'http:') throw badEndpoint(config, raw, `the embedded store speaks plain http, not ${url.protocol}`);
  const host = listenHost(url.hostname);
  if (host === undefined) throw badEndpoint(config, raw, `"${url.hostname}" is not this machine (loopback)`);
  const port = overrides.port ?? (url.port === '' ? undefined : Number(url.port));
  if (port === undefined) throw badEndpoint(config, raw, 'it has no port');
  return { dataDir, port, host, ...identity };
}

/** The absolute folder of the embedded store's data (and its key file). */
export function embeddedDataDir(config: Pick<RepoConfig, 'repoPath' | 'dynafeast'>): string {
  return resolve(config.repoPath, config.dynafeast.embedded?.path ?? DEFAULT_EMBEDDED_PATH);
}

export function endpointOf(host: string | undefined, port: number): string {
  const h = host ?? '127.0.0.1';
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

/** The loopback address a URL's hostname stands for, or undefined when it is not this machine. */
function listenHost(hostname: string): string | undefined {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return '127.0.0.1';
  if (/^127(\.\d{1,3}){3}$/.test(h) && h.split('.').every((n) => Number(n) <= 255)) return h;
  if (h === '[::1]') return '::1';
  return undefined;
}

/** Whether `host` (a hostname or an IP, IPv6 with or without brackets) is this machine's loopback. */
export function isLoopbackHost(host: string): boolean {
  return listenHost(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host) !== undefined;
}

function badEndpoint(config: RepoConfig, raw: string, why: string): DynafeastError {
  return new DynafeastError('config.badValue', `online_store.endpoint_url "${raw}" cannot serve the embedded DynamoDB: ${why}.`, {
    path: 'online_store.endpoint_url',
    location: { file: config.source },
    hint: 'Use a loopback http URL with a port, e.g. `http://127.0.0.1:8000`, or remove dynafeast.embedded.',
  });
}
