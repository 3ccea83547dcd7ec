/**
 * Feast's types, one row per dtype: everything that differs by dtype and is a fact of Feast's formats
 * (the feast.types.ValueType number the registry and entity keys record, the feast.types.Value oneof
 * field and case the codec writes and reads, the protobuf wire type of one element), the DuckDB type
 * the offline engine hands the encoder, and whether the dtype may be a join key.
 *
 * The Value codec, the registry writer, the dtype parser, the entity key encoder and the offline engine
 * all read this table, so adding a dtype is adding a row here; each consumer's own per-dtype code is a
 * `Record<ScalarDtype, …>` or an exhaustive switch, so TypeScript then names every place that has to
 * learn the new dtype. Types that are not "a scalar or a list of it" (Map, Struct, Set, …) get a new
 * `form` beside `scalar` and `list` rather than a second table.
 */
import { WireType } from '@bufbuild/protobuf/wire';
import { ValueType_Enum } from '../../gen/feast/types/Value_pb.js';
import { pythonJsonDumps } from './python-json.js';

/** One shape of a dtype on the wire: the dtype itself, `Array(<dtype>)` or `Set(<dtype>)`. */
export interface ValueForm {
  /** feast.types.ValueType.Enum: FeatureSpecV2.value_type, EntitySpecV2.value_type, entity key type codes. */
  readonly valueType: ValueType_Enum;
  /** Field number of the feast.types.Value oneof case. */
  readonly field: number;
  /** The oneof case's name as protobuf-es spells it (and value-decode reports it). */
  readonly valueCase: string;
}

/**
 * How a row's value is laid out: `element` = one protobuf scalar (the list/set forms repeat it);
 * `map` = feast.types.Map (map<string, Value>), `mapList` its list; `scalarMap` = feast.types.ScalarMap;
 * `zoned` = feast.types.ZonedTimestamp.
 */
export type Shape = 'element' | 'map' | 'scalarMap' | 'zoned';

export interface FeastType {
  readonly scalar: ValueForm;
  /** `Array(<dtype>)`; absent where Feast 0.67 has no <TYPE>_LIST value type (PdfBytes, ScalarMap, ...). */
  readonly list?: ValueForm;
  /** `Set(<dtype>)`; absent where Feast 0.67 has no <TYPE>_SET value type (Json, Map, ...). */
  readonly set?: ValueForm;
  readonly shape: Shape;
  /** Wire type of one element: the scalar field's, and a list's element (packed when not length-delimited). */
  readonly wire: WireType;
  /** The DuckDB type the offline engine converts source columns to before the encoder reads them. */
  readonly duckdb: 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'VARCHAR' | 'BLOB' | 'BOOLEAN' | 'NESTED';
  /** Serializable into an entity key (Feast's serialize_entity_key accepts these value types only). */
  readonly joinKey: boolean;
  /**
   * Integer dtypes: the whole numbers a value may hold. A source value outside is refused, never wrapped
   * or clamped (UnixTimestamp: seconds of 0001-01-01..9999-12-31, what Feast turns back into a datetime).
   */
  readonly range?: { readonly min: bigint; readonly max: bigint };
  /**
   * Float dtypes: the largest finite value (a finite source value beyond it is refused rather than
   * becoming inf), the bits of integer a value holds exactly (an integer past 2^bits must survive the
   * trip unchanged), and the DuckDB type of exactly this width, to make that trip in SQL.
   */
  readonly float?: { readonly max: number; readonly exactIntBits: number; readonly duckdbWidth: 'FLOAT' | 'DOUBLE' };
}

// Generic so the table keeps each case name as a literal type (ValueCase below).
const form = <C extends string>(valueType: ValueType_Enum, field: number, valueCase: C): ValueForm & { readonly valueCase: C } => ({
  valueType,
  field,
  valueCase,
});

/**
 * Feast's Python ValueType has PDF_BYTES = 30 and IMAGE_BYTES = 31, which its Value.proto enum lacks;
 * the registry records the number all the same (proto3 enums are open). Their values are bytes_val.
 */
