/**
 * `event_ts` strings: Python's str() of an aware UTC datetime, which Feast writes and compares.
 * Microseconds are handled as integers throughout: JS Date only has milliseconds.
 */
import { DynafeastError } from '../errors.js';
import { floorDivMod } from '../util/floor-div.js';

const MICROS_PER_DAY = 86_400_000_000n;
/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, the range of Python's datetime. */
export const MIN_EVENT_MICROS = BigInt(daysFromCivil(1, 1, 1)) * MICROS_PER_DAY;
export const MAX_EVENT_MICROS = BigInt(daysFromCivil(9999, 12, 31) + 1) * MICROS_PER_DAY - 1n;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of {@link daysFromCivil}. */
export function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

const MICROS_PER_DAY_N = 86_400_000_000;
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

// Materialized rows cluster in time: the date part is cached per day number.
let cachedDay = NaN;
let cachedDate = '';

function dateText(days: number): string {
  if (days !== cachedDay) {
    const { y, m, d } = civilFromDays(days);
    cachedDate = `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)} `;
    cachedDay = days;
  }
  return cachedDate;
}

/**
 * `YYYY-MM-DD HH:MM:SS+00:00`, with `.ffffff` (always 6 digits) only when the microseconds are
 * non-zero: exactly what Feast stores in `event_ts`.
 */
export function formatEventTs(micros: bigint): string {
  let days: number;
  let rem: number;
  if (micros >= SAFE_MIN && micros <= SAFE_MAX) {
    // Years ~1685..2255 fit a double exactly; the correction steps absorb division rounding.
    const n = Number(micros);
    days = Math.floor(n / MICROS_PER_DAY_N);
    rem = n - days * MICROS_PER_DAY_N;
    if (rem < 0) {
      days -= 1;
      rem += MICROS_PER_DAY_N;
    } else if (rem >= MICROS_PER_DAY_N) {
      days += 1;
      rem -= MICROS_PER_DAY_N;
    }
  } else {
    if (micros < MIN_EVENT_MICROS || micros > MAX_EVENT_MICROS) {
      throw new DynafeastError('codec.badTimestamp', `event timestamp ${micros} µs since the epoch is outside years 0001..9999`, {
        hint: 'Feast (Python datetime) cannot represent it; check the timestamp column and its unit',
      });
    }
    const { q: d, r } = floorDivMod(micros, MICROS_PER_DAY);
    days = Number(d);
    rem = Number(r);
  }
  const frac = rem % 1_000_000;
  const secs = (rem - frac) / 1_000_000;
  const hh = Math.floor(secs / 3600);
  const mm = Math.floor((secs % 3600) / 60);
  const ss = secs % 60;
  const time = `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}`;
  return frac === 0 ? `${dateText(days)}${time}+00:00` : `${dateText(days)}${time}.${String(frac).padStart(6, '0')}+00:00`;
}

const EVENT_TS = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:(Z)|([+-])(\d{2}):(\d{2}))?$/;

function badTimestamp(text: string, why: string): DynafeastError {
  return new DynafeastError('codec.badTimestamp', `timestamp ${JSON.stringify(text)}: ${why}`, {
    hint: 'use YYYY-MM-DD HH:MM:SS[.ffffff][±HH:MM] (or T instead of the space); no offset means UTC',
  });
}

/**
 * Parses an `event_ts` (or any ISO-8601-like timestamp with an optional 1–6 digit fraction and a
 * `±HH:MM`/`Z` offset; none means UTC) to microseconds since the epoch.
 */
export function parseEventTs(text: string): bigint {
  return parseFeastForm(text) ?? parseAnyForm(text);
}

const digit = (text: string, i: number): number => {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
};
const two = (text: string, i: number): number => digit(text, i) * 10 + digit(text, i + 1);

/**
 * The form Feast stores (`YYYY-MM-DD HH:MM:SS[.ffffff]+00:00`, what {@link formatEventTs} writes), read
 * by character codes: a scan of an online table parses one per item, and the general pattern below
 * cost a tenth of the scan's CPU (bench/scan.bench.ts). Undefined for any other form, or for a date or
 * time that does not exist, which the general path then reads or refuses with its message.
 */
function parseFeastForm(text: string): bigint | undefined {
  const n = text.length;
  if (n !== 25 && n !== 32) return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58)
    return undefined;
  if (!text.endsWith('+00:00')) return undefined;
  let micros = 0;
  if (n === 32) {
    if (text.charCodeAt(19) !== 46) return undefined;
    for (let i = 20; i < 26; i++) micros = micros * 10 + digit(text, i);
  }
  const y = two(text, 0) * 100 + two(text, 2);
  const mo = two(text, 5);
  const d = two(text, 8);
  const h = two(text, 11);
  const mi = two(text, 14);
  const s = two(text, 17);
  // NaN (a non-digit) fails every comparison below
  if (!(micros >= 0 && y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && s <= 59 && h >= 0 && mi >= 0 && s >= 0)) return undefined;
  if (d > daysInMonth(y, mo)) return undefined;
  const seconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  const total = seconds * 1_000_000 + micros;
  // exact as a double for years ~1685..2255; outside, the product is made in BigInt
  return Number.isSafeInteger(total) ? BigInt(total) : BigInt(seconds) * 1_000_000n + BigInt(micros);
}

function parseAnyForm(text: string): bigint {
  const m = EVENT_TS.exec(text);
  if (m === null) throw badTimestamp(text, 'not in the expected format');
  const [, ys, mos, ds, hs, mis, ss, fs, z, sign, ohs, oms] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = Number(hs);
  const mi = Number(mis);
  const s = Number(ss);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) throw badTimestamp(text, 'no such date');
  if (h > 23 || mi > 59 || s > 59) throw badTimestamp(text, 'no such time of day');
  let offsetSeconds = 0;
  if (z === undefined && sign !== undefined) {
    const oh = Number(ohs);
    const om = Number(oms);
    if (oh > 23 || om > 59) throw badTimestamp(text, 'offset out of range');
    offsetSeconds = (sign === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const seconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offsetSeconds;
  const micros = fs === undefined ? 0 : Number(fs.padEnd(6, '0'));
  return BigInt(seconds) * 1_000_000n + BigInt(micros);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}
