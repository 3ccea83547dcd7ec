import { pythonJsonDumps } from '../../../src/core/layout/python-json.js';

// Expected texts are Python 3.11's json.dumps output for the same values (Feast's Json encoding).
describe('pythonJsonDumps', () => {
  it.each<[string, unknown, string]>([
    ['object', { a: 1, b: [1, 2] }, '{"a": 1, "b": [1, 2]}'],
    ['non-ASCII', [1, 'é'], '[1, "\\u00e9"]'],
    ['null member', { x: null }, '{"x": null}'],
    ['escapes', 'é😀\x7f\x01"\\\n\t\b\f\r/', '"\\u00e9\\ud83d\\ude00\\u007f\\u0001\\"\\\\\\n\\t\\b\\f\\r/"'],
    ['0.1', 0.1, '0.1'],
    ['1e-05', 1e-5, '1e-05'],
    ['1.5e-07', 1.5e-7, '1.5e-07'],
    ['0.0001', 1e-4, '0.0001'],
    ['123.456', 123.456, '123.456'],
    ['-2.5e-10', -2.5e-10, '-2.5e-10'],
    ['NaN', NaN, 'NaN'],
    ['Infinity', Infinity, 'Infinity'],
    ['-Infinity', -Infinity, '-Infinity'],
    ['10**17', 1e17, '100000000000000000'],
    ['-3', -3, '-3'],
    ['empty containers', [[], {}, { k: {} }], '[[], {}, {"k": {}}]'],
    ['booleans', [true, false, null], '[true, false, null]'],
  ])('%s', (_name, value, expected) => {
    expect(pythonJsonDumps(value)).toBe(expected);
  });

  it('follows toJSON and refuses what JSON cannot hold', () => {
    expect(pythonJsonDumps(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"');
    expect(pythonJsonDumps(new Uint8Array([1]))).toBeUndefined();
    expect(pythonJsonDumps(10n)).toBeUndefined();
    expect(pythonJsonDumps(() => 1)).toBeUndefined();
    expect(pythonJsonDumps({ f: () => 1, k: 1 })).toBe('{"k": 1}');
  });

  it('throws on cycles but not on a value used twice', () => {
    const shared = { a: 1 };
    expect(pythonJsonDumps([shared, shared])).toBe('[{"a": 1}, {"a": 1}]');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => pythonJsonDumps(cyclic)).toThrow(TypeError);
  });
});