const PDF_BYTES = 30 as ValueType_Enum;
const IMAGE_BYTES = 31 as ValueType_Enum;

/** In the order dynafeast lists dtypes in messages and docs. */
export const FEAST_TYPES = {
  Int32: {
    scalar: form(ValueType_Enum.INT32, 3, 'int32Val'),
    list: form(ValueType_Enum.INT32_LIST, 13, 'int32ListVal'),
    set: form(ValueType_Enum.INT32_SET, 24, 'int32SetVal'),
    shape: 'element',
    wire: WireType.Varint,
    duckdb: 'INTEGER',
    joinKey: true,
    range: { min: -(2n ** 31n), max: 2n ** 31n - 1n },
  },
  Int64: {
    scalar: form(ValueType_Enum.INT64, 4, 'int64Val'),
    list: form(ValueType_Enum.INT64_LIST, 14, 'int64ListVal'),
    set: form(ValueType_Enum.INT64_SET, 25, 'int64SetVal'),
    shape: 'element',
    wire: WireType.Varint,
    duckdb: 'BIGINT',
    joinKey: true,
    range: { min: -(2n ** 63n), max: 2n ** 63n - 1n },
  },
  Float32: {
    scalar: form(ValueType_Enum.FLOAT, 6, 'floatVal'),
    list: form(ValueType_Enum.FLOAT_LIST, 16, 'floatListVal'),
    set: form(ValueType_Enum.FLOAT_SET, 27, 'floatSetVal'),
    shape: 'element',
    wire: WireType.Bit32,
    // NOTE: DOUBLE, not FLOAT: the encoder rounds to f32 as protobuf's float field does, which also keeps
    // values beyond f32's range (inf) instead of DuckDB's cast error.
    duckdb: 'DOUBLE',
    joinKey: false,
    float: { max: 3.4028234663852886e38, exactIntBits: 24, duckdbWidth: 'FLOAT' },
  },
  Float64: {
    scalar: form(ValueType_Enum.DOUBLE, 5, 'doubleVal'),
    list: form(ValueType_Enum.DOUBLE_LIST, 15, 'doubleListVal'),
    set: form(ValueType_Enum.DOUBLE_SET, 26, 'doubleSetVal'),
    shape: 'element',
    wire: WireType.Bit64,
    duckdb: 'DOUBLE',
    joinKey: false,
    float: { max: Number.MAX_VALUE, exactIntBits: 53, duckdbWidth: 'DOUBLE' },
  },
  String: {
    scalar: form(ValueType_Enum.STRING, 2, 'stringVal'),
    list: form(ValueType_Enum.STRING_LIST, 12, 'stringListVal'),
    set: form(ValueType_Enum.STRING_SET, 23, 'stringSetVal'),
    shape: 'element',
    wire: WireType.LengthDelimited,
    duckdb: 'VARCHAR',
    joinKey: true,
  },
  Bytes: {
    scalar: form(ValueType_Enum.BYTES, 1, 'bytesVal'),
    list: form(ValueType_Enum.BYTES_LIST, 11, 'bytesListVal'),
    set: form(ValueType_Enum.BYTES_SET, 22, 'bytesSetVal'),
    shape: 'element',
    wire: WireType.LengthDelimited,
    duckdb: 'BLOB',
    joinKey: true,
  },
  Bool: {
    scalar: form(ValueType_Enum.BOOL, 7, 'boolVal'),
    list: form(ValueType_Enum.BOOL_LIST, 17, 'boolListVal'),
    set: form(ValueType_Enum.BOOL_SET, 28, 'boolSetVal'),
    shape: 'element',
    wire: WireType.Varint,
    duckdb: 'BOOLEAN',
    joinKey: false,
  },
  UnixTimestamp: {
    scalar: form(ValueType_Enum.UNIX_TIMESTAMP, 8, 'unixTimestampVal'),
    list: form(ValueType_Enum.UNIX_TIMESTAMP_LIST, 18, 'unixTimestampListVal'),
    set: form(ValueType_Enum.UNIX_TIMESTAMP_SET, 29, 'unixTimestampSetVal'),
    shape: 'element',
    wire: WireType.Varint,
    // Whole seconds since the epoch, as the Value holds them.
    duckdb: 'BIGINT',
    joinKey: true,
    range: { min: -62_135_596_800n, max: 253_402_300_799n },
  },
  Json: {
    // JSON text (Feast's ValueType.JSON); Array(Json) is JSON_LIST (json_list_val).
    scalar: form(ValueType_Enum.JSON, 32, 'jsonVal'),
    list: form(ValueType_Enum.JSON_LIST, 33, 'jsonListVal'),
    shape: 'element',
    wire: WireType.LengthDelimited,
    duckdb: 'VARCHAR',
    joinKey: false,
  },
  Uuid: {
    // Text in Python's str(uuid.UUID) form; Feast writes the string it is given.
    scalar: form(ValueType_Enum.UUID, 36, 'uuidVal'),
    list: form(ValueType_Enum.UUID_LIST, 38, 'uuidListVal'),
    set: form(ValueType_Enum.UUID_SET, 40, 'uuidSetVal'),
    shape: 'element',
    wire: WireType.LengthDelimited,
    duckdb: 'VARCHAR',
    joinKey: false,
  },
  TimeUuid: {
    scalar: form(ValueType_Enum.TIME_UUID, 37, 'timeUuidVal'),
    list: form(ValueType_Enum.TIME_UUID_LIST, 39, 'timeUuidListVal'),
    set: form(ValueType_Enum.TIME_UUID_SET, 41, 'timeUuidSetVal'),
    shape: 'element',
    wire: WireType.LengthDelimited,
    duckdb: 'VARCHAR',
    joinKey: false,
  },
  Decimal: {
    // Text in Python's str(decimal.Decimal) form: exact, never a float.
    scalar: form(ValueType_Enum.DECIMAL, 44, 'decimalVal'),
    list: form(ValueType_Enum.DECIMAL_LIST, 45, 'decimalListVal'),
    set: form(ValueType_Enum.DECIMAL_SET, 46, 'decimalSetVal'),
    shape: 'element',
    wire: WireType.LengthDelimited,
    duckdb: 'VARCHAR',
    joinKey: false,
  },
  PdfBytes: {
    // bytes_val under its own ValueType; Feast 0.67 has no list or set of it.
    scalar: form(PDF_BYTES, 1, 'bytesVal'),
    shape: 'element',
    wire: WireType.LengthDelimited,
    duckdb: 'BLOB',
    joinKey: false,
  },
  ImageBytes: {
    scalar: form(IMAGE_BYTES, 1, 'bytesVal'),
    shape: 'element',
    wire: WireType.LengthDelimited,
    duckdb: 'BLOB',
    joinKey: false,
  },
  Map: {
    // map<string, Value>: each value's type is inferred from the value, as Feast's Python does.
    scalar: form(ValueType_Enum.MAP, 20, 'mapVal'),
    list: form(ValueType_Enum.MAP_LIST, 21, 'mapListVal'),
    shape: 'map',
    wire: WireType.LengthDelimited,
    duckdb: 'NESTED',
    joinKey: false,
  },
  Struct: {
    // Stored as a Map (struct_val); the field schema lives in the registry's feast:struct_schema tag.
    scalar: form(ValueType_Enum.STRUCT, 34, 'structVal'),
    list: form(ValueType_Enum.STRUCT_LIST, 35, 'structListVal'),
    shape: 'map',
    wire: WireType.LengthDelimited,
    duckdb: 'NESTED',
    joinKey: false,
  },
  ScalarMap: {
    // Entries with non-string keys (feast.types.MapKey), in insertion order.
    scalar: form(ValueType_Enum.SCALAR_MAP, 47, 'scalarMapVal'),
    shape: 'scalarMap',
    wire: WireType.LengthDelimited,
    duckdb: 'NESTED',
    joinKey: false,
  },
  ZonedTimestamp: {
    // UTC seconds plus the zone name; Feast 0.67 has no list or set of it.
    scalar: form(ValueType_Enum.ZONED_TIMESTAMP, 48, 'zonedTimestampVal'),
    shape: 'zoned',
    wire: WireType.LengthDelimited,
    duckdb: 'NESTED',
    joinKey: false,
  },
} as const satisfies Record<string, FeastType>;

