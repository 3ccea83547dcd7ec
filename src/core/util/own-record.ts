/**
 * A record whose keys are only its own: a stored name such as `__proto__` or `toString` (DynamoDB allows
 * any) stays a key instead of replacing the prototype or reading an inherited member.
 *
 * Its prototype is an empty object without a prototype, not null: `Object.create(null)` makes an
 * object in V8's slow dictionary mode, and a scan makes one record per item (records with a prototype
 * keep fast hidden classes, ~3% of reading a Scan page: online/scan-page.ts). Nothing is inherited
 * either way, and `__proto__`'s setter lives on Object.prototype, which is not in the chain.
 */
function OwnRecord(): void {}
OwnRecord.prototype = Object.create(null) as object;

export function ownRecord<T>(): Record<string, T> {
  return new (OwnRecord as unknown as new () => Record<string, T>)();
}
