import { fixedClock } from '../../../src/core/context.js';
import { formatMicrosIso, parseTimeArgument } from '../../../src/core/materialize/time-arg.js';

const clock = fixedClock(1_700_000_000_123_456n);
const T0 = 1_618_210_800_000_000n; // 2021-04-12T07:00:00Z

describe('parseTimeArgument', () => {
  it.each([
    ['2021-04-12T07:00:00', T0],
    ['2021-04-12 07:00:00', T0],
    ['2021-04-12T07:00', T0],
    ['2021-04-12T07:00:00Z', T0],
    ['2021-04-12T09:00:00+02:00', T0],
    ['2021-04-12T04:30:00-0230', T0],
    ['2021-04-12T08:00:00+01', T0],
    ['2021-04-12T07:00:00.123456', T0 + 123_456n],
    ['2021-04-12T07:00:00.5', T0 + 500_000n],
    ['2021-04-12T07:00:00.123456789', T0 + 123_456n], // beyond microseconds: truncated
    ['2021-04-12', T0 - 7n * 3_600_000_000n],
    ['1969-12-31T23:59:59.999999Z', -1n],
    ['2024-02-29', 1_709_164_800_000_000n],
    ['now', 1_700_000_000_123_456n],
    ['NOW', 1_700_000_000_123_456n],
  ])('%s', (text, expected) => {
    expect(parseTimeArgument(text, 'START', clock)).toBe(expected);
  });

  it.each(['0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999999Z'])('accepts the edge of years 0001..9999: %s', (text) => {
    expect(typeof parseTimeArgument(text, 'START', clock)).toBe('bigint');
  });

  it.each(['0000-01-01', '0000-12-31T23:59:59Z', '0001-01-01T00:30:00+01:00', '9999-12-31T23:00:00-02:00'])(
    'rejects %j, outside years 0001..9999 that the registry and Feast can hold',
    (text) => {
      expect(() => parseTimeArgument(text, 'START', clock)).toThrow(
        expect.objectContaining({ code: 'usage.badArgument', path: 'START', message: expect.stringContaining('0001..9999') }),
      );
    },
  );

  it.each(['yesterday', '2021-13-01', '2023-02-29', '2021-04-12T24:00:00', '2021-04-12T07:00:00+25:00', '1618210800', ''])(
    'rejects %j as a usage error naming the argument',
    (text) => {
      expect(() => parseTimeArgument(text, 'END', clock)).toThrow(expect.objectContaining({ code: 'usage.badArgument', path: 'END' }));
    },
  );
});

describe('formatMicrosIso', () => {
  it('prints UTC with microseconds only when present, also before 1970', () => {
    expect(formatMicrosIso(T0)).toBe('2021-04-12T07:00:00Z');
    expect(formatMicrosIso(T0 + 5n)).toBe('2021-04-12T07:00:00.000005Z');
    expect(formatMicrosIso(-1n)).toBe('1969-12-31T23:59:59.999999Z');
  });
});