type Table = typeof FEAST_TYPES;

/** Feast scalar dtypes (the table's rows). */
export type ScalarDtype = keyof Table;
export const SCALAR_DTYPES = Object.freeze(Object.keys(FEAST_TYPES)) as readonly ScalarDtype[];

/** Dtypes whose value is one protobuf scalar (shape `element`): not Map, Struct, ScalarMap, ZonedTimestamp. */
export type ElementDtype = { [K in ScalarDtype]: Table[K]['shape'] extends 'element' ? K : never }[ScalarDtype];

/** Dtypes a join key may have (serializable into an entity key). */
export type JoinKeyDtype = { [K in ScalarDtype]: Table[K]['joinKey'] extends true ? K : never }[ScalarDtype];
export const JOIN_KEY_DTYPES = Object.freeze(SCALAR_DTYPES.filter((d) => FEAST_TYPES[d].joinKey)) as readonly JoinKeyDtype[];

/** One field of a `Struct({...})` dtype. */
export interface StructField {
  readonly name: string;
  readonly dtype: Dtype;
}

/**
 * A feature dtype: a table row (`scalar`), `Array(<row>)` (`list`), `Set(<row>)` (`set`), or a
 * collection of collections (`nested`: `Array(Array(...))`, `Set(Array(...))`, ... — Feast's
 * VALUE_LIST / VALUE_SET). A Struct (and `Array(Struct)`) carries its field schema.
 */
