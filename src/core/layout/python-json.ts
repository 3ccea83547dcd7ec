/**
 * Python's `json.dumps(value)` with its defaults, which is how Feast turns a non-string value of a
 * Json feature into `json_val` text (feast.type_map, ValueType.JSON): ", " and ": " separators,
 * every character outside printable ASCII escaped as \uXXXX (ensure_ascii), NaN and ±Infinity
 * written bare (allow_nan). The text is part of the stored bytes, so JSON.stringify's compact
 * output would differ from what Feast writes for the same value.
 *
 * JS cannot tell 1 from 1.0: integer-valued numbers are written as Python ints.
 */

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

// Python's ESCAPE_ASCII: a quote, a backslash, or anything outside ' '..'~'. Matching UTF-16 code
// units yields surrogate pairs for astral characters, as Python writes them.
const NEEDS_ESCAPE = /["\\]|[^ -~]/g;

function dumpString(s: string): string {
  return `"${s.replace(NEEDS_ESCAPE, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** Python's float repr: exponent form below 1e-4, with a sign and at least two exponent digits. */
function dumpNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Number.isInteger(n)) return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
  if (Math.abs(n) >= 1e-4) return String(n); // below 2^53 and above 1e-4 both languages print fixed digits
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const sign = exp.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/**
 * The text Python's json.dumps would produce for this value, or `undefined` for values it cannot
 * encode (functions, symbols, binary data, bigints — refused as JSON.stringify does, rather than
 * guessing whether a 64-bit id should stay exact). Throws on cycles, like both json libraries.
 */
export function pythonJsonDumps(value: unknown, seen: Set<object> = new Set()): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return dumpString(value);
    case 'number':
      return dumpNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return undefined;
  }
  const obj = value as { toJSON?: () => unknown };
  if (typeof obj.toJSON === 'function') return pythonJsonDumps(obj.toJSON(), seen);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return undefined;
  if (seen.has(value)) throw new TypeError('Circular reference in a Json value');
  seen.add(value);
  try {
    const parts: string[] = [];
    if (Array.isArray(value)) {
      for (const e of value) parts.push(pythonJsonDumps(e, seen) ?? 'null');
      return `[${parts.join(', ')}]`;
    }
    for (const [k, v] of Object.entries(value)) {
      const text = pythonJsonDumps(v, seen);
      if (text !== undefined) parts.push(`${dumpString(k)}: ${text}`);
    }
    return `{${parts.join(', ')}}`;
  } finally {
    seen.delete(value);
  }
}
