/**
 * Errors as the feature server answers them (architecture.md §4.10). Feast's server answers a FeastError
 * with its HTTP status and the JSON *string* of `{"module", "class", "message"}` (`to_error_detail()`
 * encoded once more by JSONResponse); Feast's HTTP clients rebuild the exception from it
 * (`FeastError.from_error_detail`), so dynafeast answers the same shape, naming the Feast class that
 * means the same thing, plus dynafeast's stable `code` and `hint`. Where Feast answers a bare 500
 * (unknown feature, bad input), dynafeast answers a 4xx that names the problem. Never a stack.
 */
import { isDynafeastError, type DynafeastError, type ErrorCode } from '../errors.js';

export interface HttpError {
  status: number;
  /** The response body: a JSON string holding the error detail document. */
  body: string;
  code: ErrorCode;
}

interface Mapping {
  status: number;
  /** feast.errors class a Feast client rebuilds (any FeastError subclass it can import). */
  feastClass: string;
}

const BY_CODE: Partial<Record<ErrorCode, Mapping>> = {
  'repo.unknownFeatureView': { status: 404, feastClass: 'FeatureViewNotFoundException' },
  'repo.unknownFeatureService': { status: 404, feastClass: 'FeatureServiceNotFoundException' },
  'repo.unknownFeature': { status: 404, feastClass: 'FeastObjectNotFoundException' },
  'repo.unknownSource': { status: 404, feastClass: 'PushSourceNotFoundException' },
  'serve.notFound': { status: 404, feastClass: 'FeastObjectNotFoundException' },
  'serve.badRequest': { status: 400, feastClass: 'FeastError' },
  'serve.tooLarge': { status: 413, feastClass: 'FeastError' },
  'serve.unauthorized': { status: 401, feastClass: 'FeastPermissionError' },
  'serve.forbidden': { status: 403, feastClass: 'FeastPermissionError' },
  'serve.timeout': { status: 504, feastClass: 'FeastError' },
  'serve.unavailable': { status: 503, feastClass: 'FeastError' },
  'dynamo.accessDenied': { status: 502, feastClass: 'FeastError' },
  'dynamo.credentials': { status: 502, feastClass: 'FeastError' },
  'dynamo.unreachable': { status: 503, feastClass: 'FeastError' },
  'dynamo.failed': { status: 502, feastClass: 'FeastError' },
  aborted: { status: 503, feastClass: 'FeastError' },
};

function mappingOf(e: DynafeastError): Mapping {
  const mapped = BY_CODE[e.code];
  if (mapped !== undefined) return mapped;
  // Bad input the request carried: entity values, feature refs, rows to write, times.
  if (e.kind === 'usage') return { status: 422, feastClass: 'FeastError' };
  return { status: 500, feastClass: 'FeastError' };
}

/** Python's `json.dumps` of a flat string dict with its default separators, as `to_error_detail()` writes it. */
function errorDetail(fields: Record<string, string>): string {
  return `{${Object.entries(fields)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(', ')}}`;
}

/** The answer for an error a handler threw; anything not a DynafeastError is a 500 saying only that. */
export function httpErrorOf(e: unknown): HttpError {
  if (!isDynafeastError(e)) {
    const detail = errorDetail({
      module: 'feast.errors',
      class: 'FeastError',
      message: 'internal error in dynafeast serve (see the server log)',
      code: 'internal',
    });
    return { status: 500, body: JSON.stringify(detail), code: 'internal' };
  }
  const { status, feastClass } = mappingOf(e);
  const message = e.path !== undefined && !e.message.includes(e.path) ? `${e.path}: ${e.message}` : e.message;
  const detail = errorDetail({
    module: 'feast.errors',
    class: feastClass,
    message,
    code: e.code,
    ...(e.hint !== undefined ? { hint: e.hint } : {}),
  });
  return { status, body: JSON.stringify(detail), code: e.code };
}
