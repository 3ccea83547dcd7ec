/**
 * The value, or a failed test saying it was missing. Tests use it where src would write `x!`: a `!` that is
 * wrong lets `undefined` through to fail somewhere later with a TypeError; this fails right here.
 */
export function defined<T>(value: T, what = 'value'): NonNullable<T> {
  if (value === undefined || value === null) throw new Error(`expected a ${what}, got ${String(value)}`);
  return value;
}
