/**
 * DynamoDB JSON (the wire form of AttributeValue) written straight into a string: binary as base64, the
 * rest as JSON. The SDK builds the same text through a generic serializer per request; doing it per item
 * once is what makes the lean writer lean.
 */
import { Buffer } from 'node:buffer';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from '../../layout/item.js';

const base64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

const q = (s: string) => JSON.stringify(s);

// Attribute names repeat in every item (entity_id, event_ts, values, the features): quote each once.
const quotedNames = new Map<string, string>();
const MAX_CACHED_NAMES = 4096;

function quotedName(name: string): string {
  let out = quotedNames.get(name);
  if (out === undefined) {
    out = JSON.stringify(name);
    if (quotedNames.size < MAX_CACHED_NAMES) quotedNames.set(name, out);
  }
  return out;
}

export function attributeJson(v: AttributeValue): string {
  if (v.S !== undefined) return `{"S":${q(v.S)}}`;
  if (v.B !== undefined) return `{"B":"${base64(v.B)}"}`;
  if (v.N !== undefined) return `{"N":${q(v.N)}}`;
  if (v.M !== undefined) return `{"M":${itemJson(v.M)}}`;
  if (v.BOOL !== undefined) return `{"BOOL":${v.BOOL ? 'true' : 'false'}}`;
  if (v.NULL !== undefined) return '{"NULL":true}';
  if (v.L !== undefined) return `{"L":[${v.L.map(attributeJson).join(',')}]}`;
  if (v.SS !== undefined) return `{"SS":[${v.SS.map(q).join(',')}]}`;
  if (v.NS !== undefined) return `{"NS":[${v.NS.map(q).join(',')}]}`;
  if (v.BS !== undefined) return `{"BS":[${v.BS.map((b) => `"${base64(b)}"`).join(',')}]}`;
  throw new Error(`unsupported attribute value ${Object.keys(v).join(',')}`);
}

/** An item (or a map's contents) as a DynamoDB JSON object. */
export function itemJson(item: Item): string {
  let out = '{';
  let first = true;
  for (const name in item) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- name comes from iterating the same item
    out += `${first ? '' : ','}${quotedName(name)}:${attributeJson(item[name]!)}`;
    first = false;
  }
  return `${out}}`;
}
