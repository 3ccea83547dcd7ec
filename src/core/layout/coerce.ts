/**
 * Strict conversions of loosely typed input (CSV cells, CLI flags, DuckDB values) to the integer
 * widths Feast stores. They return `undefined` instead of throwing so each codec can raise its own
 * error code with the key or feature name in it.
 */

import { FEAST_TYPES } from './feast-types.js';

// the ranges are the dtype table's (feast-types.ts), the one place per dtype
export const INT32_MIN = Number(FEAST_TYPES.Int32.range.min);
export const INT32_MAX = Number(FEAST_TYPES.Int32.range.max);
export const INT64_MIN = FEAST_TYPES.Int64.range.min;
export const INT64_MAX = FEAST_TYPES.Int64.range.max;

// NOTE: no whitespace, no sign other than '-', no decimal point or exponent: "1e3" or " 7" in an
// entity column is a data problem to report, not something to guess at.
const INTEGER_STRING = /^-?[0-9]+$/;

/**
 * A 64-bit signed integer as a number when it is a safe integer (cheap to write), else a bigint.
 * Numbers beyond 2^53 are refused: they have already lost precision.
 */
export function int64Of(v: unknown, acceptStrings: boolean): number | bigint | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v === 'bigint') return v >= INT64_MIN && v <= INT64_MAX ? v : undefined;
  if (acceptStrings && typeof v === 'string' && INTEGER_STRING.test(v)) {
    const b = BigInt(v);
    if (b < INT64_MIN || b > INT64_MAX) return undefined;
    return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
  }
  return undefined;
}

export function int32Of(v: unknown, acceptStrings: boolean): number | undefined {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'bigint') n = v >= INT32_MIN && v <= INT32_MAX ? Number(v) : NaN;
  else if (acceptStrings && typeof v === 'string' && INTEGER_STRING.test(v) && v.length <= 12) n = Number(v);
  else return undefined;
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX ? n : undefined;
}

/** Seconds since the epoch; a Date is floored to whole seconds (the key and value hold seconds only). */
export function unixSecondsOf(v: unknown, acceptStrings: boolean): number | bigint | undefined {
  if (v instanceof Date) {
    const ms = v.getTime();
    return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
  }
  return int64Of(v, acceptStrings);
}

/** A short, safe rendering of a bad input value for error messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (v instanceof Uint8Array) return `bytes(${v.length})`;
  if (v instanceof Date) return `Date(${Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString()})`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return Array.isArray(v) ? `array(${v.length})` : 'object';
  return `${typeof v} ${String(v)}`;
}

// A decimal number as DynamoDB's N holds it (and JSON / Python's Decimal print it): sign, digits with an
// optional point, optional exponent.
const DECIMAL_TEXT = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]{1,4}))?$/;

/**
 * The exact value of decimal text as `coefficient × 10^exponent` (integers), or undefined when it is
 * not decimal text. Nothing is rounded: "1.50" is 150 × 10^-2.
 */
export function exactDecimalOf(text: string): { coefficient: bigint; exponent: number } | undefined {
  const m = DECIMAL_TEXT.exec(text);
  if (m === null) return undefined;
  const [, sign, whole = '', fraction = '', exp = '0'] = m;
  if (whole === '' && fraction === '') return undefined;
  const digits = BigInt(`${whole}${fraction}` || '0');
  return { coefficient: sign === '-' ? -digits : digits, exponent: Number(exp) - fraction.length };
}

/** `value × 10^shift` of decimal text when that is a whole number (exactly), else undefined. */
export function scaledIntegerOf(text: string, shift = 0): bigint | undefined {
  const d = exactDecimalOf(text);
  if (d === undefined) return undefined;
  const e = d.exponent + shift;
  if (e >= 0) return d.coefficient * 10n ** BigInt(e);
  const div = 10n ** BigInt(-e);
  return d.coefficient % div === 0n ? d.coefficient / div : undefined;
}
