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

/** One shape of a dtype on the wire: the scalar itself, or `Array(<scalar>)`. */
export interface ValueForm {
  /** feast.types.ValueType.Enum: FeatureSpecV2.value_type, EntitySpecV2.value_type, entity key type codes. */
  readonly valueType: ValueType_Enum;
  /** Field number of the feast.types.Value oneof case. */
  readonly field: number;
  /** The oneof case's name as protobuf-es spells it (and value-decode reports it). */
  readonly valueCase: string;
}

export interface FeastType {
  readonly scalar: ValueForm;
  readonly list: ValueForm;
  /** Wire type of one element: the scalar field's, and a list's element (packed when not length-delimited). */
  readonly wire: WireType;
  /** The DuckDB type the offline engine converts source columns to before the encoder reads them. */
  readonly duckdb: 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'VARCHAR' | 'BLOB' | 'BOOLEAN';
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

/** In the order dynafeast lists dtypes in messages and docs. */
export const FEAST_TYPES = {
  Int32: {
    scalar: form(ValueType_Enum.INT32, 3, 'int32Val'),
    list: form(ValueType_Enum.INT32_LIST, 13, 'int32ListVal'),
    wire: WireType.Varint,
    duckdb: 'INTEGER',
    joinKey: true,
    range: { min: -(2n ** 31n), max: 2n ** 31n - 1n },
  },
  Int64: {
    scalar: form(ValueType_Enum.INT64, 4, 'int64Val'),
    list: form(ValueType_Enum.INT64_LIST, 14, 'int64ListVal'),
    wire: WireType.Varint,
    duckdb: 'BIGINT',
    joinKey: true,
    range: { min: -(2n ** 63n), max: 2n ** 63n - 1n },
  },
  Float32: {
    scalar: form(ValueType_Enum.FLOAT, 6, 'floatVal'),
    list: form(ValueType_Enum.FLOAT_LIST, 16, 'floatListVal'),
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
    wire: WireType.Bit64,
    duckdb: 'DOUBLE',
    joinKey: false,
    float: { max: Number.MAX_VALUE, exactIntBits: 53, duckdbWidth: 'DOUBLE' },
  },
  String: {
    scalar: form(ValueType_Enum.STRING, 2, 'stringVal'),
    list: form(ValueType_Enum.STRING_LIST, 12, 'stringListVal'),
    wire: WireType.LengthDelimited,
    duckdb: 'VARCHAR',
    joinKey: true,
  },
  Bytes: {
    scalar: form(ValueType_Enum.BYTES, 1, 'bytesVal'),
    list: form(ValueType_Enum.BYTES_LIST, 11, 'bytesListVal'),
    wire: WireType.LengthDelimited,
    duckdb: 'BLOB',
    joinKey: true,
  },
  Bool: {
    scalar: form(ValueType_Enum.BOOL, 7, 'boolVal'),
    list: form(ValueType_Enum.BOOL_LIST, 17, 'boolListVal'),
    wire: WireType.Varint,
    duckdb: 'BOOLEAN',
    joinKey: false,
  },
  UnixTimestamp: {
    scalar: form(ValueType_Enum.UNIX_TIMESTAMP, 8, 'unixTimestampVal'),
    list: form(ValueType_Enum.UNIX_TIMESTAMP_LIST, 18, 'unixTimestampListVal'),
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
    wire: WireType.LengthDelimited,
    duckdb: 'VARCHAR',
    joinKey: false,
  },
} as const satisfies Record<string, FeastType>;

type Table = typeof FEAST_TYPES;

/** Feast scalar dtypes (the table's rows). */
export type ScalarDtype = keyof Table;
export const SCALAR_DTYPES = Object.freeze(Object.keys(FEAST_TYPES)) as readonly ScalarDtype[];

/** Dtypes a join key may have (serializable into an entity key). */
export type JoinKeyDtype = { [K in ScalarDtype]: Table[K]['joinKey'] extends true ? K : never }[ScalarDtype];
export const JOIN_KEY_DTYPES = Object.freeze(SCALAR_DTYPES.filter((d) => FEAST_TYPES[d].joinKey)) as readonly JoinKeyDtype[];

/** A feature dtype: a scalar, or `Array(<scalar>)` (written `{ list: 'Float32' }` in the model). */
export type Dtype = { kind: 'scalar'; scalar: ScalarDtype } | { kind: 'list'; scalar: ScalarDtype };

/** Every oneof case of feast.types.Value the table names (value-decode's DecodedValue kinds). */
export type ValueCase = { [K in ScalarDtype]: Table[K]['scalar']['valueCase'] | Table[K]['list']['valueCase'] }[ScalarDtype];

/** The wire form of a dtype: its ValueType, Value field and case. */
export function valueFormOf(dtype: Dtype): ValueForm {
  return FEAST_TYPES[dtype.scalar][dtype.kind];
}

/** The ValueType Feast records for a dtype (Int32 -> INT32, Array(Float32) -> FLOAT_LIST, ...). */
export function valueTypeOf(dtype: Dtype): ValueType_Enum {
  return valueFormOf(dtype).valueType;
}

/** True for dtypes with IEEE floats (NaN, ±inf and -0.0 exist; NaN is a value, not a null, in lists). */
export function isFloatDtype(scalar: ScalarDtype): boolean {
  return FEAST_TYPES[scalar].wire === WireType.Bit32 || FEAST_TYPES[scalar].wire === WireType.Bit64;
}

const BY_VALUE_TYPE = new Map<ValueType_Enum, Dtype>();
/** Feast's ValueType enum spellings (`INT64`, `FLOAT_LIST`) -> dtype. */
const BY_ENUM_NAME = new Map<string, Dtype>();
for (const scalar of SCALAR_DTYPES) {
  for (const kind of ['scalar', 'list'] as const) {
    const vt = FEAST_TYPES[scalar][kind].valueType;
    BY_VALUE_TYPE.set(vt, { kind, scalar });
    BY_ENUM_NAME.set(ValueType_Enum[vt], { kind, scalar });
  }
}

/** The dtype for a ValueType read from a registry; `undefined` for INVALID, NULL and types dynafeast lacks. */
export function dtypeOfValueType(valueType: ValueType_Enum): Dtype | undefined {
  const d = BY_VALUE_TYPE.get(valueType);
  return d === undefined ? undefined : { ...d };
}

/** The dtype Feast's ValueType enum name stands for (`INT64`, `ValueType.FLOAT`, case-insensitive). */
export function dtypeOfEnumName(text: string): Dtype | undefined {
  const d = BY_ENUM_NAME.get(text.replace(/^ValueType\./, '').toUpperCase());
  return d === undefined ? undefined : { ...d };
}
