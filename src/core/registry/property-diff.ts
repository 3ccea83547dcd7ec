/**
 * Field-level differences between two registry objects, for the plan: `tags.team: "a" → "b"`.
 * Paths use Feast's JSON names (what `registry-dump` prints); list elements that have a `name` are
 * addressed by it (`features[conv_rate].valueType`) so a reorder does not read as a rewrite.
 */
import type { JsonValue } from '@bufbuild/protobuf';

export interface PropertyChange {
  path: string;
  /** Absent when the property is added. */
  before?: JsonValue;
  /** Absent when the property is removed. */
  after?: JsonValue;
}

type JsonObject = { [k: string]: JsonValue };

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmptyList(v: JsonValue | undefined): v is [] {
  return Array.isArray(v) && v.length === 0;
}

function isNamedList(v: JsonValue | undefined): v is JsonObject[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => isObject(x) && typeof x['name'] === 'string');
}

function leaf(path: string, before: JsonValue | undefined, after: JsonValue | undefined, out: PropertyChange[]): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  const change: PropertyChange = { path };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  out.push(change);
}

/** Recurses into objects and named lists present on both sides; anything else is one change. */
function walk(before: JsonValue | undefined, after: JsonValue | undefined, path: string, out: PropertyChange[]): void {
  const join = (k: string) => (path ? `${path}.${k}` : k);
  // proto3 JSON omits empty maps and lists: an absent side reads as an empty one, so a first tag shows as
  // `tags.team` rather than the whole map appearing
  if (before === undefined && (isObject(after) || isNamedList(after))) before = isObject(after) ? {} : [];
  if (after === undefined && (isObject(before) || isNamedList(before))) after = isObject(before) ? {} : [];
  if (isObject(before) && isObject(after)) {
    for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) walk(before[k], after[k], join(k), out);
    return;
  }
  if ((isNamedList(before) || isEmptyList(before)) && (isNamedList(after) || isEmptyList(after)) && path) {
    const a = new Map(before.map((x) => [x['name'] as string, x]));
    const b = new Map(after.map((x) => [x['name'] as string, x]));
    for (const name of [...new Set([...a.keys(), ...b.keys()])]) {
      const [x, y, at] = [a.get(name), b.get(name), `${path}[${name}]`];
      // an added or removed element is one change holding the whole element
      if (x && y) walk(x, y, at, out);
      else leaf(at, x, y, out);
    }
    return;
  }
  leaf(path, before, after, out);
}

/** Properties that differ between `before` and `after`. */
export function diffProperties(before: JsonValue | undefined, after: JsonValue | undefined): PropertyChange[] {
  const out: PropertyChange[] = [];
  walk(before, after, '', out);
  return out;
}
