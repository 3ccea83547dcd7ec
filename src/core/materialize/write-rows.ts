/**
 * Rows handed in as columns (Feast's `write_to_online_store` / `push` DataFrame, as JSON) → items of one
 * view, written through the materialize path's encoder, sender and batch writer (architecture.md §4.1).
 * Each value is checked against its column's dtype and a bad one is named with its row; one item per
 * entity key is written, the row with the latest event time (as materialize keeps it; DynamoDB takes
 * one put per key per batch anyway).
 */
import { Buffer } from 'node:buffer';
import type { AwsClients } from '../aws/clients.js';
import type { RepoConfig } from '../config/types.js';
import { DynafeastError, isDynafeastError } from '../errors.js';
import { parseEventTs } from '../layout/event-ts.js';
import { formatDtype, type Dtype } from '../layout/feast-types.js';
import type { OfflineChunk } from '../offline/read-view.js';
import { convertJoinKeyValue } from '../online/entity-rows.js';
import { isEntityless, type FeatureView } from '../repo/model.js';
import { RetryBudget, retryPolicyOf } from '../util/retry.js';
import { BatchWriter } from './batch-writer.js';
import { createChunkEncoder } from './encode-rows.js';
import { leanSenderFor } from './materialize.js';
import { tableNameOf } from '../layout/table-name.js';
import type { BatchSender } from './batch-writer.js';
import type { DynamoCallObserver } from '../aws/call-observer.js';

export interface WriteRowsDeps {
  config: RepoConfig;
  aws: Pick<AwsClients, 'endpoint' | 'credentials'>;
  /** A sender kept across calls (its sockets stay open); default one built and closed per call. */
  sender?: BatchSender;
  signal?: AbortSignal;
  /** Told of every write request and resend (the feature server's /metrics). */
  observer?: DynamoCallObserver;
}