export type Dtype =
  { kind: 'scalar' | 'list' | 'set'; scalar: ScalarDtype; fields?: readonly StructField[] } | { kind: 'nested'; outer: 'list' | 'set'; inner: Dtype };

type FormCase<F> = F extends { valueCase: infer C } ? C : never;

/** Every oneof case of feast.types.Value the table names (value-decode's DecodedValue kinds). */
export type ValueCase =
  | {
      [K in ScalarDtype]:
        FormCase<Table[K]['scalar']> | FormCase<Table[K] extends { list: infer L } ? L : never> | FormCase<Table[K] extends { set: infer S } ? S : never>;
    }[ScalarDtype]
  | 'listVal'
  | 'setVal';

/** Value.list_val (42) and set_val (43): a RepeatedValue of Values, for nested collections. */
export const NESTED_FORMS = {
  list: form(ValueType_Enum.VALUE_LIST, 42, 'listVal'),
  set: form(ValueType_Enum.VALUE_SET, 43, 'setVal'),
} as const;

/** The wire form of a dtype: its ValueType, Value field and case. */
export function valueFormOf(dtype: Dtype): ValueForm {
  if (dtype.kind === 'nested') return NESTED_FORMS[dtype.outer];
  const f = (FEAST_TYPES[dtype.scalar] as FeastType)[dtype.kind];
  // The parsers build only the forms the table has (dtypeErrorOf), so this is a bug if reached.
  if (f === undefined) throw new Error(`${dtype.kind} form of ${dtype.scalar} is not a Feast value type`);
  return f;
}

/** The ValueType Feast records for a dtype (Int32 -> INT32, Array(Float32) -> FLOAT_LIST, ...). */
export function valueTypeOf(dtype: Dtype): ValueType_Enum {
  return valueFormOf(dtype).valueType;
}

/** True for dtypes with IEEE floats (NaN, ±inf and -0.0 exist; NaN is a value, not a null, in lists). */
export function isFloatDtype(scalar: ScalarDtype): boolean {
  return FEAST_TYPES[scalar].wire === WireType.Bit32 || FEAST_TYPES[scalar].wire === WireType.Bit64;
}

