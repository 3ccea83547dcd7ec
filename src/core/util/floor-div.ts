/**
 * Integer division of bigints rounded toward −∞. BigInt's `/` truncates toward zero, which puts instants
 * before 1970 in the wrong second, hour or day. `b` must be positive.
 */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

/** The floored quotient and the remainder in [0, b). `b` must be positive. */
export function floorDivMod(a: bigint, b: bigint): { q: bigint; r: bigint } {
  const q = a / b;
  const r = a % b;
  return r < 0n ? { q: q - 1n, r: r + b } : { q, r };
}
