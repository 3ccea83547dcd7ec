/**
 * A request body, bounded: refused with 413 as soon as it passes the limit (by Content-Length before
 * anything is read, else while reading), then parsed as JSON with Int64 values kept exact.
 */
import type { IncomingMessage } from 'node:http';
import { DynafeastError } from '../errors.js';
import { parseJsonExact } from '../util/json-exact.js';

function tooLarge(limit: number): DynafeastError {
  return new DynafeastError('serve.tooLarge', `the request body is larger than ${limit} bytes`, {
    hint: 'send fewer entities per request, or raise the server limit (`dynafeast serve --max-body-bytes`)',
  });
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    parts.push(chunk);
  }
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size);
}

/** The body as a JSON object; anything else is a 400 saying what was found. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseJsonExact(body.toString('utf8'));
  } catch (e) {
    throw new DynafeastError('serve.badRequest', `the request body is not valid JSON (${(e as Error).message})`, {
      hint: 'send a JSON object, e.g. {"features": ["driver_hourly_stats:conv_rate"], "entities": {"driver_id": [1001]}}',
    });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new DynafeastError(
      'serve.badRequest',
      `the request body is ${doc === null ? 'null' : Array.isArray(doc) ? 'an array' : `a ${typeof doc}`}, not a JSON object`,
      {
        hint: 'send a JSON object with the fields of the endpoint',
      },
    );
  }
  return doc as Record<string, unknown>;
}
