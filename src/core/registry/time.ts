/**
 * Microsecond bigints ⇄ google.protobuf Timestamp / Duration. dynafeast keeps time as epoch microseconds
 * (Clock.nowMicros) so nothing passes through JS Date's milliseconds.
 */
import { create } from '@bufbuild/protobuf';
import { DurationSchema, TimestampSchema, type Duration, type Timestamp } from '@bufbuild/protobuf/wkt';
import { floorDivMod } from '../util/floor-div.js';

const MICROS_PER_SECOND = 1_000_000n;

export function timestampFromMicros(micros: bigint): Timestamp {
  // floor division so pre-1970 instants keep nanos in [0, 1e9) as the Timestamp spec requires
  const { q: seconds, r } = floorDivMod(micros, MICROS_PER_SECOND);
  return create(TimestampSchema, { seconds, nanos: Number(r) * 1000 });
}

/** Sub-microsecond nanos are truncated. */
export function timestampToMicros(ts: Timestamp): bigint {
  return ts.seconds * MICROS_PER_SECOND + BigInt(Math.trunc(ts.nanos / 1000));
}

export function durationFromMicros(micros: bigint): Duration {
  const seconds = micros / MICROS_PER_SECOND;
  // Duration nanos carry the sign of seconds; bigint `/` and `%` truncate toward zero, which matches
  return create(DurationSchema, { seconds, nanos: Number(micros % MICROS_PER_SECOND) * 1000 });
}

/** A registry Duration (a view's ttl) as microseconds; unset = 0 (no ttl). */
export function durationToMicros(d: Duration | undefined): bigint {
  if (!d) return 0n;
  return d.seconds * MICROS_PER_SECOND + BigInt(Math.trunc(d.nanos / 1000));
}
