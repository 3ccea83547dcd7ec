/**
 * Feast's dtype names that dynafeast must accept, checked against the installed Feast: every
 * `feast.types` name that has a Feast ValueType dynafeast can store (scalars and Array of each).
 */
import { parseDtype } from '../../src/core/repo/dtype.js';
import { valueTypeOf } from '../../src/core/layout/feast-types.js';
import { expectOk, run, interopPython } from '../helpers/interop.js';

const SCALARS = ['Int32', 'Int64', 'Float32', 'Float64', 'String', 'Bytes', 'Bool', 'UnixTimestamp', 'Json'];

/** Feast's own ValueType number for each dtype name, e.g. {"Array(Json)": 33}. */
async function feastValueTypes(): Promise<Record<string, number>> {
  const code = [
    'import json, feast.types as t',
    `names = ${JSON.stringify(SCALARS)}`,
    'out = {}',
    'for n in names:',
    '    out[n] = getattr(t, n).to_value_type().value',
    '    out[f"Array({n})"] = t.Array(getattr(t, n)).to_value_type().value',
    'print(json.dumps(out))',
  ].join('\n');
  const r = expectOk('feast.types', await run(interopPython(), ['-c', code]));
  return JSON.parse(r.stdout) as Record<string, number>;
}

it("accepts every scalar and Array dtype Feast has, with Feast's ValueType", async () => {
  const feast = await feastValueTypes();
  const got: Record<string, number | string> = {};
  for (const name of Object.keys(feast)) {
    const parsed = parseDtype(name);
    got[name] = parsed.ok ? valueTypeOf(parsed.dtype) : `refused: ${parsed.reason}`;
  }
  expect(got).toEqual(feast);
});
