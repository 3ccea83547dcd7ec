/**
 * Feast dtype names as written in feature definitions, in Feast's own spelling (str() of a
 * feast.types type): `Int64`, `Array(Float32)`, `Set(String)`, `Array(Array(Int32))`, `Map`,
 * `Struct({name: String, age: Int32})`, `Array(Struct({...}))`. Case-sensitive like Feast, but a near
 * miss gets a suggestion; a combination Feast 0.67 lacks (`Array(ZonedTimestamp)`, `Set(Map)`) is
 * refused with the reason.
 */
import { suggest } from '../util/suggest.js';
import { dtypeErrorOf, dtypeOfEnumName, type StructField } from '../layout/feast-types.js';
import { formatDtype, JOIN_KEY_DTYPES, SCALAR_DTYPES } from './model.js';
import type { Dtype, JoinKeyDtype, ScalarDtype } from './model.js';

export type DtypeResult = { ok: true; dtype: Dtype } | { ok: false; reason: string; suggestion?: string };

const ALL_NAMES = [...SCALAR_DTYPES, ...SCALAR_DTYPES.map((s) => `Array(${s})`), ...SCALAR_DTYPES.map((s) => `Set(${s})`)];

function isScalar(s: string): s is ScalarDtype {
  return (SCALAR_DTYPES as readonly string[]).includes(s);
}

class Bad extends Error {}

/** Recursive descent over the text: one dtype from `pos`, leaving `pos` after it. */
class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  /** Whitespace is Struct({a: Int64, b: String}) punctuation only; `Array( Int64 )` is refused like Feast's str() never writes it. */
  private inStruct = 0;

  private space(): void {
    if (this.inStruct === 0) return;
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private expect(c: string): void {
    this.space();
    if (this.text[this.pos] !== c) throw new Bad(`expected "${c}" at character ${this.pos + 1}`);
    this.pos++;
  }

  private name(): string {
    this.space();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!m) throw new Bad(`expected a type name at character ${this.pos + 1}`);
    this.pos += m[0].length;
    return m[0];
  }

  dtype(): Dtype {
    const name = this.name();
    if (name === 'Array' || name === 'Set') {
      this.expect('(');
      const inner = this.dtype();
      this.expect(')');
      const outer = name === 'Array' ? 'list' : 'set';
      if (inner.kind !== 'scalar') return { kind: 'nested', outer, inner };
      return { ...inner, kind: outer };
    }
    if (name === 'Struct') {
      this.expect('(');
      this.expect('{');
      this.inStruct++;
      const fields: StructField[] = [];
      for (;;) {
        this.space();
        if (this.text[this.pos] === '}') break;
        // Field names may be quoted, as in Python source: Struct({"name": String}).
        let fieldName: string;
        const q = this.text[this.pos];
        if (q === '"' || q === "'") {
          const end = this.text.indexOf(q, this.pos + 1);
          if (end < 0) throw new Bad('unterminated field name');
          fieldName = this.text.slice(this.pos + 1, end);
          this.pos = end + 1;
        } else {
          fieldName = this.name();
        }
        this.expect(':');
        fields.push({ name: fieldName, dtype: this.dtype() });
        this.space();
        if (this.text[this.pos] === ',') this.pos++;
        else break;
      }
      this.expect('}');
      this.inStruct--;
      this.expect(')');
      return { kind: 'scalar', scalar: 'Struct', fields };
    }
    if (!isScalar(name)) throw new Bad(`unknown type ${name}`);
    return { kind: 'scalar', scalar: name };
  }

  end(): void {
    this.space();
    if (this.pos !== this.text.length) throw new Bad(`unexpected "${this.text.slice(this.pos, this.pos + 10)}"`);
  }
}

/** Parses `Float32`, `Array(Int64)`, `Set(String)`, `Struct({a: Int64})`, … */
export function parseDtype(text: string): DtypeResult {
  let dtype: Dtype;
  try {
    const r = new Reader(text);
    dtype = r.dtype();
    r.end();
  } catch (e) {
    if (!(e instanceof Bad)) throw e;
    return { ok: false, reason: 'not a Feast dtype', suggestion: feastEnumName(text) ?? suggest(text, ALL_NAMES) };
  }
  const why = dtypeErrorOf(dtype);
  if (why !== undefined) return { ok: false, reason: why };
  return { ok: true, dtype };
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
