/**
 * What dynalite can absorb: pre-built BatchWriteItem bodies (25 distinct driver-stats items each) sent
 * over keep-alive HTTP with `concurrency` requests in flight, with nearly no client work per request.
 * dynalite checks no signature, so the bodies are sent unsigned. The write benchmark's target (a) is
 * materialize reaching >= 90% of this rate.
 */
import http from 'node:http';
import { createEntityKeyEncoder } from '../../src/core/layout/entity-key.js';
import { entityIdOf } from '../../src/core/layout/entity-id.js';
import { formatEventTs } from '../../src/core/layout/event-ts.js';
import { buildItem } from '../../src/core/layout/item.js';
import { createValueEncoder } from '../../src/core/layout/value-codec.js';
import { itemJson } from '../../src/core/materialize/lean/attribute-json.js';
import { defined } from '../../test/helpers/defined.js';

export async function dynaliteCeiling(endpoint: string, table: string, items: number, concurrency: number): Promise<number> {
  const key = createEntityKeyEncoder([{ name: 'driver_id', dtype: 'Int64' }]);
  const f32 = createValueEncoder({ kind: 'scalar', scalar: 'Float32' });
  const i64 = createValueEncoder({ kind: 'scalar', scalar: 'Int64' });
  const bodies: string[] = [];
  for (let start = 0; start < items; start += 25) {
    const puts: string[] = [];
    for (let i = start; i < Math.min(items, start + 25); i++) {
      const item = buildItem({
        entityId: entityIdOf(key([10_000_000 + i])),
        eventTs: formatEventTs(1_767_222_000_000_000n + BigInt(i)),
        values: { conv_rate: f32(0.5), acc_rate: f32(0.25), avg_daily_trips: i64(i % 1000) },
      });
      puts.push(`{"PutRequest":{"Item":${itemJson(item)}}}`);
    }
    // the same request materialize sends, ReturnConsumedCapacity included (dynalite sizes items for it)
    bodies.push(`{"RequestItems":{${JSON.stringify(table)}:[${puts.join(',')}]},"ReturnConsumedCapacity":"TOTAL"}`);
  }
  const url = new URL(endpoint);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          hostname: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'DynamoDB_20120810.BatchWriteItem',
            authorization: 'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
            'x-amz-date': '20260101T000000Z',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res
            .on('data', (c: Buffer) => chunks.push(c))
            .on('end', () => {
              const text = Buffer.concat(chunks).toString();
              if (res.statusCode !== 200 || !text.includes('"UnprocessedItems":{}'))
                reject(new Error(`dynalite answered ${res.statusCode}: ${text.slice(0, 200)}`));
              else resolve();
            });
        },
      );
      req.on('error', reject).end(body);
    });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) await post(defined(bodies[next++]));
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return items / seconds;
}
