import path from 'node:path';
import { FeatureStore } from '../../core/feature-store.js';
import { createServer, type AccessLogEntry } from '../../core/serve/server.js';
import { ServeMetrics } from '../../core/serve/metrics.js';
import { readServeFiles } from '../../core/serve/serve-files.js';
import type { GlobalFlags, ServeFlags } from '../program.js';
import { cliLogger } from '../session.js';
import { createOutput } from '../output.js';

/** Serves Feast's feature server API until SIGINT/SIGTERM, then drains requests in flight. */
export async function runServe(o: ServeFlags, g: GlobalFlags): Promise<number> {
  const out = createOutput(g);
  const logger = cliLogger(out, g.debug);
  const files = readServeFiles(o, process.env);
  const metrics = new ServeMetrics();
  const store = await FeatureStore.open({
    repoPath: path.resolve(g.chdir ?? '.'),
    ...(g.featureStoreYaml !== undefined ? { featureStoreYaml: g.featureStoreYaml } : {}),
    logger,
    observer: metrics.dynamo,
  });
  const accessLog =
    o.logFormat === 'none'
      ? undefined
      : o.logFormat === 'json'
        ? (e: AccessLogEntry) => process.stderr.write(`${JSON.stringify(e)}\n`)
        : (e: AccessLogEntry) => out.note(`${e.time} ${e.method} ${e.path} ${e.status} ${e.durationMs} ms${e.code ? ` ${e.code}` : ''}`);
  const server = createServer(store, {
    host: o.host,
    port: o.port,
    ...(files.tls ? { tls: files.tls } : {}),
    ...(files.authToken !== undefined ? { authToken: files.authToken } : {}),
    maxBodyBytes: o.maxBodyBytes,
    maxEntities: o.maxEntities,
    requestTimeoutMs: o.requestTimeout * 1000,
    registryTtlSec: o.registryTtlSec,
    metrics,
    logger,
    ...(accessLog ? { accessLog } : {}),
  });
  let url: string;
  try {
    url = await server.listen();
  } catch (e) {
    await store.close();
    throw e;
  }
  if (g.json) out.printJson({ ok: true, url, project: store.config.project });
  out.note(
    `${out.symbols.ok} Feature server for project ${out.color.bold(store.config.project)} at ${out.color.bold(url)}${files.authToken !== undefined ? ' (bearer token required)' : ''}`,
  );
  if (files.authToken === undefined && o.host !== '127.0.0.1' && o.host !== 'localhost' && o.host !== '::1') {
    out.warn(`serving ${o.host} without a token: anyone who can reach it can read and write features; set --auth-token-file`);
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  out.note(`${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: draining ${server.inFlight} request(s) in flight (up to ${o.shutdownGrace} s)`);
  await server.close(o.shutdownGrace * 1000);
  await store.close();
  return 0;
}
