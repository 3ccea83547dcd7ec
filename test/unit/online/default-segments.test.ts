/**
 * defaultSegments: one segment per 16 MiB of table, 1..16, and a small fixed parallelism when
 * DescribeTable reports a size of 0 (dynalite, DynamoDB Local, or a size not yet refreshed).
 */
import fc from 'fast-check';
import { defaultSegments, UNKNOWN_SIZE_SEGMENTS } from '../../../src/core/online/scan-table.js';

const MIB = 1024 * 1024;

it('falls back to a small fixed parallelism when the size is unknown (0)', () => {
  expect(UNKNOWN_SIZE_SEGMENTS).toBeGreaterThan(1);
  expect(UNKNOWN_SIZE_SEGMENTS).toBeLessThanOrEqual(16);
  expect(defaultSegments(0)).toBe(UNKNOWN_SIZE_SEGMENTS);
});

it('gives one segment per 16 MiB, at least 1 and at most 16, for every known size', () => {
  expect([1, 16 * MIB, 16 * MIB + 1, 100 * MIB, 10_000 * MIB].map(defaultSegments)).toEqual([1, 1, 2, 7, 16]);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (size) => {
      const n = defaultSegments(size);
      expect(Number.isInteger(n)).toBe(true);
      expect(n).toBe(Math.min(16, Math.ceil(size / (16 * MIB))));
    }),
  );
});
