/**
 * The bad-input corpus beyond config and definitions (test/fixtures/bad-cli, test/fixtures/bad-data):
 * each case is a folder with `case.json` and optionally `files/`, copied over a fresh copy of
 * examples/driver-stats. See test/fixtures/bad-cli/README.md for the format.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  TagResourceCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { waitForActive } from '../../src/core/plan/wait.js';
import { copyQueryToParquet } from '../../src/core/sample-data/duckdb-copy.js';
import { seededRandom } from './fault-proxy.js';
import { repoRoot } from './cli.js';
import { EXAMPLE_REPO, makeRepo } from './temp-repo.js';
import { defined } from './defined.js';

export interface Generate {
  /** File to write, relative to the repo. */
  path: string;
  /** Seeded random bytes of this size. */
  random?: number;
  /** Copy of this repo file cut to `bytes`. */
  truncate?: string;
  /** This text repeated up to `bytes`. */
  repeat?: string;
  /** Written once before `repeat`. */
  header?: string;
  bytes?: number;
  /** A parquet file written by DuckDB from this query (`{example}` is examples/driver-stats). */
  sql?: string;
  /** A named pipe (FIFO) at `path`, replacing what is there. */
  fifo?: boolean;
  /** With `sql`: write the query's rows as CSV with a header instead of parquet. */
  csv?: boolean;
  /** A symbolic link at `path` to this target (e.g. `/dev/zero`, or a definition file moved away), replacing what is there. */
  symlink?: string;
  /** Generated after the setup commands instead of before (e.g. to damage a registry apply wrote). */
  afterSetup?: boolean;
}

/** A DynamoDB table the case puts on the server before its run (someone else's table, say). */
export interface CorpusTable {
  /** `{project}` is the case's project. */
  name: string;
  /** Key attributes, hash first: `[name, type]`; default Feast's `[["entity_id", "S"]]`. */
  keys?: [string, 'S' | 'N' | 'B'][];
  tags?: Record<string, string>;
  /** Items put into it (attribute → string value). */
  items?: Record<string, string>[];
  /** Made after the setup commands, replacing a table of that name (e.g. one apply made). */
  afterSetup?: boolean;
}

export interface CorpusCase {
  /** What is wrong, in a sentence. */
  description: string;
  /** Arguments after `-c <repo>`; `{repo}` is replaced by the repo path. */
  args: string[];
  /** `example` (default): examples/driver-stats pointed at the test server; `empty`: an empty folder. */
  base?: 'example' | 'empty';
  /** Commands run first, each of which must succeed (e.g. [["apply"]]). */
  setup?: string[][];
  env?: Record<string, string>;
  unset?: string[];
  generate?: Generate[];
  /** Tables put on the test server (their names start with the case's project, so cases never meet). */
  tables?: CorpusTable[];
  /** Pass `-c <repo>` (default true). */
  chdir?: boolean;
  exit: 1 | 2;
  /** The error code the --json run reports. */
  code?: string;
  /** Text the message must contain: the place (file, flag, field, table) and the fix. */
  mentions: string[];
}

export interface LoadedCase {
  name: string;
  dir: string;
  spec: CorpusCase;
}

export const CORPUS_ROOTS = ['test/fixtures/bad-cli', 'test/fixtures/bad-data'].map((d) => path.join(repoRoot, d));

export function loadCases(): LoadedCase[] {
  const out: LoadedCase[] = [];
  for (const root of CORPUS_ROOTS) {
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root).sort()) {
      const file = path.join(root, name, 'case.json');
      if (!existsSync(file)) continue;
      out.push({ name: `${path.basename(root)}/${name}`, dir: path.join(root, name), spec: JSON.parse(readFileSync(file, 'utf8')) as CorpusCase });
    }
  }
  return out;
}

const fill = (s: string, vars: Record<string, string>) => s.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);

