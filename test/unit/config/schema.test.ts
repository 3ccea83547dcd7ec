import { CONFIG_SCHEMA, renderConfigReference } from '../../../src/core/config/schema.js';
import type { FieldSpec } from '../../../src/core/config/schema.js';

function allKeys(fields: readonly FieldSpec[], prefix = ''): Array<[string, FieldSpec]> {
  return fields.flatMap((f) => {
    const key = prefix === '' ? f.key : `${prefix}.${f.key}`;
    const nested = f.type.kind === 'section' || f.type.kind === 'pathOrSection' ? allKeys(f.type.fields, key) : [];
    return [[key, f] as [string, FieldSpec], ...nested];
  });
}

describe('config schema', () => {
  const keys = allKeys(CONFIG_SCHEMA);

  it('documents every field', () => {
    for (const [key, f] of keys) expect([key, f.description.length > 10]).toEqual([key, true]);
  });

  it("holds exactly Feast's DynamoDBOnlineStoreConfig keys under online_store", () => {
    expect(
      keys
        .filter(([k]) => k.startsWith('online_store.'))
        .map(([k]) => k.slice('online_store.'.length))
        .sort(),
    ).toEqual(
      [
        'batch_size',
        'connect_timeout',
        'consistent_reads',
        'endpoint_url',
        'keepalive_timeout',
        'max_pool_connections',
        'max_read_workers',
        'read_timeout',
        'region',
        'retry_mode',
        'session_based_auth',
        'table_name_template',
        'tags',
        'total_max_retry_attempts',
        'type',
        'warmup_connections',
      ].sort(),
    );
  });

  it('renders a markdown table with one row per key', () => {
    const md = renderConfigReference();
    const lines = md.trimEnd().split('\n');
    expect(lines[0]).toBe('| key | type | default | description |');
    expect(lines.length).toBe(2 + keys.length);
    for (const [key] of keys) expect(md).toContain(`| \`${key}\` |`);
    expect(md).toContain('| `online_store.batch_size` | integer 1–100 | `100` |');
    expect(md).toContain('| `project` | string | **required** |');
    expect(md).toContain('| `dynafeast.embedded.path` | string | `data/online_store` |');
    // Pipes inside cells would break the table.
    for (const line of lines) expect(line.replace(/\\\|/g, '').split('|').length).toBe(6);
  });
});
