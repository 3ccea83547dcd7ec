/**
 * What core functions receive instead of importing clients or reading the wall clock (CONTRIBUTING.md convention 5).
 */
export interface Clock {
  /** Current time in microseconds since the epoch. */
  nowMicros(): bigint;
}

export const systemClock: Clock = {
  nowMicros: () => BigInt(Date.now()) * 1000n,
};

export function fixedClock(micros: bigint): Clock {
  return { nowMicros: () => micros };
}

/** Core never prints; it reports through this. The CLI decides where it goes (stderr, --json, nowhere). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {} };
