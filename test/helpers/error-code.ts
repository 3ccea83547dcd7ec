import { DynafeastError } from '../../src/core/errors.js';

/** The DynafeastError code `fn` throws, or undefined when it returns; any other error is rethrown. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof DynafeastError) return e.code;
    throw e;
  }
  return undefined;
}
