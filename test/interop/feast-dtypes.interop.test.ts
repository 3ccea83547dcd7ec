/**
 * Feast's dtype names that dynafeast must accept, checked against the installed Feast: every
 * `feast.types` primitive, each as Array(...) and Set(...), nested collections, Structs. Where Feast
 * builds the type, dynafeast must read str() of it to the same ValueType and registry tags (Field.to_proto);
 * where Feast refuses the combination, so must dynafeast.
 */
import { parseDtype } from '../../src/core/repo/dtype.js';
import { fieldTagsOf, valueTypeOf } from '../../src/core/layout/feast-types.js';
import { expectOk, run, interopPython } from '../helpers/interop.js';

/** Feast's ValueType number and Field.to_proto tags for each type it builds, "refused" for the rest. */
async function feastTypes(): Promise<Record<string, { value_type: number; tags: Record<string, string> } | 'refused'>> {
  const code = [
    'import json, feast.types as t',
    'from feast.field import Field',
    'prims = [p for p in t.PrimitiveFeastType if p.name != "INVALID"]',
    'cands = []',
    'for p in prims:',
    '    cands += [lambda p=p: p, lambda p=p: t.Array(p), lambda p=p: t.Set(p)]',
    'for p in [t.Int32, t.String, t.Float64, t.Bool, t.Bytes, t.Uuid, t.Decimal]:',
    '    cands += [lambda p=p: t.Array(t.Array(p)), lambda p=p: t.Set(t.Array(p)), lambda p=p: t.Array(t.Set(p)), lambda p=p: t.Array(t.Array(t.Array(p)))]',
    'cands += [lambda: t.Struct({"name": t.String, "age": t.Int32}), lambda: t.Array(t.Struct({"a": t.Map, "b": t.Array(t.Float64)})),',
    '          lambda: t.Struct({"inner": t.Struct({"x": t.Int64})})]',
    'out = {}',
    'names = {"Array": lambda b: f"Array({b})", "Set": lambda b: f"Set({b})"}',
    'for make in cands:',
    '    try:',
    '        ft = make()',
    '    except Exception:',
    '        continue',
    '    try:',
    '        proto = Field(name="f", dtype=ft).to_proto()',
    '        out[str(ft)] = {"value_type": proto.value_type, "tags": dict(proto.tags)}',
    '    except Exception:',
    '        out[str(ft)] = "refused"',
    '# combinations feast.types refuses to build',
    'for p in prims:',
    '    for kind in ("Array", "Set"):',
    '        try:',
    '            getattr(t, kind)(p)',
    '        except Exception:',
    '            out[names[kind](str(p))] = "refused"',
    'print(json.dumps(out))',
  ].join('\n');
  const r = expectOk('feast.types', await run(interopPython(), ['-c', code]));
  return JSON.parse(r.stdout) as Record<string, { value_type: number; tags: Record<string, string> } | 'refused'>;
}

it("reads every dtype Feast 0.67 builds to Feast's ValueType and tags, and refuses what Feast refuses", async () => {
  const feast = await feastTypes();
  expect(Object.keys(feast).length).toBeGreaterThan(70);
  const got: Record<string, unknown> = {};
  for (const name of Object.keys(feast)) {
    const parsed = parseDtype(name);
    got[name] = parsed.ok ? { value_type: valueTypeOf(parsed.dtype), tags: fieldTagsOf(parsed.dtype, {}) } : 'refused';
  }
  expect(got).toEqual(feast);
});
