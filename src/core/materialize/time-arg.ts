/**
 * START / END arguments of `materialize` and `materialize-incremental`, as epoch microseconds. Parsed
 * with integer arithmetic only: JS Date would drop the microseconds a user may give.
 */
import type { Clock } from '../context.js';
import { DynafeastError } from '../errors.js';
import { civilFromDays, daysFromCivil, MAX_EVENT_MICROS, MIN_EVENT_MICROS } from '../layout/event-ts.js';
import { floorDivMod } from '../util/floor-div.js';

const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_DAY = 86_400n * MICROS_PER_SECOND;

// YYYY-MM-DD, then optionally [T or space]HH:MM[:SS[.fraction]], then optionally Z or ±HH[:MM].
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export const TIME_FORMS_HINT =
  'use ISO 8601, e.g. 2024-05-01, 2024-05-01T12:00:00, 2024-05-01 12:00:00.250000+02:00 or `now`; ' + 'a time without an offset is UTC';

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function bad(what: string, text: string, why: string): DynafeastError {
  return new DynafeastError('usage.badArgument', `${what}: cannot read "${text}" as a time (${why})`, {
    path: what,
    hint: TIME_FORMS_HINT,
  });
}

/**
 * `now`, or an ISO 8601 date/time. Naive times are UTC (as Feast treats them); digits past the sixth
 * of a fraction are truncated, like every timestamp dynafeast handles.
 */
export function parseTimeArgument(text: string, what: string, clock: Clock): bigint {
  const t = text.trim();
  if (t.toLowerCase() === 'now') return clock.nowMicros();
  const m = ISO.exec(t);
  if (!m) return failUnknown(what, text);
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs ?? 0);
  const minute = Number(mis ?? 0);
  const second = Number(ss ?? 0);
  if (month < 1 || month > 12) throw bad(what, text, `month ${month} does not exist`);
  if (day < 1 || day > daysInMonth(year, month)) throw bad(what, text, `day ${day} does not exist in ${ys}-${mos}`);
  if (hour > 23 || minute > 59 || second > 59) throw bad(what, text, 'the time of day is out of range');
  const micros = BigInt((frac ?? '').padEnd(6, '0').slice(0, 6));
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || '0');
    if (oh > 23 || om > 59) throw bad(what, text, `offset ${zone} is out of range`);
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const secondsOfDay = hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  const result = BigInt(daysFromCivil(year, month, day)) * MICROS_PER_DAY + BigInt(secondsOfDay) * MICROS_PER_SECOND + micros;
  // The registry records windows as protobuf Timestamps and Feast reads them back as datetimes: both
  // stop at years 0001..9999, so a window beyond them would be written but never read again.
  if (result < MIN_EVENT_MICROS || result > MAX_EVENT_MICROS) {
    throw bad(what, text, 'outside years 0001..9999 (UTC), the range Feast and the registry can hold');
  }
  return result;
}

function failUnknown(what: string, text: string): never {
  throw bad(what, text, 'not an ISO 8601 date or time');
}

/** `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, for messages and JSON summaries. */
export function formatMicrosIso(micros: bigint): string {
  const { q: days, r: rem } = floorDivMod(micros, MICROS_PER_DAY);
  const { y, m: mo, d } = civilFromDays(Number(days));
  const secs = Number(rem / MICROS_PER_SECOND);
  const us = Number(rem % MICROS_PER_SECOND);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const time = `${p2(Math.floor(secs / 3600))}:${p2(Math.floor(secs / 60) % 60)}:${p2(secs % 60)}`;
  return `${String(y).padStart(4, '0')}-${p2(mo)}-${p2(d)}T${time}${us ? `.${String(us).padStart(6, '0')}` : ''}Z`;
}