/** `Array(Int64)` etc.: Feast's str() of the type, which is how definitions spell dtypes. */
export function formatDtype(dtype: Dtype): string {
  if (dtype.kind === 'nested') return `${dtype.outer === 'list' ? 'Array' : 'Set'}(${formatDtype(dtype.inner)})`;
  const base = dtype.fields === undefined ? dtype.scalar : `Struct({${dtype.fields.map((f) => `${f.name}: ${formatDtype(f.dtype)}`).join(', ')}})`;
  return dtype.kind === 'list' ? `Array(${base})` : dtype.kind === 'set' ? `Set(${base})` : base;
}

/**
 * Why Feast 0.67 has no such dtype (feast.types.Array/Set refuse it), or undefined when it does:
 * `Array(ZonedTimestamp)`, `Set(Map)`, `Set(Json)`, `Set(Struct)`, a Struct without fields, ...
 */
export function dtypeErrorOf(dtype: Dtype): string | undefined {
  if (dtype.kind === 'nested') {
    if (dtype.inner.kind === 'scalar') return `${formatDtype(dtype)}: a nested collection holds arrays or sets`;
    return dtypeErrorOf(dtype.inner);
  }
  const row = FEAST_TYPES[dtype.scalar] as FeastType;
  if (row[dtype.kind] === undefined) {
    return `Feast 0.67 has no ${dtype.kind === 'list' ? 'Array' : 'Set'} of ${dtype.scalar}`;
  }
  if (dtype.scalar === 'Struct') {
    if (dtype.fields === undefined || dtype.fields.length === 0) return 'a Struct needs at least one field';
    for (const f of dtype.fields) {
      const e = dtypeErrorOf(f.dtype);
      if (e !== undefined) return `Struct field ${f.name}: ${e}`;
    }
  } else if (dtype.fields !== undefined) {
    return `${dtype.scalar} has no fields`;
  }
  return undefined;
}

/** feast.field.STRUCT_SCHEMA_TAG: a Struct's field schema, kept in the feature's tags. */
export const STRUCT_SCHEMA_TAG = 'feast:struct_schema';
/** feast.field.NESTED_COLLECTION_INNER_TYPE_TAG: the full type of a VALUE_LIST / VALUE_SET feature. */
export const NESTED_TYPE_TAG = 'feast:nested_inner_type';

/** PrimitiveFeastType names (`FLOAT32`, `UNIX_TIMESTAMP`), as Feast's registry tags spell row dtypes. */
const primitiveName = (scalar: ScalarDtype): string => scalar.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
const BY_PRIMITIVE_NAME = new Map<string, ScalarDtype>();
for (const scalar of Object.keys(FEAST_TYPES) as ScalarDtype[]) BY_PRIMITIVE_NAME.set(primitiveName(scalar), scalar);

/** feast.field._feast_type_to_str. */
function feastTypeString(dtype: Dtype): string {
  if (dtype.kind === 'nested') return `${dtype.outer === 'list' ? 'Array' : 'Set'}(${feastTypeString(dtype.inner)})`;
  const base = dtype.fields === undefined ? primitiveName(dtype.scalar) : (pythonJsonDumps({ __struct__: structSchema(dtype.fields) }) ?? '');
  return dtype.kind === 'list' ? `Array(${base})` : dtype.kind === 'set' ? `Set(${base})` : base;
}

function structSchema(fields: readonly StructField[]): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f.name, feastTypeString(f.dtype)]));
}

/** feast.field._str_to_feast_type; undefined for text it would refuse. */
function parseFeastTypeString(text: string): Dtype | undefined {
  const m = /^(Array|Set)\((.*)\)$/s.exec(text);
  if (m) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- both groups are not optional
    const inner = parseFeastTypeString(m[2]!);
    if (inner === undefined) return undefined;
    const outer = m[1] === 'Array' ? 'list' : 'set';
    if (inner.kind !== 'scalar') return { kind: 'nested', outer, inner };
    return { ...inner, kind: outer };
  }
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { __struct__?: unknown };
      if (typeof parsed.__struct__ === 'object' && parsed.__struct__ !== null) {
        const fields = structFieldsOf(parsed.__struct__ as Record<string, unknown>);
        return fields === undefined ? undefined : { kind: 'scalar', scalar: 'Struct', fields };
      }
    } catch {
      return undefined;
    }
    return undefined;
  }
  const scalar = BY_PRIMITIVE_NAME.get(text);
  return scalar === undefined ? undefined : { kind: 'scalar', scalar };
}

