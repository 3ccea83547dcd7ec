/**
 * The DynamoDB item of one entity in one feature view table (architecture.md §3):
 * `{entity_id: {S}, event_ts: {S}, values: {M: {feature: {B}}}}` plus optional dynafeast attributes,
 * which Feast readers ignore.
 */
import { Buffer } from 'node:buffer';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynafeastError } from '../errors.js';
import { parseEventTs } from './event-ts.js';
import { ownRecord } from '../util/own-record.js';

export type Item = Record<string, AttributeValue>;

export const ENTITY_ID_ATTR = 'entity_id';
export const EVENT_TS_ATTR = 'event_ts';
export const VALUES_ATTR = 'values';
/** DynamoDB's item size limit: 400 KB, names included. */
export const MAX_ITEM_BYTES = 400 * 1024;

export interface ItemInput {
  /** {@link entityIdOf} of the serialized entity key. */
  entityId: string;
  /** {@link formatEventTs} of the row's event timestamp. */
  eventTs: string;
  /** Feature name -> serialized feast.types.Value. */
  values: Record<string, Uint8Array>;
  /** More top-level attributes (e.g. a numeric TTL attribute); must not reuse Feast's names. */
  extra?: Item;
}

export function buildItem(input: ItemInput): Item {
  const m: Record<string, AttributeValue> = {};
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- name comes from iterating the same record
  for (const name in input.values) m[name] = { B: input.values[name]! };
  const item: Item = {
    [ENTITY_ID_ATTR]: { S: input.entityId },
    [EVENT_TS_ATTR]: { S: input.eventTs },
    [VALUES_ATTR]: { M: m },
  };
  if (input.extra !== undefined) {
    for (const name in input.extra) {
      if (name === ENTITY_ID_ATTR || name === EVENT_TS_ATTR || name === VALUES_ATTR) {
        throw new DynafeastError('codec.badValue', `extra item attribute "${name}" would overwrite Feast's own attribute`, {
          path: name,
          hint: "pick another name for dynafeast's own attributes",
        });
      }
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- name comes from iterating the same record
      item[name] = input.extra[name]!;
    }
  }
  return item;
}

export interface ParsedItem {
  entityId: string;
  eventTs: string;
  /** `event_ts` as microseconds since the epoch (any offset accepted). */
  eventMicros: bigint;
  /** Feature name -> serialized Value; only the features present (or projected) in the item. */
  values: Record<string, Uint8Array>;
}

function badItem(attr: string, why: string, entityId?: string): DynafeastError {
  return new DynafeastError('codec.badValue', `stored item${entityId === undefined ? '' : ` ${entityId}`}: ${attr} ${why}`, {
    path: attr,
    hint: 'the table holds items not written by Feast or dynafeast; rewrite them with materialize',
  });
}

/** Reads an item as returned by GetItem/BatchGetItem (values still serialized; see decodeValue). */
export function parseItem(item: Item): ParsedItem {
  const entityId = item[ENTITY_ID_ATTR]?.S;
  if (entityId === undefined) throw badItem(ENTITY_ID_ATTR, 'is missing or not a string');
  const eventTs = item[EVENT_TS_ATTR]?.S;
  if (eventTs === undefined) throw badItem(EVENT_TS_ATTR, 'is missing or not a string', entityId);
  const values = ownRecord<Uint8Array>();
  const attr = item[VALUES_ATTR];
  // A projection that matches no stored feature returns the item without `values`.
  if (attr !== undefined) {
    if (attr.M === undefined) throw badItem(VALUES_ATTR, 'is not a map', entityId);
    for (const name in attr.M) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- name comes from iterating the same map
      const b = attr.M[name]!.B;
      if (b === undefined) throw badItem(`${VALUES_ATTR}.${name}`, 'is not binary', entityId);
      values[name] = b;
    }
  }
  return { entityId, eventTs, eventMicros: parseEventTs(eventTs), values };
}

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** DynamoDB's size of a number: about one byte per two significant digits, plus one. */
export function numberSize(n: string): number {
  let digits = n
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '');
  digits = digits.replace(/^0+/, '').replace(/0+$/, '');
  // A negative number costs one more byte; over-counting here only makes the check stricter.
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1 + (n.startsWith('-') ? 1 : 0);
}

function attributeValueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8Length(v.S);
  if (v.B !== undefined) return v.B.length;
  if (v.N !== undefined) return numberSize(v.N);
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.M !== undefined) {
    let size = 3;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- name comes from iterating the same map
    for (const name in v.M) size += 1 + utf8Length(name) + attributeValueSize(v.M[name]!);
    return size;
  }
  if (v.L !== undefined) {
    let size = 3;
    for (const e of v.L) size += 1 + attributeValueSize(e);
    return size;
  }
  if (v.SS !== undefined) return v.SS.reduce((n, s) => n + utf8Length(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((n, s) => n + numberSize(s), 0);
  if (v.BS !== undefined) return v.BS.reduce((n, b) => n + b.length, 0);
  return 0;
}

/**
 * Item size as DynamoDB counts it against the 400 KB limit: UTF-8 attribute names plus value sizes;
 * maps and lists add 3 bytes plus 1 per element.
 */
export function itemSizeBytes(item: Item): number {
  let size = 0;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- name comes from iterating the same item
  for (const name in item) size += utf8Length(name) + attributeValueSize(item[name]!);
  return size;
}

/** Write request units of one put of an item of `bytes`: DynamoDB rounds each item up to 1 KB. */
export const writeUnitsOf = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

/** Throws `codec.itemTooLarge` for an item DynamoDB would reject, naming the view and entity. */
export function assertItemFits(item: Item, where: { view: string; entity: string }): void {
  const size = itemSizeBytes(item);
  if (size > MAX_ITEM_BYTES) {
    throw new DynafeastError(
      'codec.itemTooLarge',
      `feature view "${where.view}", entity ${where.entity}: item is ${size} bytes, DynamoDB allows ${MAX_ITEM_BYTES}`,
      { path: where.view, hint: 'shrink the largest features (long strings, lists, bytes) or split the view' },
    );
  }
}
