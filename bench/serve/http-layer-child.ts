/**
 * One feature server for the HTTP layer benchmark (bench/serve-http.bench.ts), in its own process so its
 * CPU and memory are its own: the store of the repo in the working directory behind one of
 *   shipped  createServer(store), what `dynafeast serve` runs (node:http plus host check, metrics, timeouts)
 *   node     bare node:http around the same route
 *   fastify  Fastify around the same route
 * Every layer parses the body with the server's own parser (Int64 kept exact, as the contract needs) and
 * answers with the same route function (src/core/serve/routes.ts). Stops on SIGTERM.
 *
 *   node .bench/bench/serve/http-layer-child.js --layer shipped|node|fastify --port N
 */
import http from 'node:http';
import Fastify from 'fastify';
import { FeatureStore } from '../../src/core/feature-store.js';
import { httpErrorOf } from '../../src/core/serve/http-error.js';
import { parseJsonObject, readBody } from '../../src/core/serve/read-body.js';
import { getOnlineFeatures, type RouteContext } from '../../src/core/serve/routes.js';
import { createServer } from '../../src/core/serve/server.js';

const arg = (name: string): string => process.argv[process.argv.indexOf(`--${name}`) + 1] ?? '';
const layer = arg('layer');
const port = Number(arg('port'));
const MAX_BODY = 16 * 1024 * 1024;

const store = await FeatureStore.open({ repoPath: process.cwd() });
const ctx: RouteContext = { store, maxEntities: 10_000, signal: new AbortController().signal };
let stop: () => Promise<void>;

if (layer === 'shipped') {
  const server = createServer(store, { port, registryTtlSec: 0 });
  await server.listen();
  stop = () => server.close(1000);
} else if (layer === 'node') {
  const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const answer =
      req.url === '/health'
        ? Promise.resolve({ status: 200, body: '' })
        : readBody(req, MAX_BODY).then((body) => getOnlineFeatures(ctx, parseJsonObject(body)));
    answer
      .catch((e: unknown) => httpErrorOf(e))
      .then((a) => res.writeHead(a.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(a.body) }).end(a.body), console.error);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  stop = () => new Promise((resolve) => server.close(() => resolve()));
} else if (layer === 'fastify') {
  const app = Fastify({ bodyLimit: MAX_BODY, keepAliveTimeout: 65_000 });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, parseJsonObject(body as Buffer));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.setErrorHandler((e, _req, reply) => {
    const err = httpErrorOf(e);
    void reply.code(err.status).type('application/json').send(err.body);
  });
  app.get('/health', (_req, reply) => reply.code(200).send(''));
  app.post('/get-online-features', async (req, reply) => {
    const a = await getOnlineFeatures(ctx, req.body as Record<string, unknown>);
    return reply.code(a.status).type('application/json').send(a.body);
  });
  await app.listen({ port, host: '127.0.0.1' });
  stop = () => app.close();
} else {
  throw new Error(`--layer must be shipped, node or fastify, not "${layer}"`);
}
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.once(
  'SIGTERM',
  () =>
    void stop()
      .then(() => store.close())
      .then(() => process.exit(0)),
);
