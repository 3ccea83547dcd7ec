/**
 * Records every DynamoDB and STS operation sent, with the tables it names, two ways:
 * - SDK middleware on a client's stack (initialize step: once per `send`, retries not repeated);
 * - a pass-through HTTP proxy in front of the server, which also sees senders that bypass the SDK
 *   (materialize's lean BatchWriteItem sender signs and sends requests itself).
 * Tests compare what was recorded with what `iam-policy` allows.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { STSClient } from '@aws-sdk/client-sts';
import { defined } from './defined.js';

export interface RecordedCall {
  service: 'dynamodb' | 'sts';
  /** API operation, e.g. `BatchWriteItem`. */
  operation: string;
  /** Tables the request names (TableName, RequestItems keys, the table of a ResourceArn). */
  tables: string[];
  via: 'sdk' | 'wire';
}

/** The tables a DynamoDB request input names. */
export function tablesOfInput(input: unknown): string[] {
  const i = (input ?? {}) as { TableName?: unknown; RequestItems?: unknown; ResourceArn?: unknown };
  const tables: string[] = [];
  if (typeof i.TableName === 'string') tables.push(i.TableName);
  if (i.RequestItems && typeof i.RequestItems === 'object') tables.push(...Object.keys(i.RequestItems));
  if (typeof i.ResourceArn === 'string') {
    const at = i.ResourceArn.indexOf(':table/');
    tables.push(at >= 0 ? defined(i.ResourceArn.slice(at + ':table/'.length).split('/')[0]) : i.ResourceArn);
  }
  return tables;
}

type Middleware = (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) => (args: { input: unknown }) => Promise<unknown>;
interface MiddlewareStack {
  add(middleware: Middleware, options: { step: 'initialize'; name: string }): void;
  remove(name: string): boolean;
}

export class CallRecorder {
  readonly calls: RecordedCall[] = [];

  record(call: RecordedCall): void {
    this.calls.push(call);
  }

  /** Adds the recording middleware to an SDK client (idempotent per client). */
  attach(client: DynamoDBClient | STSClient, service: RecordedCall['service']): void {
    const name = 'dynafeastTestCallRecorder';
    // the two clients' stacks have incompatible generic signatures; the middleware only needs input
    const stack = (client as unknown as { middlewareStack: MiddlewareStack }).middlewareStack;
    stack.remove(name);
    stack.add(
      (next, context) => async (args) => {
        const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        this.record({ service, operation, tables: service === 'dynamodb' ? tablesOfInput(args.input) : [], via: 'sdk' });
        return next(args);
      },
      { step: 'initialize', name },
    );
  }

  /** Calls seen one way, since `from` (an index into calls, e.g. the length before a run). */
  since(from: number, via: RecordedCall['via']): RecordedCall[] {
    return this.calls.slice(from).filter((c) => c.via === via);
  }
}

export interface RecordingProxy {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target` unchanged (the signature stays valid: Host is kept, and local
 * servers do not check signatures anyway) and records the operation from X-Amz-Target.
 */
export async function startRecordingProxy(target: string, recorder: CallRecorder): Promise<RecordingProxy> {
  const to = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const targetHeader = String(req.headers['x-amz-target'] ?? '');
      if (targetHeader.startsWith('DynamoDB_')) {
        let input: unknown;
        try {
          input = JSON.parse(body.toString('utf8'));
        } catch {
          input = undefined;
        }
        recorder.record({ service: 'dynamodb', operation: targetHeader.split('.')[1] ?? targetHeader, tables: tablesOfInput(input), via: 'wire' });
      }
      const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers, agent }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** IAM's matching of a policy string against a value: `*` and `?` are wildcards, `${*}` `${?}` `${$}` literal. */
export function iamMatches(pattern: string, value: string, caseInsensitive = false): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const rest = pattern.slice(i);
    const escaped = /^\$\{([*?$])\}/.exec(rest);
    if (escaped) {
      re += `\\${escaped[1]}`;
      i += 3;
    } else if (pattern[i] === '*') re += '.*';
    else if (pattern[i] === '?') re += '.';
    else re += defined(pattern[i]).replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, caseInsensitive ? 'is' : 's').test(value);
}
