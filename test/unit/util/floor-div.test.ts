import { floorDiv, floorDivMod } from '../../../src/core/util/floor-div.js';

describe('floorDiv / floorDivMod', () => {
  it.each([
    [7n, 2n, 3n, 1n],
    [6n, 2n, 3n, 0n],
    [0n, 5n, 0n, 0n],
    [-1n, 1_000_000n, -1n, 999_999n],
    [-1_000_000n, 1_000_000n, -1n, 0n],
    [-1_000_001n, 1_000_000n, -2n, 999_999n],
  ])('%d ÷ %d rounds toward −∞: %d, remainder %d', (a, b, q, r) => {
    expect(floorDiv(a, b)).toBe(q);
    expect(floorDivMod(a, b)).toEqual({ q, r });
    expect(q * b + r).toBe(a);
  });
});