function structFieldsOf(schema: Record<string, unknown>): StructField[] | undefined {
  const fields: StructField[] = [];
  for (const [name, t] of Object.entries(schema)) {
    const dtype = typeof t === 'string' ? parseFeastTypeString(t) : undefined;
    if (dtype === undefined) return undefined;
    fields.push({ name, dtype });
  }
  return fields;
}

/**
 * The tags Feast's Field.to_proto adds for a dtype (Struct schema, nested collection type), merged
 * over the user's tags, as the registry records them.
 */
export function fieldTagsOf(dtype: Dtype, tags: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...tags };
  if (dtype.kind !== 'nested' && dtype.fields !== undefined && dtype.kind !== 'set') {
    out[STRUCT_SCHEMA_TAG] = pythonJsonDumps(structSchema(dtype.fields)) ?? '';
  }
  if (dtype.kind === 'nested') out[NESTED_TYPE_TAG] = feastTypeString(dtype);
  return out;
}

/** A feature's user tags: its registry tags without the ones {@link fieldTagsOf} adds. */
export function userTagsOf(tags: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...tags };
  delete out[STRUCT_SCHEMA_TAG];
  delete out[NESTED_TYPE_TAG];
  return out;
}

const BY_VALUE_TYPE = new Map<ValueType_Enum, Dtype>();
/** Feast's ValueType enum spellings (`INT64`, `FLOAT_LIST`) -> dtype. */
const BY_ENUM_NAME = new Map<string, Dtype>();
for (const scalar of SCALAR_DTYPES) {
  for (const kind of ['scalar', 'list', 'set'] as const) {
    const f = (FEAST_TYPES[scalar] as FeastType)[kind];
    if (f === undefined) continue;
    BY_VALUE_TYPE.set(f.valueType, { kind, scalar });
    BY_ENUM_NAME.set(ValueType_Enum[f.valueType] ?? primitiveName(scalar), { kind, scalar });
  }
}

/**
 * The dtype for a ValueType read from a registry, with the feature's tags for what the number alone
 * does not say (a Struct's fields, a nested collection's inner type); `undefined` for INVALID, NULL,
 * and a Struct or nested collection whose tag is missing or unreadable.
 */
export function dtypeOfValueType(valueType: ValueType_Enum, tags: Readonly<Record<string, string>> = {}): Dtype | undefined {
  if (valueType === ValueType_Enum.VALUE_LIST || valueType === ValueType_Enum.VALUE_SET) {
    const text = tags[NESTED_TYPE_TAG];
    const d = text === undefined ? undefined : parseFeastTypeString(text);
    return d?.kind === 'nested' && d.outer === (valueType === ValueType_Enum.VALUE_LIST ? 'list' : 'set') ? d : undefined;
  }
  const d = BY_VALUE_TYPE.get(valueType);
  if (d === undefined || d.kind === 'nested') return undefined;
  if (d.scalar !== 'Struct') return { ...d };
  const schema = tags[STRUCT_SCHEMA_TAG];
  if (schema === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(schema);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const fields = structFieldsOf(parsed as Record<string, unknown>);
  return fields === undefined || fields.length === 0 ? undefined : { ...d, fields };
}

/** The dtype Feast's ValueType enum name stands for (`INT64`, `ValueType.FLOAT`, case-insensitive). */
export function dtypeOfEnumName(text: string): Dtype | undefined {
  const d = BY_ENUM_NAME.get(text.replace(/^ValueType\./, '').toUpperCase());
  return d === undefined ? undefined : { ...d };
}
