/**
 * Durations as written in feature definitions (`ttl:`), held as bigint microseconds so they convert to
 * Feast's `google.protobuf.Duration` and compare against microsecond timestamps without rounding.
 */
import { DynafeastError } from '../errors.js';

const US = 1n;
const MS = 1_000n;
const S = 1_000_000n;
const MIN = 60n * S;
const H = 60n * MIN;
const D = 24n * H;
const W = 7n * D;

// Longest unit first so `ms` is not read as `m` followed by garbage.
const UNITS: ReadonlyArray<readonly [string, bigint]> = [
  ['ms', MS],
  ['us', US],
  ['µs', US],
  ['w', W],
  ['d', D],
  ['h', H],
  ['m', MIN],
  ['s', S],
];

/** google.protobuf.Duration's documented range: ±10,000 years. */
export const MAX_DURATION_MICROS = 315_576_000_000n * S;

export const DURATION_FORMS_HINT = 'Write a duration such as `0` (no ttl), `3600` (seconds), `90m`, `36h`, `1d`, `2w`, `1h30m`, `P1D` or `PT1H`.';

export type DurationResult = { ok: true; micros: bigint } | { ok: false; reason: string };

/** `digits[.digits]` × unit, exactly; fails when the result is finer than a microsecond. */
function scaled(whole: string, fraction: string, unit: bigint): bigint | undefined {
  const scale = 10n ** BigInt(fraction.length);
  const n = BigInt(whole + fraction) * unit;
  return n % scale === 0n ? n / scale : undefined;
}

function parseUnits(text: string): DurationResult | undefined {
  const part = /\s*(\d+)(?:\.(\d+))?(ms|us|µs|w|d|h|m|s)/y;
  let total = 0n;
  let pos = 0;
  let parts = 0;
  while (pos < text.length) {
    part.lastIndex = pos;
    const m = part.exec(text);
    if (!m) return parts === 0 ? undefined : { ok: false, reason: `unexpected \`${text.slice(pos)}\`` };
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the pattern only matches the units listed in UNITS
    const unit = UNITS.find(([name]) => name === m[3])![1];
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- group 1 is not optional, so it matched
    const micros = scaled(m[1]!, m[2] ?? '', unit);
    if (micros === undefined) return { ok: false, reason: 'it is finer than a microsecond' };
    total += micros;
    pos = part.lastIndex;
    parts += 1;
  }
  return { ok: true, micros: total };
}

function parseIso(text: string): DurationResult | undefined {
  if (!/^P/i.test(text)) return undefined;
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?$/i.exec(text);
  if (!m || text.length === 1 || /T$/i.test(text)) {
    const monthsOrYears = /^P[^T]*[YM]/i.test(text);
    return {
      ok: false,
      reason: monthsOrYears
        ? 'ISO-8601 years and months have no fixed length; use days (`P30D`)'
        : 'it is not an ISO-8601 duration of weeks, days, hours, minutes and seconds',
    };
  }
  const [, w, d, h, min, s, frac] = m;
  const seconds = scaled(s ?? '0', frac ?? '', S);
  if (seconds === undefined) return { ok: false, reason: 'it is finer than a microsecond' };
  const micros = BigInt(w ?? 0) * W + BigInt(d ?? 0) * D + BigInt(h ?? 0) * H + BigInt(min ?? 0) * MIN + seconds;
  return { ok: true, micros };
}

function parseNumber(n: number | bigint): DurationResult {
  if (typeof n === 'bigint') {
    return n < 0n ? { ok: false, reason: 'it is negative' } : { ok: true, micros: n * S };
  }
  if (!Number.isFinite(n)) return { ok: false, reason: 'it is not a finite number' };
  if (n < 0) return { ok: false, reason: 'it is negative' };
  const micros = Math.round(n * 1e6);
  if (!Number.isSafeInteger(micros)) return { ok: false, reason: 'it is too large' };
  return { ok: true, micros: BigInt(micros) };
}

function withinRange(r: DurationResult): DurationResult {
  if (r.ok && r.micros > MAX_DURATION_MICROS) {
    return { ok: false, reason: 'it is longer than 10,000 years (the limit of a protobuf Duration)' };
  }
  return r;
}

/**
 * Reads a duration: a number of seconds (number, bigint or digit string), `0`, unit forms (`90m`,
 * `36h`, `1h30m`, `1.5h`, `500ms`) or ISO-8601 (`P1D`, `PT1H30M`, `P2W`). Never throws.
 */
export function tryParseDuration(input: unknown): DurationResult {
  if (typeof input === 'number' || typeof input === 'bigint') return withinRange(parseNumber(input));
  if (typeof input !== 'string') return { ok: false, reason: 'it is not a number or a string' };
  const text = input.trim();
  if (text === '') return { ok: false, reason: 'it is empty' };
  if (text.startsWith('-')) return { ok: false, reason: 'it is negative' };
  if (/^\d+$/.test(text)) return withinRange({ ok: true, micros: BigInt(text) * S });
  if (/^\d+\.\d+$/.test(text)) return withinRange(parseNumber(Number(text)));
  const parsed = parseIso(text) ?? parseUnits(text);
  return withinRange(parsed ?? { ok: false, reason: 'it is not a known duration form' });
}

/** Like {@link tryParseDuration}, throwing `repo.badDuration` (without a location: callers add it). */
export function parseDuration(input: string | number | bigint): bigint {
  const r = tryParseDuration(input);
  if (r.ok) return r.micros;
  throw new DynafeastError('repo.badDuration', `Invalid duration \`${String(input)}\`: ${r.reason}.`, {
    hint: DURATION_FORMS_HINT,
  });
}

/** Compact form that {@link parseDuration} reads back: `0`, `1d12h`, `1h30m`, `1s500ms`. */
export function formatDuration(micros: bigint): string {
  if (micros === 0n) return '0';
  if (micros < 0n) return `-${formatDuration(-micros)}`;
  let rest = micros;
  let out = '';
  for (const [name, size] of [
    ['d', D],
    ['h', H],
    ['m', MIN],
    ['s', S],
    ['ms', MS],
    ['us', US],
  ] as const) {
    const n = rest / size;
    if (n > 0n) out += `${n}${name}`;
    rest -= n * size;
  }
  return out;
}
