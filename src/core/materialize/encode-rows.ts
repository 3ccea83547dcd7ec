/**
 * Offline rows → DynamoDB items in Feast's layout (architecture.md §3), with the codec built once per view.
 * Items over DynamoDB's 400 KB are rejected here, before anything is sent, naming the entity.
 */
import { createEntityKeyEncoder } from '../layout/entity-key.js';
import { entityIdOf } from '../layout/entity-id.js';
import { formatEventTs } from '../layout/event-ts.js';
import { Buffer } from 'node:buffer';
import { assertItemFits, buildItem, ENTITY_ID_ATTR, EVENT_TS_ATTR, itemSizeBytes, MAX_ITEM_BYTES, numberSize, VALUES_ATTR, type Item } from '../layout/item.js';
import { itemJson } from './lean/attribute-json.js';
import { createValueEncoder } from '../layout/value-codec.js';
import { describeValue } from '../layout/coerce.js';
import { DynafeastError, isDynafeastError } from '../errors.js';
import type { FeatureView } from '../repo/model.js';
import type { OfflineChunk } from '../offline/read-view.js';
import type { WriteUnit } from './batch-writer.js';
import { floorDiv } from '../util/floor-div.js';

export interface EncodeOptions {
  /** Adds a numeric expiry attribute (event time + the view's ttl, in epoch seconds) when set. */
  ttlAttribute?: string;
}

/** Encodes rows [from, to) of a chunk (default: all of it). */
export type ChunkEncoder = (chunk: OfflineChunk, from?: number, to?: number) => WriteUnit[];

const MICROS_PER_SECOND = 1_000_000n;

// An upper bound of what an item holds besides its feature entries: the three attribute names, the
// 32-char entity_id, an event_ts of at most 32 chars, the map overhead and an expiry attribute. Only
// items whose bound exceeds the limit get the exact size, which walks the item.
const FIXED_ITEM_BYTES = 256;

export function createChunkEncoder(view: FeatureView, options: EncodeOptions = {}): ChunkEncoder {
  const encodeKey = createEntityKeyEncoder(view.entityColumns);
  const names = view.features.map((f) => f.name);
  const encoders = view.features.map((f) => createValueEncoder(f.dtype, f.name));
  const ttlSeconds = view.ttlMicros > 0n && options.ttlAttribute ? view.ttlMicros / MICROS_PER_SECOND : undefined;
  const keyCount = view.entityColumns.length;
  // DynamoDB counts 1 byte per map entry plus the UTF-8 name.
  const entryBytes = names.map((n) => 1 + Buffer.byteLength(n, 'utf8'));
  const sizeBudget = MAX_ITEM_BYTES - FIXED_ITEM_BYTES - Buffer.byteLength(options.ttlAttribute ?? '', 'utf8');
  const keyValues: unknown[] = new Array(keyCount);
  // The exact size DynamoDB counts (itemSizeBytes) without building the item: attribute names, the
  // 32-char entity_id, the values map's 3 bytes, then per item the event_ts, entries and expiry.
  const itemBytesBase = ENTITY_ID_ATTR.length + 32 + EVENT_TS_ATTR.length + VALUES_ATTR.length + 3;

  const describeEntity = (chunk: OfflineChunk, row: number) =>
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the chunk has one key column per entity column
    view.entityColumns.map((c, k) => `${c.name}=${keyLabel(chunk.keys[k]![row])}`).join(', ');

  const ttlAttr = options.ttlAttribute;
  const ttlNameBytes = Buffer.byteLength(ttlAttr ?? '', 'utf8');
  const ttlOf = (event: bigint) => (ttlSeconds === undefined ? undefined : String(floorDiv(event, MICROS_PER_SECOND) + ttlSeconds));
  const toItem = (entityId: string, event: bigint, values: Record<string, Uint8Array>): Item => {
    const ttl = ttlOf(event);
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- ttl is only defined when options.ttlAttribute is set
    return buildItem({ entityId, eventTs: formatEventTs(event), values, ...(ttl !== undefined ? { extra: { [ttlAttr!]: { N: ttl } } } : {}) });
  };
  // Units are the item's DynamoDB JSON text, written directly (no object per item, no generic
  // serializer); the per-feature text around each base64 value is built once per view.
  const fieldOpen = names.map((n, f) => `${f ? ',' : ''}${JSON.stringify(n)}:{"B":"`);
  const ttlOpen = ttlAttr === undefined ? '' : `,${JSON.stringify(ttlAttr)}:{"N":"`;
  const valueBytes = new Array<Uint8Array>(names.length);

  return (chunk, from = 0, to = chunk.length) => {
    const units = new Array<WriteUnit>(to - from);
    let out = 0;
    for (let row = from; row < to; row++) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- k < keyCount, the number of key columns in the chunk
        for (let k = 0; k < keyCount; k++) keyValues[k] = chunk.keys[k]![row];
        const entityId = entityIdOf(encodeKey(keyValues));
        let size = 0;
        for (let f = 0; f < names.length; f++) {
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- f < names.length: one encoder and one chunk column per feature
          const bytes = encoders[f]!(chunk.features[f]![row]);
          valueBytes[f] = bytes;
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- f < names.length, one entry per feature
          size += bytes.length + entryBytes[f]!;
        }
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- row < chunk.length
        const event = chunk.eventMicros[row]!;
        if (size > sizeBudget) {
          // Possibly too large: build the item to size it exactly (and refuse it, naming the entity).
          const values: Record<string, Uint8Array> = {};
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- f < names.length, one entry per feature
          for (let f = 0; f < names.length; f++) values[names[f]!] = valueBytes[f]!;
          const item = toItem(entityId, event, values);
          assertItemFits(item, { view: view.name, entity: describeEntity(chunk, row) });
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- buildItem always writes event_ts as a string
          units[out++] = { key: entityId, json: itemJson(item), eventTs: item.event_ts!.S!, bytes: itemSizeBytes(item) };
          continue;
        }
        // NOTE: entity_id (hex) and event_ts (digits, '-', ':', '.', '+', ' ') never need JSON escaping.
        const eventTs = formatEventTs(event);
        let json = `{"entity_id":{"S":"${entityId}"},"event_ts":{"S":"${eventTs}"},"values":{"M":{`;
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- f < names.length, one entry per feature
        for (let f = 0; f < names.length; f++) json += `${fieldOpen[f]}${base64(valueBytes[f]!)}"}`;
        json += '}}';
        let bytes = itemBytesBase + eventTs.length + size;
        if (ttlAttr !== undefined && ttlSeconds !== undefined) {
          const ttl = String(floorDiv(event, MICROS_PER_SECOND) + ttlSeconds);
          json += `${ttlOpen}${ttl}"}`;
          bytes += ttlNameBytes + numberSize(ttl);
        }
        units[out++] = { key: entityId, json: `${json}}`, eventTs, bytes };
      } catch (e) {
        throw located(e, view, describeEntity(chunk, row));
      }
    }
    return units;
  };
}

const base64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

/** A join key value as a user would type it: 1001, "alice", 0x0102. */
function keyLabel(v: unknown): string {
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`;
  return describeValue(v);
}

/** Adds the view and entity to a codec error, so a bad row can be found in the file. */
function located(e: unknown, view: FeatureView, entity: string): unknown {
  if (!isDynafeastError(e) || e.message.includes(entity)) return e;
  return new DynafeastError(e.code, `feature view "${view.name}", entity ${entity}: ${e.message}`, {
    ...(e.path ? { path: e.path } : {}),
    ...(e.hint ? { hint: e.hint } : {}),
    cause: e,
  });
}
