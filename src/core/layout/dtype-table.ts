/**
 * The README's table of Feast 0.67 value types (`npm run docs`), rendered from the dtype table itself
 * (feast-types.ts) and the offline engine's column rules, so it cannot drift from what dynafeast does.
 * One row per value type of Feast 0.67's Python ValueType enum (feast.value_type), in enum order.
 */
import { ValueType_Enum } from '../../gen/feast/types/Value_pb.js';
import { expectedSourceColumns } from '../offline/column-types.js';
import { FEAST_TYPES, NESTED_FORMS, SCALAR_DTYPES, formatDtype, type Dtype, type FeastType } from './feast-types.js';

interface Row {
  number: number;
  name: string;
  dtype: string;
  field: string;
  joinKey: boolean;
  files: string;
}

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function renderDtypeTable(): string {
  const rows: Row[] = [];
  for (const scalar of SCALAR_DTYPES) {
    const row: FeastType = FEAST_TYPES[scalar];
    for (const kind of ['scalar', 'list', 'set'] as const) {
      const form = row[kind];
      if (form === undefined) continue;
      const fields = scalar === 'Struct' ? [{ name: 'name', dtype: { kind: 'scalar', scalar: 'String' } as Dtype }] : undefined;
      const dtype: Dtype = { kind, scalar, ...(fields ? { fields } : {}) };
      rows.push({
        number: form.valueType,
        name: ValueType_Enum[form.valueType] ?? (scalar === 'PdfBytes' ? 'PDF_BYTES' : 'IMAGE_BYTES'),
        dtype: scalar === 'Struct' ? formatDtype(dtype).replace('name: String', '...') : formatDtype(dtype),
        field: snake(form.valueCase),
        joinKey: kind === 'scalar' && row.joinKey,
        files: expectedSourceColumns(dtype),
      });
    }
  }
  for (const [outer, form] of Object.entries(NESTED_FORMS) as ['list' | 'set', (typeof NESTED_FORMS)['list']][]) {
    const dtype: Dtype = { kind: 'nested', outer, inner: { kind: 'list', scalar: 'Int32' } };
    rows.push({
      number: form.valueType,
      name: ValueType_Enum[form.valueType] ?? '',
      dtype: `${formatDtype(dtype)}, any depth`,
      field: snake(form.valueCase),
      joinKey: false,
      files: expectedSourceColumns(dtype),
    });
  }
  rows.sort((a, b) => a.number - b.number);
  const lines = [
    '| # | Feast ValueType | dtype in definitions | Value field | supported | join key | source column (files) |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.number} | ${r.name} | \`${r.dtype}\` | ${r.field} | yes | ${r.joinKey ? 'yes' : 'no'} | ${r.files} |`),
  ];
  return lines.join('\n');
}
