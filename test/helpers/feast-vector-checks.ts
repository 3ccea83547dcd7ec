/**
 * dynafeast's layout codec against the vectors scripts/interop/feast_vectors.py asks Feast for: entity
 * key bytes, entity_id, Value bytes, event_ts strings both ways, and whole items, byte for byte. The
 * unit tier runs these checks on the committed fixture (test/fixtures/feast/feast-vectors.json); the
 * interop tier runs them on what the installed Feast produces now, and checks the two are equal.
 */
import { buildItem, createValueEncoder, entityIdOf, formatEventTs, parseEventTs, serializeEntityKey, type EntityKeyPart } from '../../src/core/layout/index.js';
import type { Dtype, JoinKeyDtype, ScalarDtype } from '../../src/core/repo/model.js';
import { decodeValue } from '../../src/core/layout/value-codec.js';
import { parseDtype } from '../../src/core/repo/dtype.js';
import { valueConverter } from '../../src/core/online/convert-value.js';
import { defined } from './defined.js';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

type Input =
  | null
  | boolean
  | number
  | string
  | { hex: string }
  | { object: unknown }
  | { pairs: [unknown, unknown][] }
  | { seconds: string; zone: string }
  | { decimal128_10_2: string }
  | Input[];
interface ValueVector {
  dtype: string;
  path: 'arrow' | 'python';
  input: Input;
  serialized_hex?: string;
  error?: string;
}
interface KeyVector {
  join_keys: { name: string; dtype: JoinKeyDtype; value: Input }[];
  serialized_hex: string;
  entity_id: string;
}
export interface Vectors {
  feast_version: string;
  entity_keys: KeyVector[];
  values: ValueVector[];
  /** Sets, Uuid, Decimal, PdfBytes, Map, Struct, ScalarMap, ZonedTimestamp, nested collections. */
  typed_values: ValueVector[];
  event_ts_written: { micros: string; event_ts: string }[];
  event_ts_read: { event_ts: string; micros: string }[];
  items: {
    join_keys: KeyVector['join_keys'];
    features: { name: string; dtype: string; value: Input }[];
    event_micros: string;
    item: { entity_id: string; event_ts: string; values: Record<string, string> };
  }[];
}

function parseDtypeName(name: string): Dtype {
  const m = /^Array\((\w+)\)$/.exec(name);
  return m ? { kind: 'list', scalar: m[1] as ScalarDtype } : { kind: 'scalar', scalar: name as ScalarDtype };
}

/** Rebuilds the JS value dynafeast's encoders take from the JSON form feast_get().py writes. */
function jsScalar(scalar: ScalarDtype, x: Input): unknown {
  if (x === null) return null;
  switch (scalar) {
    case 'Int64':
    case 'UnixTimestamp':
      return BigInt(x as string);
    case 'Float32':
    case 'Float64':
      return typeof x === 'string' ? Number(x) : x; // "NaN", "Infinity", "-Infinity"
    case 'Bytes':
    case 'PdfBytes':
    case 'ImageBytes':
      return Buffer.from((x as { hex: string }).hex, 'hex');
    case 'Json':
      return typeof x === 'object' && x !== null && 'object' in x ? x.object : x;
    default:
      return x;
  }
}

function jsValue(dtype: Dtype, x: Input): unknown {
  if (dtype.kind === 'nested') throw new Error('nested dtypes have their own vectors');
  if (dtype.kind !== 'scalar') return x === null ? null : (x as Input[]).map((e) => jsScalar(dtype.scalar, e));
  return jsScalar(dtype.scalar, x);
}

const keyParts = (keys: KeyVector['join_keys']): EntityKeyPart[] => keys.map((k) => ({ name: k.name, dtype: k.dtype, value: jsScalar(k.dtype, k.value) }));

const label = (v: ValueVector): string => `${v.path} ${v.dtype} ${JSON.stringify(v.input)}`;

