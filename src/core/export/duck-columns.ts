/**
 * Feature and join key values → DuckDB columns, one entry per dtype of the Feast type table
 * (layout/feast-types.ts): the column type export and sql create, and how one decoded element becomes a
 * DuckDB value. It is a `Record<ScalarDtype, …>`, so a dtype added to the table does not compile until
 * it has its entry here.
 */
import {
  BIGINT,
  BLOB,
  BOOLEAN,
  blobValue,
  DOUBLE,
  FLOAT,
  INTEGER,
  LIST,
  listValue,
  TIMESTAMPTZ,
  timestampTZValue,
  VARCHAR,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { DynafeastError } from '../errors.js';
import { FEAST_TYPES, type Dtype, type ScalarDtype } from '../layout/feast-types.js';
import type { DecodedValue } from '../layout/value-decode.js';

interface DuckScalar {
  type: DuckDBType;
  /** One element as value-decode (or the offline engine) hands it over; never null here. */
  value(v: unknown): DuckDBValue;
}

/** numpy's NaT as int64, Feast's null timestamp inside a list. */
const NULL_TIMESTAMP = -(2n ** 63n);
const MICROS_PER_SECOND = 1_000_000n;

const same = (v: unknown) => v as DuckDBValue;

const DUCK: Record<ScalarDtype, DuckScalar> = {
  Int32: { type: INTEGER, value: same },
  Int64: { type: BIGINT, value: same },
  // NOTE: FLOAT, not DOUBLE: the stored value is an f32, and FLOAT keeps exactly it (no widened digits).
  Float32: { type: FLOAT, value: same },
  Float64: { type: DOUBLE, value: same },
  String: { type: VARCHAR, value: same },
  Bytes: { type: BLOB, value: (v) => blobValue(v as Uint8Array) },
  Bool: { type: BOOLEAN, value: same },
  // Whole seconds in the Value; a timestamp column reads as one in DuckDB, pandas and Spark.
  UnixTimestamp: {
    type: TIMESTAMPTZ,
    value: (v) => (v === NULL_TIMESTAMP ? null : timestampTZValue(BigInt(v as bigint | number) * MICROS_PER_SECOND)),
  },
  // JSON text as written; DuckDB's json functions read it from VARCHAR.
  Json: { type: VARCHAR, value: same },
};

/** Decoded cases a dtype also accepts: Feast before JSON values stored Json features as strings. */
const ALSO_ACCEPTED: Partial<Record<ScalarDtype, { scalar: string; list: string }>> = {
  Json: { scalar: 'stringVal', list: 'stringListVal' },
};

export interface DuckColumn {
  type: DuckDBType;
  /** The column's type as SQL (`FLOAT[]`). */
  sql: string;
  /** A JS value of the dtype (element or array) → DuckDB value; null stays null. */
  value(v: unknown): DuckDBValue;
  /** A stored Value's decoded form → DuckDB value, or an error naming what the table holds instead. */
  decoded(d: DecodedValue | null, where: () => string): DuckDBValue;
}

export function duckColumnOf(dtype: Dtype): DuckColumn {
  const scalar = DUCK[dtype.scalar];
  const type = dtype.kind === 'list' ? LIST(scalar.type) : scalar.type;
  const value =
    dtype.kind === 'list'
      ? (v: unknown): DuckDBValue => (v === null || v === undefined ? null : listValue((v as unknown[]).map((e) => (e === null ? null : scalar.value(e)))))
      : (v: unknown): DuckDBValue => (v === null || v === undefined ? null : scalar.value(v));
  const expected = FEAST_TYPES[dtype.scalar][dtype.kind].valueCase;
  const also = ALSO_ACCEPTED[dtype.scalar]?.[dtype.kind];
  return {
    type,
    sql: type.toString(),
    value,
    decoded(d, where) {
      if (d === null) return null;
      if (d.kind !== expected && d.kind !== also) {
        throw new DynafeastError('online.badItem', `${where()}: the stored value is ${d.kind}, the view declares ${describeDtype(dtype)} (${expected})`, {
          hint: 'the table holds values of another dtype than the view declares: fix the view schema, or materialize the view again',
        });
      }
      return value(d.value);
    },
  };
}

export function describeDtype(dtype: Dtype): string {
  return dtype.kind === 'list' ? `Array(${dtype.scalar})` : dtype.scalar;
}

/** The event timestamp column: epoch microseconds → TIMESTAMPTZ. */
export const EVENT_TIMESTAMP_COLUMN = { type: TIMESTAMPTZ, sql: 'TIMESTAMP WITH TIME ZONE', value: (micros: bigint) => timestampTZValue(micros) };
