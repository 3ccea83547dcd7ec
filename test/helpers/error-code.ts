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

/** The DynafeastError `fn` throws; fails the test when it returns or throws anything else. */
export function failure(fn: () => unknown): DynafeastError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DynafeastError) return e;
    throw e;
  }
  throw new Error('expected a DynafeastError');
}