export async function generateFiles(repo: string, list: readonly Generate[]): Promise<void> {
  for (const g of list) {
    const target = path.join(repo, g.path);
    mkdirSync(path.dirname(target), { recursive: true });
    if (g.fifo || g.symlink !== undefined) {
      rmSync(target, { recursive: true, force: true });
      if (g.fifo) execFileSync('mkfifo', [target]);
      else symlinkSync(defined(g.symlink), target);
    } else if (g.random !== undefined) {
      const rnd = seededRandom(g.random);
      const buf = Buffer.alloc(g.random);
      for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(rnd() * 256);
      writeFileSync(target, buf);
    } else if (g.truncate !== undefined) {
      if (path.resolve(repo, g.truncate) !== target) cpSync(path.join(repo, g.truncate), target);
      truncateSync(target, g.bytes ?? 0);
    } else if (g.sql !== undefined && g.csv) {
      const db = await DuckDBInstance.create(':memory:', { threads: '1' });
      const c = await db.connect();
      await c.run(`SET TimeZone = 'UTC'`);
      await c.run(`COPY (${fill(g.sql, { repo, example: EXAMPLE_REPO })}) TO '${target.replace(/'/g, "''")}' (FORMAT csv, HEADER true)`);
      c.closeSync();
      db.closeSync();
    } else if (g.sql !== undefined) {
      await copyQueryToParquet(fill(g.sql, { repo, example: EXAMPLE_REPO }), target, { threads: 1 });
    } else if (g.repeat !== undefined) {
      const total = g.bytes ?? 1024;
      const header = Buffer.from(g.header ?? '');
      const unit = Buffer.from(g.repeat);
      const buf = Buffer.alloc(total);
      header.copy(buf);
      for (let at = header.length; at < total; at += unit.length) unit.copy(buf, at);
      writeFileSync(target, buf);
    }
  }
}

/** A fresh repo for the case: the base, its files/ overlay, and the generated files. */
export function caseProject(c: LoadedCase): string {
  return `c_${c.name.replace(/^bad-\w+\//, '').replace(/[^a-z0-9]/gi, '_')}`.slice(0, 60);
}

/** Puts the case's tables (those made before or after setup) on the server, replacing same-named ones. */
export async function createCaseTables(client: DynamoDBClient, c: LoadedCase, afterSetup: boolean): Promise<void> {
  for (const t of (c.spec.tables ?? []).filter((x) => Boolean(x.afterSetup) === afterSetup)) {
    const name = t.name.replaceAll('{project}', caseProject(c));
    await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
    const keys = t.keys ?? [['entity_id', 'S']];
    await client.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: keys.map(([n], i) => ({ AttributeName: n, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
        AttributeDefinitions: keys.map(([n, type]) => ({ AttributeName: n, AttributeType: type })),
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitForActive(client, name);
    const arn = defined(defined((await client.send(new DescribeTableCommand({ TableName: name }))).Table).TableArn);
    if (t.tags) await client.send(new TagResourceCommand({ ResourceArn: arn, Tags: Object.entries(t.tags).map(([Key, Value]) => ({ Key, Value })) }));
    for (const item of t.items ?? []) {
      await client.send(new PutItemCommand({ TableName: name, Item: Object.fromEntries(Object.entries(item).map(([k, v]) => [k, { S: v }])) }));
    }
  }
}

export async function prepareCase(c: LoadedCase, endpoint: string): Promise<string> {
  const project = caseProject(c);
  const repo = makeRepo({ project, endpoint }, 'dynafeast-corpus-');
  if ((c.spec.base ?? 'example') === 'empty') {
    for (const e of readdirSync(repo)) rmSync(path.join(repo, e), { recursive: true, force: true });
  }
  const overlay = path.join(c.dir, 'files');
  if (existsSync(overlay)) cpSync(overlay, repo, { recursive: true });
  await generateFiles(
    repo,
    (c.spec.generate ?? []).filter((g) => !g.afterSetup),
  );
  return repo;
}

export function caseArgs(c: LoadedCase, repo: string): string[] {
  const args = c.spec.args.map((a) => fill(a, { repo }));
  return c.spec.chdir === false ? args : ['-c', repo, ...args];
}

export interface AuxServers {
  /** A loopback port nothing listens on. */
  closed: string;
  /** An HTTP server that answers everything with a 404 HTML page: not DynamoDB. */
  junk: string;
  /** Accepts connections and never answers. */
  blackhole: string;
  close(): Promise<void>;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

export async function startAuxServers(): Promise<AuxServers> {
  const probe = net.createServer();
  const closedPort = await listen(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const junk = http.createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not Found</body></html>'));
  const held = new Set<net.Socket>();
  const blackhole = net.createServer((s) => {
    held.add(s);
    s.on('close', () => held.delete(s));
    s.on('error', () => {});
  });
  const [junkPort, holePort] = [await listen(junk), await listen(blackhole)];
  return {
    closed: `http://127.0.0.1:${closedPort}`,
    junk: `http://127.0.0.1:${junkPort}`,
    blackhole: `http://127.0.0.1:${holePort}`,
    async close() {
      for (const s of held) s.destroy();
      junk.closeAllConnections();
      await Promise.all([new Promise((r) => junk.close(r)), new Promise((r) => blackhole.close(r))]);
    },
  };
}
