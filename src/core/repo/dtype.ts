/**
 * Feast dtype names as written in feature definitions: scalars and `Array(<scalar>)`. Case-sensitive
 * like Feast, but a near miss gets a suggestion.
 */
import { suggest } from '../util/suggest.js';
import { dtypeOfEnumName } from '../layout/feast-types.js';
import { formatDtype, JOIN_KEY_DTYPES, SCALAR_DTYPES } from './model.js';
import type { Dtype, JoinKeyDtype, ScalarDtype } from './model.js';

export type DtypeResult = { ok: true; dtype: Dtype } | { ok: false; reason: string; suggestion?: string };

const ARRAY = /^\s*Array\s*[([]\s*(.*?)\s*[)\]]\s*$/i;
const ALL_NAMES = [...SCALAR_DTYPES, ...SCALAR_DTYPES.map((s) => `Array(${s})`)];

function isScalar(s: string): s is ScalarDtype {
  return (SCALAR_DTYPES as readonly string[]).includes(s);
}

/** Parses `Float32`, `Array(Int64)`, … */
export function parseDtype(text: string): DtypeResult {
  if (isScalar(text)) return { ok: true, dtype: { kind: 'scalar', scalar: text } };
  const m = /^Array\((\w+)\)$/.exec(text);
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- group 1 is not optional, so it matched
  if (m && isScalar(m[1]!)) {
    // Every scalar has a list: Array(Json) is Feast's JSON_LIST (Value.json_list_val, 33).
    return { ok: true, dtype: { kind: 'list', scalar: m[1] } };
  }
  const loose = ARRAY.exec(text);
  if (loose) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- group 1 is not optional, so it matched
    const inner = loose[1]!;
    if (/^Array/i.test(inner)) return { ok: false, reason: 'nested arrays are not supported' };
    const innerGuess = isScalar(inner) ? inner : suggest(inner, SCALAR_DTYPES);
    return {
      ok: false,
      reason: 'not a Feast dtype',
      suggestion: innerGuess === undefined ? undefined : `Array(${innerGuess})`,
    };
  }
  return { ok: false, reason: 'not a Feast dtype', suggestion: feastEnumName(text) ?? suggest(text, ALL_NAMES) };
}

/** The dtype name a Feast ValueType enum spelling stands for (`INT64` -> Int64, `ValueType.FLOAT_LIST` -> Array(Float32)). */
function feastEnumName(text: string): string | undefined {
  const d = dtypeOfEnumName(text);
  return d === undefined ? undefined : formatDtype(d);
}

/** A join key dtype (serializable into an entity key). */
export function parseJoinKeyDtype(text: string): { ok: true; dtype: JoinKeyDtype } | { ok: false; suggestion?: string } {
  if ((JOIN_KEY_DTYPES as readonly string[]).includes(text)) return { ok: true, dtype: text as JoinKeyDtype };
  const guess = suggest(text, JOIN_KEY_DTYPES) ?? feastEnumName(text);
  const valid = guess !== undefined && (JOIN_KEY_DTYPES as readonly string[]).includes(guess) ? guess : undefined;
  return { ok: false, suggestion: valid };
}
