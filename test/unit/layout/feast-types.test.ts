/**
 * The one dtype table (src/core/layout/feast-types.ts): every row has every column and agrees with the
 * generated feast.types protos, and every consumer (Value codec, registry writer, dtype parser, entity
 * key encoder, offline engine) handles every row. A dtype added to the table without a consumer fails
 * here; the per-dtype samples below are a Record, so the new row must also be given one.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { WireType } from '@bufbuild/protobuf/wire';
import { ValueSchema, ValueType_Enum } from '../../../src/gen/feast/types/Value_pb.js';
import {
  FEAST_TYPES,
  JOIN_KEY_DTYPES,
  SCALAR_DTYPES,
  dtypeOfEnumName,
  dtypeOfValueType,
  isFloatDtype,
  valueTypeOf,
  fieldTagsOf,
  type Dtype,
  type FeastType,
  type StructField,
  type ScalarDtype,
} from '../../../src/core/layout/feast-types.js';
import { createValueEncoder, decodeValue } from '../../../src/core/layout/value-codec.js';
import { createEntityKeyEncoder } from '../../../src/core/layout/entity-key.js';
import { buildRegistryObjects } from '../../../src/core/registry/build.js';
import { parseDtype, parseJoinKeyDtype } from '../../../src/core/repo/dtype.js';
import { formatDtype } from '../../../src/core/repo/model.js';
import { featureSql, type SourceColumnType } from '../../../src/core/offline/column-types.js';
import { columnTypeOf } from '../../../src/core/offline/offline-store.js';
import { makeRepo, makeView } from '../../helpers/plan-fixtures.js';
import { defined } from '../../helpers/defined.js';

/** Per dtype: a JS value the encoder takes, and a DuckDB literal of a source column that feeds it. */
const SAMPLES: Record<ScalarDtype, { js: unknown; sql: string }> = {
  Int32: { js: -7, sql: 'CAST(-7 AS INTEGER)' },
  Int64: { js: 2n ** 40n, sql: 'CAST(1099511627776 AS BIGINT)' },
  Float32: { js: 0.5, sql: 'CAST(0.5 AS FLOAT)' },
  Float64: { js: 0.25, sql: 'CAST(0.25 AS DOUBLE)' },
  String: { js: 'héllo', sql: "'héllo'" },
  Bytes: { js: new Uint8Array([0, 255]), sql: "'\\x00\\xFF'::BLOB" },
  Bool: { js: true, sql: 'true' },
  UnixTimestamp: { js: 1_700_000_000, sql: "TIMESTAMP '2023-11-14 22:13:20'" },
  Json: { js: '{"a": 1}', sql: '\'{"a": 1}\'' },
  Uuid: { js: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', sql: "'1b4e28ba-2fa1-11d2-883f-0016d3cca427'::UUID" },
  TimeUuid: { js: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', sql: "'1b4e28ba-2fa1-11d2-883f-0016d3cca427'" },
  Decimal: { js: '12.50', sql: 'CAST(12.50 AS DECIMAL(10, 2))' },
  PdfBytes: { js: new Uint8Array([37, 80]), sql: "'%P'::BLOB" },
  ImageBytes: { js: new Uint8Array([0x89]), sql: "'\\x89'::BLOB" },
  // Message-shaped rows: the offline engine does not read them from files yet (sql unused).
  Map: { js: { a: 'x', n: 2 }, sql: '' },
  Struct: { js: { name: 'x', age: 3 }, sql: '' },
  ScalarMap: { js: new Map([[1, 'one']]), sql: '' },
  ZonedTimestamp: { js: { seconds: 1_700_000_000, zone: 'Europe/Berlin' }, sql: '' },
};

const FORMS = ['scalar', 'list', 'set'] as const;
const STRUCT_FIELDS: readonly StructField[] = [
  { name: 'name', dtype: { kind: 'scalar', scalar: 'String' } },
  { name: 'age', dtype: { kind: 'scalar', scalar: 'Int32' } },
];
const EVERY_DTYPE: Dtype[] = SCALAR_DTYPES.flatMap((scalar) =>
  FORMS.filter((kind) => (FEAST_TYPES[scalar] as FeastType)[kind] !== undefined).map(
    (kind) => (scalar === 'Struct' ? { kind, scalar, fields: STRUCT_FIELDS } : { kind, scalar }) as Dtype,
  ),
);
const formOf = (d: Dtype) => defined(d.kind === 'nested' ? undefined : (FEAST_TYPES[d.scalar] as FeastType)[d.kind]);
const scalarOf = (d: Dtype): ScalarDtype => (d.kind === 'nested' ? 'String' : d.scalar);

describe('the Feast type table', () => {
  it('has every column for every dtype, agreeing with the generated feast.types protos', () => {
    const fields = new Map(ValueSchema.fields.map((f) => [f.localName, f]));
    const seenFields = new Set<number>();
    const seenTypes = new Set<number>();
    expect(SCALAR_DTYPES.length).toBeGreaterThan(0);
    for (const scalar of SCALAR_DTYPES) {
      const row: FeastType = FEAST_TYPES[scalar];
      // the table's columns, and the value facts of integer (`range`) and float (`float`) dtypes, only those
      const columns = Object.keys(row);
      expect(columns.every((k) => ['duckdb', 'joinKey', 'list', 'set', 'scalar', 'shape', 'wire', 'range', 'float'].includes(k))).toBe(true);
      expect({ dtype: scalar, range: columns.includes('range') }).toEqual({ dtype: scalar, range: row.duckdb === 'INTEGER' || row.duckdb === 'BIGINT' });
      expect({ dtype: scalar, float: columns.includes('float') }).toEqual({ dtype: scalar, float: isFloatDtype(scalar) });
      expect(typeof row.joinKey).toBe('boolean');
      expect(['INTEGER', 'BIGINT', 'DOUBLE', 'VARCHAR', 'BLOB', 'BOOLEAN', 'NESTED']).toContain(row.duckdb);
      for (const kind of FORMS) {
        const f = row[kind];
        if (f === undefined) continue;
        // the ValueType exists (PDF_BYTES and IMAGE_BYTES only in Feast's Python enum), and its Value
        // oneof case is the one the proto declares with that number
        if (scalar !== 'PdfBytes' && scalar !== 'ImageBytes') expect(ValueType_Enum[f.valueType]).toBeDefined();
        const field = fields.get(f.valueCase);
        expect({ dtype: scalar, kind, number: field?.number, oneof: field?.oneof?.name }).toEqual({ dtype: scalar, kind, number: f.field, oneof: 'val' });
        if (kind !== 'scalar') {
          const suffix = kind === 'list' ? '_LIST' : '_SET';
          expect(ValueType_Enum[f.valueType]).toBe(`${ValueType_Enum[row.scalar.valueType]}${suffix}`);
        }
        // no two rows share a field or a ValueType (PdfBytes and ImageBytes are bytes_val)
        if (f.field === 1 && scalar !== 'Bytes') continue;
        expect(seenFields.has(f.field)).toBe(false);
        expect(seenTypes.has(f.valueType)).toBe(false);
        seenFields.add(f.field);
        seenTypes.add(f.valueType);
      }
    }
    expect(JOIN_KEY_DTYPES).toEqual(SCALAR_DTYPES.filter((s) => FEAST_TYPES[s].joinKey));
  });

  it('holds the true value facts: integer ranges of the wire widths, float limits of IEEE binary32/64, Feast datetime seconds', () => {
    expect(FEAST_TYPES.Int32.range).toEqual({ min: BigInt.asIntN(32, 1n << 31n), max: BigInt.asIntN(32, (1n << 31n) - 1n) });
    expect(FEAST_TYPES.Int64.range).toEqual({ min: BigInt.asIntN(64, 1n << 63n), max: BigInt.asIntN(64, (1n << 63n) - 1n) });
    // Python's datetime.min and datetime.max (whole seconds), in UTC
    expect(FEAST_TYPES.UnixTimestamp.range).toEqual({
      min: BigInt(Date.parse('0001-01-01T00:00:00Z') / 1000),
      max: BigInt(Date.parse('9999-12-31T23:59:59Z') / 1000),
    });
    const largestF32 = new Float32Array(new Uint32Array([0x7f7fffff]).buffer)[0];
    expect(FEAST_TYPES.Float32.float).toEqual({ max: largestF32, exactIntBits: 24, duckdbWidth: 'FLOAT' });
    expect(FEAST_TYPES.Float64.float).toEqual({ max: Number.MAX_VALUE, exactIntBits: 53, duckdbWidth: 'DOUBLE' });
    // exactIntBits: 2^bits + 1 is the first integer the type cannot hold
    expect(Math.fround(2 ** 24 + 1)).not.toBe(2 ** 24 + 1);
    expect(Math.fround(2 ** 24 - 1)).toBe(2 ** 24 - 1);
    expect(BigInt(2 ** 53 + 1)).not.toBe(2n ** 53n + 1n);
  });

  it('maps dtype <-> ValueType both ways, with no dtype for INVALID or NULL', () => {
    for (const d of EVERY_DTYPE) {
      const tags = fieldTagsOf(d, {});
      expect(dtypeOfValueType(valueTypeOf(d), tags)).toEqual(d);
      if (d.kind !== 'nested' && d.scalar === 'Struct') {
        expect(dtypeOfValueType(valueTypeOf(d))).toBeUndefined(); // no schema tag: no Struct
        continue;
      }
      const name = ValueType_Enum[valueTypeOf(d)] ?? (scalarOf(d) === 'PdfBytes' ? 'PDF_BYTES' : 'IMAGE_BYTES');
      expect(dtypeOfEnumName(name)).toEqual(d);
      expect(dtypeOfEnumName(`ValueType.${name.toLowerCase()}`)).toEqual(d);
    }
    expect(dtypeOfValueType(ValueType_Enum.INVALID)).toBeUndefined();
    expect(dtypeOfValueType(ValueType_Enum.NULL)).toBeUndefined();
    expect(dtypeOfEnumName('NOT_A_TYPE')).toBeUndefined();
    expect(ValueType_Enum.JSON).toBe(32);
  });

  it('the Value codec writes and reads every form of every dtype under the table field and case', () => {
    for (const d of EVERY_DTYPE) {
      const form = formOf(d);
      const sample = SAMPLES[scalarOf(d)].js;
      // Set elements are unique: two equal samples would be one.
      const bytes = createValueEncoder(d)(d.kind === 'list' ? [sample, sample] : d.kind === 'set' ? [sample] : sample);
      const wire = d.kind !== 'scalar' ? WireType.LengthDelimited : FEAST_TYPES[scalarOf(d)].wire;
      // the first tag is the table's field with the form's wire type (one-byte tags up to field 15, two after)
      const tag = (form.field << 3) | wire;
      expect(tag < 128 ? [bytes[0]] : [bytes[0], bytes[1]]).toEqual(tag < 128 ? [tag] : [(tag & 0x7f) | 0x80, tag >> 7]);
      const decoded = decodeValue(bytes);
      expect({ dtype: formatDtype(d), kind: decoded?.kind }).toEqual({ dtype: formatDtype(d), kind: form.valueCase });
      if (d.kind === 'list') expect(defined(decoded).value).toHaveLength(2);
    }
  });

  it('the registry writer records the table ValueType for features, entity columns and entities', () => {
    const features = EVERY_DTYPE.map((dtype, i) => ({ name: `f${i}`, dtype, description: '', tags: {} }));
    const view = makeView('all_types', { features });
    const repo = makeRepo([view]);
    const built = defined(defined(buildRegistryObjects('demo', repo).featureViews[0]).spec);
    expect(built.features.map((f) => f.valueType)).toEqual(EVERY_DTYPE.map((d) => formOf(d).valueType));
    expect(defined(built.entityColumns[0]).valueType).toBe(FEAST_TYPES.Int64.scalar.valueType);
    for (const key of JOIN_KEY_DTYPES) {
      const withKey = makeRepo([view]);
      defined(withKey.entities[0]).valueType = key;
      const entity = defined(buildRegistryObjects('demo', withKey).entities.find((e) => defined(e.spec).name === 'driver'));
      expect(defined(entity.spec).valueType).toBe(FEAST_TYPES[key].scalar.valueType);
    }
  });

  it('the dtype parser reads every dtype by name and suggests it from its Feast enum spelling', () => {
    for (const d of EVERY_DTYPE) {
      expect(parseDtype(formatDtype(d))).toEqual({ ok: true, dtype: d });
      if (scalarOf(d) !== 'Struct' && ValueType_Enum[valueTypeOf(d)] !== undefined) {
        expect(parseDtype(ValueType_Enum[valueTypeOf(d)])).toMatchObject({ ok: false, suggestion: formatDtype(d) });
      }
    }
    for (const s of SCALAR_DTYPES) {
      expect(parseJoinKeyDtype(s).ok).toBe(FEAST_TYPES[s].joinKey);
    }
  });

  it('the entity key encoder writes the table ValueType for every join key dtype and refuses the rest', () => {
    for (const s of SCALAR_DTYPES) {
      const encode = () => createEntityKeyEncoder([{ name: 'k', dtype: s as never }]);
      if (!FEAST_TYPES[s].joinKey) {
        expect(encode).toThrow(expect.objectContaining({ code: 'codec.badEntityKey' }));
        continue;
      }
      const key = Buffer.from(encode()([SAMPLES[s].js]));
      // version-3 layout: key count, then per key its ValueType (little-endian int32) after the name block
      const typeAt = 4 + 4 + 4 + 1; // count, name type, name length, "k"
      expect({ dtype: s, type: key.readInt32LE(typeAt) }).toEqual({ dtype: s, type: FEAST_TYPES[s].scalar.valueType });
    }
  });

  describe('the offline engine', () => {
    let instance: DuckDBInstance;
    beforeAll(async () => {
      instance = await DuckDBInstance.create(':memory:');
    });
    afterAll(() => instance.closeSync());

    it('converts a matching source column of every dtype to the table DuckDB type', async () => {
      const connection = await instance.connect();
      try {
        for (const d of EVERY_DTYPE) {
          if (d.kind === 'nested') continue;
          if (FEAST_TYPES[d.scalar].duckdb === 'NESTED') {
            // Text feeds a Map only as the typed JSON export writes (value-codec.ts, writeMapJson); the
            // other message-shaped dtypes are not read from text: refused by name, never skipped.
            const text =
              d.kind === 'scalar'
                ? { name: 'VARCHAR', kind: 'string' as const }
                : { name: 'VARCHAR[]', kind: 'list' as const, element: { name: 'VARCHAR', kind: 'string' as const } };
            expect(featureSql('c', text, d, 'c')).toMatchObject({ ok: d.scalar === 'Map' });
            continue;
          }
          const literal = d.kind !== 'scalar' ? `[${SAMPLES[d.scalar].sql}]` : SAMPLES[d.scalar].sql;
          const described = await connection.run(`SELECT ${literal} AS c LIMIT 0`);
          const source: SourceColumnType = columnTypeOf(described.columnType(0));
          const conversion = featureSql('c', source, d, 'c');
          if (!conversion.ok) throw new Error(`${formatDtype(d)}: no conversion from ${source.name}`);
          const result = await connection.run(`SELECT ${conversion.sql} AS v FROM (SELECT ${literal} AS c)`);
          const want = d.kind !== 'scalar' ? `${FEAST_TYPES[d.scalar].duckdb}[]` : FEAST_TYPES[d.scalar].duckdb;
          expect({ dtype: formatDtype(d), type: result.columnType(0).toString() }).toEqual({ dtype: formatDtype(d), type: want });
        }
      } finally {
        connection.closeSync();
      }
    });
  });
});
