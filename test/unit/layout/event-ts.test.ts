import fc from 'fast-check';
import { MAX_EVENT_MICROS, MIN_EVENT_MICROS, civilFromDays, daysFromCivil, formatEventTs, parseEventTs } from '../../../src/core/layout/event-ts.js';
import { loadVectors } from '../../helpers/layout-vectors.js';
import { codeOf } from '../../helpers/error-code.js';

const vectors = loadVectors();

describe('event_ts against Feast vectors', () => {
  it.each(vectors.event_ts.map((v) => [v.iso, v.event_ts]))('%s → %s', (iso, eventTs) => {
    const micros = parseEventTs(iso);
    expect(formatEventTs(micros)).toBe(eventTs);
    expect(parseEventTs(eventTs)).toBe(micros);
  });
});

describe('formatEventTs', () => {
  // Expected strings checked against Python's str(datetime(1970, 1, 1, tzinfo=utc) + timedelta(microseconds=...)).
  it.each([
    [0n, '1970-01-01 00:00:00+00:00'],
    [1n, '1970-01-01 00:00:00.000001+00:00'],
    [-1n, '1969-12-31 23:59:59.999999+00:00'],
    [-1_000_000n, '1969-12-31 23:59:59+00:00'],
    [-86_400_000_000n * 365n, '1969-01-01 00:00:00+00:00'],
    [951_782_400_000_000n, '2000-02-29 00:00:00+00:00'],
    [1_618_210_800_123_000n, '2021-04-12 07:00:00.123000+00:00'],
    [MIN_EVENT_MICROS, '0001-01-01 00:00:00+00:00'],
    [MAX_EVENT_MICROS, '9999-12-31 23:59:59.999999+00:00'],
    [-62_135_596_800_000_000n + 86_400_000_000n * 365n * 998n, '0998-05-04 00:00:00+00:00'],
  ])('%p → %s', (micros, text) => {
    expect(formatEventTs(micros)).toBe(text);
  });

  it('rejects timestamps Python datetime cannot hold', () => {
    expect(codeOf(() => formatEventTs(MAX_EVENT_MICROS + 1n))).toBe('codec.badTimestamp');
    expect(codeOf(() => formatEventTs(MIN_EVENT_MICROS - 1n))).toBe('codec.badTimestamp');
  });

  it('agrees with Date on the calendar for spread-out instants, and round-trips through parse', () => {
    // A fixed LCG keeps the sample reproducible.
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const ms = (next() / 2 ** 31 - 0.5) * 2 * 6e13; // about ±1900 years around 1970
      const micros = BigInt(Math.floor(ms)) * 1000n + BigInt(next() % 1000);
      const text = formatEventTs(micros);
      const iso = new Date(Math.floor(ms)).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
      expect(text.slice(0, 19)).toBe(iso.slice(0, 19).replace('T', ' '));
      expect(parseEventTs(text)).toBe(micros);
    }
  });

  it('civil date arithmetic is its own inverse across the supported range', () => {
    for (let days = daysFromCivil(1, 1, 1); days <= daysFromCivil(9999, 12, 31); days += 997) {
      const { y, m, d } = civilFromDays(days);
      expect(daysFromCivil(y, m, d)).toBe(days);
    }
  });
});

describe('parseEventTs', () => {
  const base = 1_618_210_800_000_000n; // 2021-04-12 07:00:00 UTC
  it.each([
    ['2021-04-12 07:00:00+00:00', base],
    ['2021-04-12T07:00:00+00:00', base],
    ['2021-04-12T07:00:00Z', base],
    ['2021-04-12 07:00:00', base],
    ['2021-04-12 08:00:00+01:00', base],
    ['2021-04-12 01:30:00-05:30', base],
    ['2021-04-12 07:00:00.1+00:00', base + 100_000n],
    ['2021-04-12 07:00:00.000001+00:00', base + 1n],
    ['2021-04-12T07:00:00.123456-00:00', base + 123_456n],
    ['1969-12-31 23:59:59.999999+00:00', -1n],
    ['2024-02-29 00:00:00+00:00', 1_709_164_800_000_000n],
  ])('%s', (text, micros) => {
    expect(parseEventTs(text)).toBe(micros);
  });

  it.each([
    '',
    '2021-04-12',
    '2021-04-12 07:00',
    '2021-4-12 07:00:00',
    '2021-04-12 07:00:00.',
    '2021-04-12 07:00:00.1234567+00:00',
    '2021-04-12 07:00:00+1:00',
    '2021-04-12 07:00:00+0100',
    '2021-13-01 00:00:00',
    '2021-04-31 00:00:00',
    '1900-02-29 00:00:00',
    '0000-01-01 00:00:00',
    '2021-04-12 24:00:00',
    '2021-04-12 07:60:00',
    '2021-04-12 07:00:60',
    '2021-04-12 07:00:00+24:00',
    ' 2021-04-12 07:00:00',
  ])('rejects %p', (text) => {
    expect(codeOf(() => parseEventTs(text))).toBe('codec.badTimestamp');
  });
});

describe('parseEventTs of the form Feast stores (read by character codes)', () => {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');

  it('equals the calendar for any fields, and refuses a date or time that does not exist', () => {
    fc.assert(
      fc.property(
        fc.record({
          y: fc.integer({ min: 0, max: 9999 }),
          mo: fc.integer({ min: 0, max: 13 }),
          d: fc.integer({ min: 0, max: 32 }),
          h: fc.integer({ min: 0, max: 24 }),
          mi: fc.integer({ min: 0, max: 60 }),
          s: fc.integer({ min: 0, max: 60 }),
          f: fc.option(fc.integer({ min: 0, max: 999_999 })),
        }),
        ({ y, mo, d, h, mi, s, f }) => {
          const text = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${f === null ? '' : `.${pad(f, 6)}`}+00:00`;
          // Date as the independent calendar (setUTCFullYear, unlike Date.UTC, takes years below 100 as they are)
          const date = new Date(0);
          date.setUTCFullYear(y, mo - 1, d);
          date.setUTCHours(h, mi, s, 0);
          const exists = y >= 1 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
          if (exists) expect(parseEventTs(text)).toBe(BigInt(date.getTime()) * 1000n + BigInt(f ?? 0));
          else expect(codeOf(() => parseEventTs(text))).toBe('codec.badTimestamp');
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('round-trips every instant Python datetime holds', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: MIN_EVENT_MICROS, max: MAX_EVENT_MICROS }), (micros) => {
        expect(parseEventTs(formatEventTs(micros))).toBe(micros);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses the stored form with any one character changed to a non-digit where a digit belongs', () => {
    const text = '2021-04-12 07:00:00.123456+00:00';
    const digits = [...text].map((c, i) => (/\d/.test(c) ? i : -1)).filter((i) => i >= 0 && i < 26);
    fc.assert(
      fc.property(fc.constantFrom(...digits), fc.constantFrom('x', ' ', '-', ':', '/', 'a'), (i, c) => {
        expect(codeOf(() => parseEventTs(text.slice(0, i) + c + text.slice(i + 1)))).toBe('codec.badTimestamp');
      }),
    );
  });
});
