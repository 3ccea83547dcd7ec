import fc from 'fast-check';
import { ownRecord } from '../../../src/core/util/own-record.js';

// names Object.prototype holds among any others
const name = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'),
  fc.string({ maxLength: 12, unit: 'binary' }),
);

describe('ownRecord', () => {
  it('holds exactly the keys set on it, whatever their names, as a null-prototype object would', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.integer())), (entries) => {
        const r = ownRecord<number>();
        const reference = Object.create(null) as Record<string, number>;
        for (const [k, v] of entries) {
          r[k] = v;
          reference[k] = v;
        }
        expect(Object.keys(r)).toEqual(Object.keys(reference));
        for (const k of Object.keys(reference)) {
          expect(Object.prototype.hasOwnProperty.call(r, k)).toBe(true);
          expect(r[k]).toBe(reference[k]);
        }
        expect(JSON.stringify(r)).toBe(JSON.stringify(reference));
      }),
      { numRuns: 500 },
    );
  });

  it('inherits nothing: a name never set reads undefined and is not `in` it', () => {
    const r = ownRecord<unknown>();
    for (const k of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(r[k]).toBeUndefined();
      expect(k in r).toBe(false);
    }
    r.__proto__ = 'kept';
    expect(Object.keys(r)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(Object.getPrototypeOf(r))).toBeNull();
  });
});
