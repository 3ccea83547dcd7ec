import { DynafeastError } from '../../../src/core/errors.js';
import { MAX_DURATION_MICROS, formatDuration, parseDuration, tryParseDuration } from '../../../src/core/util/duration.js';

const S = 1_000_000n;

describe('parseDuration', () => {
  it.each([
    ['0', 0n],
    [0, 0n],
    [0n, 0n],
    ['3600', 3600n * S],
    [3600n, 3600n * S],
    [90, 90n * S],
    [1.5, 1_500_000n],
    ['1.5', 1_500_000n],
    ['90m', 90n * 60n * S],
    ['36h', 36n * 3600n * S],
    ['3600s', 3600n * S],
    ['1d', 86_400n * S],
    ['2w', 14n * 86_400n * S],
    ['1h30m', 5400n * S],
    ['1d 12h', 36n * 3600n * S],
    ['1.5h', 5400n * S],
    ['250ms', 250_000n],
    ['7us', 7n],
    ['P1D', 86_400n * S],
    ['PT1H', 3600n * S],
    ['P1DT2H30M', (86_400n + 9000n) * S],
    ['P2W', 14n * 86_400n * S],
    ['PT0.5S', 500_000n],
    ['pt15m', 900n * S],
  ] as const)('%p → %p µs', (input, micros) => {
    expect(parseDuration(input)).toBe(micros);
  });

  it.each([
    ['', 'empty'],
    ['-1h', 'negative'],
    [-5, 'negative'],
    ['1 day', 'not a known duration form'],
    ['1y', 'not a known duration form'],
    ['1h30', 'unexpected `30`'],
    ['P1M', 'years and months'],
    ['P1Y', 'years and months'],
    ['P', 'not an ISO-8601'],
    ['PT', 'not an ISO-8601'],
    ['0.0000001s', 'finer than a microsecond'],
    [Number.POSITIVE_INFINITY, 'not a finite number'],
    [`${315_576_000_001n}`, 'longer than 10,000 years'],
  ] as const)('rejects %p (%s)', (input, reason) => {
    const r = tryParseDuration(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('accepts exactly the protobuf Duration limit', () => {
    expect(parseDuration(315_576_000_000n)).toBe(MAX_DURATION_MICROS);
  });

  it('throws repo.badDuration with a hint', () => {
    expect(() => parseDuration('soon')).toThrow(DynafeastError);
    try {
      parseDuration('soon');
    } catch (e) {
      expect((e as DynafeastError).code).toBe('repo.badDuration');
      expect((e as DynafeastError).hint).toContain('90m');
    }
  });
});

describe('formatDuration', () => {
  it.each([
    [0n, '0'],
    [86_400n * S, '1d'],
    [5400n * S, '1h30m'],
    [36n * 3600n * S, '1d12h'],
    [1_500_000n, '1s500ms'],
    [7n, '7us'],
    [-60n * S, '-1m'],
  ])('%p → %s', (micros, text) => {
    expect(formatDuration(micros)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const micros of [0n, 1n, 999n, 1_000_001n, 3_723_000_004n, 90n * 86_400n * S + 17n, MAX_DURATION_MICROS]) {
      expect(parseDuration(formatDuration(micros))).toBe(micros);
    }
  });
});