/**
 * Where Feast's two writers disagree, dynafeast follows one of them on purpose (docs/interop.md,
 * "Where Feast disagrees with itself"). Key: `${dtype} ${JSON.stringify(input)}`; value: the path
 * dynafeast matches.
 */
const FOLLOWS: Record<string, 'python' | 'arrow'> = {
  // materialize writes unix_timestamp_val = -2^63 (NaT); push writes an empty Value. Feast reads both
  // as None; other Feast readers (Go, Java) understand only the empty Value.
  'UnixTimestamp null': 'python',
  // materialize writes NaN for a null element (numpy turns the null into NaN); push writes 0.0.
  // dynafeast is a materializer: same bytes as `feast materialize`, and no made-up 0.0.
  'Array(Float32) [1.5,null]': 'arrow',
  'Array(Float64) [2.5,null]': 'arrow',
  // materialize raises (numpy turns the list into floats); push writes 0.
  'Array(Int32) [4,null]': 'python',
  'Array(Int64) ["5",null]': 'python',
};

/** Registers the comparisons as jest tests; `get` is called inside the tests, after any beforeAll. */
export function describeFeastVectorChecks(get: () => Vectors): void {
  describe('values: dynafeast encodes what Feast writes', () => {
    it('compares a useful number of vectors from the installed Feast', () => {
      expect(get().values.filter((v) => v.serialized_hex !== undefined).length).toBeGreaterThan(250);
      expect(get().feast_version).toMatch(/^\d+\.\d+/);
    });

    it('matches every vector Feast produced, except the documented choices between its two writers', () => {
      const failures: string[] = [];
      const byInput = new Map<string, ValueVector[]>();
      for (const v of get().values) {
        const key = `${v.dtype} ${JSON.stringify(v.input)}`;
        byInput.set(key, [...(byInput.get(key) ?? []), v]);
      }
      let compared = 0;
      for (const [key, group] of byInput) {
        const produced = group.filter((v) => v.serialized_hex !== undefined);
        const distinct = new Set(produced.map((v) => v.serialized_hex));
        let expected: ValueVector[];
        if (distinct.size > 1 || group.some((v) => v.error !== undefined)) {
          const follow = FOLLOWS[key];
          if (follow === undefined) {
            failures.push(
              `Feast's writers disagree on ${key} (${group.map((v) => `${v.path}=${v.serialized_hex ?? v.error}`).join(', ')}): decide which one dynafeast follows`,
            );
            continue;
          }
          expected = produced.filter((v) => v.path === follow);
        } else {
          expected = produced;
        }
        for (const v of expected) {
          const dtype = parseDtypeName(v.dtype);
          let got: string;
          try {
            got = hex(createValueEncoder(dtype)(jsValue(dtype, v.input)));
          } catch (e) {
            got = `threw ${(e as Error).message}`;
          }
          compared++;
          if (got !== v.serialized_hex) failures.push(`${label(v)}: Feast ${v.serialized_hex}, dynafeast ${got}`);
        }
      }
      expect(failures).toEqual([]);
      expect(compared).toBeGreaterThan(250);
    });

    it('every documented choice still points at a real disagreement in this Feast version', () => {
      for (const key of Object.keys(FOLLOWS)) {
        const group = get().values.filter((v) => `${v.dtype} ${JSON.stringify(v.input)}` === key);
        const outcomes = new Set(group.map((v) => v.serialized_hex ?? v.error));
        expect([key, outcomes.size]).toEqual([key, 2]);
      }
    });
  });

  describe('entity keys: bytes and entity_id', () => {
    it('matches serialize_entity_key (v3) and compute_entity_id for every generated key', () => {
      const failures: string[] = [];
      for (const v of get().entity_keys) {
        const bytes = serializeEntityKey(keyParts(v.join_keys));
        const id = entityIdOf(bytes);
        if (hex(bytes) !== v.serialized_hex || id !== v.entity_id) {
          failures.push(`${JSON.stringify(v.join_keys)}: Feast ${v.serialized_hex}/${v.entity_id}, dynafeast ${hex(bytes)}/${id}`);
        }
      }
      expect(failures).toEqual([]);
      expect(get().entity_keys.length).toBeGreaterThan(50);
    });
  });

  describe('event_ts', () => {
    it('formats every timestamp as Feast writes it after materialize', () => {
      const got = get().event_ts_written.map((v) => ({ micros: v.micros, event_ts: formatEventTs(BigInt(v.micros)) }));
      expect(got).toEqual(get().event_ts_written);
    });

    it('parses every event_ts to the instant Feast reads with datetime.fromisoformat', () => {
      const got = get().event_ts_read.map((v) => ({ event_ts: v.event_ts, micros: String(parseEventTs(v.event_ts)) }));
      expect(got).toEqual(get().event_ts_read);
    });
  });

  describe('items', () => {
    it('builds the same DynamoDB item as DynamoDBOnlineStore', () => {
      expect(get().items.length).toBeGreaterThan(0);
      for (const v of get().items) {
        const values: Record<string, Uint8Array> = {};
        for (const f of v.features) {
          const dtype = parseDtypeName(f.dtype);
          values[f.name] = createValueEncoder(dtype, f.name)(jsValue(dtype, f.value));
        }
        const item = buildItem({
          entityId: entityIdOf(serializeEntityKey(keyParts(v.join_keys))),
          eventTs: formatEventTs(BigInt(v.event_micros)),
          values,
        });
        expect({
          entity_id: defined(item.entity_id).S,
          event_ts: defined(item.event_ts).S,
          values: Object.fromEntries(Object.entries(defined(defined(item.values).M)).map(([k, b]) => [k, hex(defined(b.B))])),
        }).toEqual(v.item);
      }
    });
  });

  describe('values of every other Feast 0.67 type: dynafeast encodes what Feast writes, and reads it back', () => {
    it('matches every vector, except the documented choices and what Feast itself refuses', () => {
      const failures: string[] = [];
      let compared = 0;
      for (const [key, group] of groupByInput(get().typed_values)) {
        const produced = group.filter((v) => v.serialized_hex !== undefined);
        if (produced.length === 0) {
          if (!(key in FEAST_REFUSES)) failures.push(`Feast refuses ${key} (${group.map((v) => v.error).join('; ')}): say why in FEAST_REFUSES`);
          continue;
        }
        let expected = produced;
        if (new Set(produced.map((v) => v.serialized_hex)).size > 1 || produced.length < group.length) {
          const follow = TYPED_FOLLOWS[key];
          if (follow === undefined) {
            failures.push(
              `Feast's writers disagree on ${key} (${group.map((v) => `${v.path}=${v.serialized_hex ?? v.error}`).join(', ')}): decide which one dynafeast follows`,
            );
            continue;
          }
          expected = produced.filter((v) => v.path === follow);
        }
        for (const v of expected) {
          const dtype = typedDtype(v.dtype);
          const want = defined(v.serialized_hex);
          compared++;
          let got: string;
          try {
            got = hex(createValueEncoder(dtype)(jsTyped(dtype, v.input)));
          } catch (e) {
            got = `threw ${(e as Error).message}`;
          }
          if (got !== want) failures.push(`encode ${label(v)}: Feast ${want}, dynafeast ${got}`);
          // Reading Feast's bytes gives the value back: decoded, converted to a JS value and encoded
          // again, it is the same bytes.
          const decoded = decodeValue(Buffer.from(want, 'hex'));
          const native = decoded === null ? null : valueConverter(dtype, 'native')(decoded);
          let again: string;
          try {
            again = hex(createValueEncoder(dtype)(native));
          } catch (e) {
            again = `threw ${(e as Error).message}`;
          }
          if (again !== want) failures.push(`decode ${label(v)}: Feast ${want}, read and written again ${again}`);
        }
      }
      expect(failures).toEqual([]);
      expect(compared).toBeGreaterThan(100);
    });

    it('reads text, sets and zoned timestamps Feast wrote as the values given to Feast', () => {
      for (const v of get().typed_values) {
        if (
          v.serialized_hex === undefined ||
          v.input === null ||
          !/^(Set\((Uuid|TimeUuid|Decimal|String|Int32|Bool)\)|Uuid|TimeUuid|Decimal|ZonedTimestamp)$/.test(v.dtype)
        )
          continue;
        if (typeof v.input === 'object' && 'decimal128_10_2' in v.input) continue;
        const dtype = typedDtype(v.dtype);
        const decoded = defined(decodeValue(Buffer.from(v.serialized_hex, 'hex')));
        const native = valueConverter(dtype, 'native')(decoded);
        let want = jsTyped(dtype, v.input);
        if (dtype.kind === 'set') want = [...new Set(want as unknown[])];
        if (dtype.kind === 'scalar' && dtype.scalar === 'ZonedTimestamp') {
          const z = want as { seconds: bigint; zone: string };
          want = { date: new Date(Number(z.seconds) * 1000), zone: z.zone };
        }
        expect({ v: label(v), native }).toEqual({ v: label(v), native: want });
      }
    });

    it('every documented choice still points at a real disagreement, every refusal at a real refusal', () => {
      for (const key of Object.keys(TYPED_FOLLOWS)) {
        const group = get().typed_values.filter((v) => `${v.dtype} ${JSON.stringify(v.input)}` === key);
        expect([key, new Set(group.map((v) => v.serialized_hex ?? v.error)).size]).toEqual([key, 2]);
      }
      for (const key of Object.keys(FEAST_REFUSES)) {
        const group = get().typed_values.filter((v) => `${v.dtype} ${JSON.stringify(v.input)}` === key);
        expect([key, group.length > 0 && group.every((v) => v.error !== undefined)]).toEqual([key, true]);
      }
    });
  });
}

