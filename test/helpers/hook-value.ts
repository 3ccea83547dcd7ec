/**
 * A stand-in for a value a suite's hooks make (beforeAll / beforeEach) and drop (afterAll / afterEach):
 * each property read goes to the value of the moment, so a suite can hold it in a `const` at the top.
 */
export function hookValue<T extends object>(what: string, current: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const value = current();
      if (value === undefined) throw new Error(`${what} exists only while the suite's tests run (made by its hooks)`);
      const field: unknown = Reflect.get(value, key, value);
      return typeof field === 'function' ? (field as (...args: unknown[]) => unknown).bind(value) : field;
    },
  });
}