export interface WriteRowsResult {
  /** Rows given. */
  rows: number;
  /** Items written: one per distinct entity key. */
  written: number;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function badCell(view: FeatureView, column: string, row: number, why: string, hint: string): DynafeastError {
  return new DynafeastError('usage.badArgument', `feature view \`${view.name}\`, column \`${column}\`, row ${row}: ${why}`, {
    path: `df.${column}[${row}]`,
    hint,
  });
}

/**
 * A JSON value → what the value encoder takes for the feature's dtype, as Feast's server reads the
 * request: bytes (Bytes, PdfBytes, ImageBytes) from base64, Json as text, UnixTimestamp from a time
 * string, a ZonedTimestamp from an ISO 8601 time with an offset (stored as that offset) or
 * `{ seconds, zone }`, a ScalarMap as `[key, value]` pairs, and collections element by element.
 * Anything else goes to the encoder as it is, which refuses (naming the feature) what does not fit:
 * Decimal must be text or a whole number (a JSON fraction would be a rounded float already), Uuid
 * text, a Map or Struct an object.
 */
function featureValue(dtype: Dtype, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (dtype.kind === 'nested') return Array.isArray(v) ? v.map((x) => featureValue(dtype.inner, x)) : v;
  if (dtype.kind !== 'scalar') return Array.isArray(v) ? v.map((x) => featureValue({ kind: 'scalar', scalar: dtype.scalar }, x)) : v;
  switch (dtype.scalar) {
    case 'Bytes':
    case 'PdfBytes':
    case 'ImageBytes':
      return typeof v === 'string' && BASE64.test(v) ? Buffer.from(v, 'base64') : v;
    case 'Json':
      return typeof v === 'string' ? v : JSON.stringify(v);
    case 'UnixTimestamp':
      return typeof v === 'string' ? parseEventTs(v) / 1_000_000n : v;
    case 'ZonedTimestamp':
      return typeof v === 'string' ? zonedOf(v) : v;
    default:
      return v;
  }
}

/** {@link featureValue}, a value it cannot read (a ZonedTimestamp that is no time) named by column and row. */
function featureCell(view: FeatureView, column: string, dtype: Dtype, v: unknown, row: number): unknown {
  try {
    return featureValue(dtype, v);
  } catch (e) {
    if (!isDynafeastError(e)) throw e;
    throw badCell(view, column, row, e.message, e.hint ?? `send a ${formatDtype(dtype)} value`);
  }
}

const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/;

/**
 * An ISO 8601 time → `{ seconds, zone }`: a pandas Timestamp parsed from it has a fixed-offset tzinfo,
 * which feast.type_map._zone_name stores as `UTC±HH:MM` (`UTC` for Z / +00:00); no offset = naive = "".
 */
function zonedOf(text: string): { seconds: bigint; zone: string } {
  const micros = parseEventTs(text);
  const floor = micros < 0n && micros % 1_000_000n !== 0n ? micros / 1_000_000n - 1n : micros / 1_000_000n;
  const m = OFFSET.exec(text.trim());
  if (m === null) return { seconds: floor, zone: '' };
  const off = (m[1] ?? 'Z').replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  return { seconds: floor, zone: off === 'Z' || off === '+00:00' || off === '-00:00' ? 'UTC' : `UTC${off}` };
}

/** The view's column of `columns`, or a 422 naming it (and what was sent). */
function columnOf(view: FeatureView, columns: Record<string, unknown[]>, name: string, what: string): unknown[] {
  const col = columns[name];
  if (col === undefined) {
    throw new DynafeastError(
      'usage.badArgument',
      `feature view \`${view.name}\` needs the ${what} column \`${name}\`; the rows have ${Object.keys(columns).join(', ')}`,
      {
        path: `df.${name}`,
        hint: `send every join key, every feature and the event timestamp column of ${view.name}`,
      },
    );
  }
  return col;
}

/** Builds the chunk the encoder takes, keeping the latest row per entity key. */
export function rowsToChunk(view: FeatureView, timestampField: string, columns: Record<string, unknown[]>, rows: number): OfflineChunk {
  const entityless = isEntityless(view);
  const keyCols = entityless ? [] : view.entityColumns.map((c) => ({ c, values: columnOf(view, columns, c.name, 'join key') }));
  const featureCols = view.features.map((f) => ({ f, values: columnOf(view, columns, f.name, 'feature') }));
  const times = columnOf(view, columns, timestampField, 'event timestamp');
  const latest = new Map<string, number>();
  const micros: bigint[] = new Array<bigint>(rows);
  const keys: unknown[][] = keyCols.map(() => new Array<unknown>(rows));
  for (let r = 0; r < rows; r++) {
    const t = times[r];
    if (typeof t !== 'string')
      throw badCell(view, timestampField, r, 'the event timestamp must be a string', 'send times like 2021-04-12T10:59:42 (UTC) or 2021-04-12 10:59:42+00:00');
    try {
      micros[r] = parseEventTs(t);
    } catch (e) {
      if (!isDynafeastError(e)) throw e;
      throw badCell(view, timestampField, r, e.message, e.hint ?? '');
    }
    const keyParts: string[] = [];
    keyCols.forEach(({ c, values }, k) => {
      const converted = convertJoinKeyValue(c.dtype, values[r]);
      if (converted === undefined || converted === null)
        throw badCell(view, c.name, r, `${JSON.stringify(values[r])} is not a ${c.dtype} join key`, `send a ${c.dtype} value`);
      (keys[k] as unknown[])[r] = converted;
      keyParts.push(converted instanceof Uint8Array ? Buffer.from(converted).toString('base64') : String(converted));
    });
    const id = keyParts.join('\u0000');
    const seen = latest.get(id);
    if (seen === undefined || (micros[seen] as bigint) <= (micros[r] as bigint)) latest.set(id, r);
  }
  const picked = [...latest.values()].sort((a, b) => a - b);
  return {
    length: picked.length,
    keys: entityless ? [picked.map(() => '')] : keys.map((col) => picked.map((r) => col[r])),
    eventMicros: picked.map((r) => micros[r] as bigint),
    features: featureCols.map(({ f, values }) => picked.map((r) => featureCell(view, f.name, f.dtype, values[r], r))),
  };
}

export async function writeRows(
  deps: WriteRowsDeps,
  view: FeatureView,
  timestampField: string,
  columns: Record<string, unknown[]>,
  rows: number,
): Promise<WriteRowsResult> {
  if (!view.online) {
    throw new DynafeastError('usage.badArgument', `feature view \`${view.name}\` is not online (online: false)`, {
      hint: `set \`online: true\` on ${view.name} and run \`dynafeast apply\``,
    });
  }
  const chunk = rowsToChunk(view, timestampField, columns, rows);
  const { config } = deps;
  const encode = createChunkEncoder(view, config.dynafeast.tables.ttlExpiry ? { ttlAttribute: config.dynafeast.tables.ttlAttribute } : {});
  let units;
  try {
    units = encode(chunk);
  } catch (e) {
    if (isDynafeastError(e) && e.code.startsWith('codec.'))
      throw new DynafeastError('usage.badArgument', e.message, { path: 'df', ...(e.hint ? { hint: e.hint } : {}) });
    throw e;
  }
  const own = deps.sender === undefined ? leanSenderFor(config, deps.aws) : undefined;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- own is built exactly when deps.sender is undefined
  const sender = deps.sender ?? own!;
  const writer = new BatchWriter(sender, {
    table: tableNameOf(config, view.name),
    concurrency: Math.max(1, config.dynafeast.materialize.concurrency),
    budget: new RetryBudget(config.dynafeast.materialize.retryBudget),
    retry: retryPolicyOf(config),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.observer ? { observer: deps.observer } : {}),
  });
  try {
    await writer.push(units);
    await writer.finish();
  } catch (e) {
    await writer.settle();
    throw e;
  } finally {
    own?.close();
  }
  return { rows, written: writer.counts.written };
}