function groupByInput(values: ValueVector[]): Map<string, ValueVector[]> {
  const out = new Map<string, ValueVector[]>();
  for (const v of values) {
    const key = `${v.dtype} ${JSON.stringify(v.input)}`;
    out.set(key, [...(out.get(key) ?? []), v]);
  }
  return out;
}

function typedDtype(name: string): Dtype {
  const r = parseDtype(name);
  if (!r.ok) throw new Error(`${name}: ${r.reason}`);
  return r.dtype;
}

/** The JS value dynafeast's encoder takes for a typed vector's JSON input. */
function jsTyped(dtype: Dtype, x: Input): unknown {
  if (x === null) return null;
  if (dtype.kind === 'nested') return (x as Input[]).map((e) => (e === null ? null : jsTyped(dtype.inner, e)));
  if (typeof x === 'object' && !Array.isArray(x)) {
    if ('object' in x) return x.object;
    if ('pairs' in x) return x.pairs;
    if ('seconds' in x) return { seconds: BigInt(x.seconds), zone: x.zone };
    if ('decimal128_10_2' in x) return x.decimal128_10_2;
  }
  if (dtype.kind !== 'scalar') return (x as Input[]).map((e) => jsScalar(dtype.scalar, e));
  return jsScalar(dtype.scalar, x);
}

/** Where Feast's two writers disagree on a typed value: the path dynafeast follows, and why. */
const TYPED_FOLLOWS: Record<string, 'python' | 'arrow'> = {
  // materialize keeps the declared element type of the inner lists (int32_list_val); push infers
  // int64_list_val from Python ints. dynafeast materializes: the declared type.
  'Array(Array(Int32)) [[1,2],[],null,[3]]': 'arrow',
  // materialize refuses a timestamp column for ZonedTimestamp (numpy datetime64, not datetime); push
  // writes the instant and zone.
  'ZonedTimestamp {"seconds":"0","zone":"UTC"}': 'python',
};

/** Inputs only one Feast writer sees, and it refuses them: dynafeast has no bytes to match. */
const FEAST_REFUSES: Record<string, string> = {
  'Map {"object":{"a":"x"}}': "materialize of a parquet MAP column: Feast's type_map wants a dict, pyarrow gives pairs",
};
