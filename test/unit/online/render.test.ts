import { createOutput } from '../../../src/cli/output.js';
import { renderCsv, renderJsonl, renderOnline, renderTable } from '../../../src/cli/render-online.js';
import { outputColumns, toFeastDict, toRows } from '../../../src/core/online/to-dict.js';
import type { OnlineFeaturesColumns } from '../../../src/core/online/types.js';

const result: OnlineFeaturesColumns = {
  rowCount: 2,
  columns: [
    { name: 'driver_id', kind: 'joinKey', values: [1001, 1002], statuses: ['PRESENT', 'PRESENT'], eventTimestamps: [0, 0] },
    { name: 'conv_rate', kind: 'feature', view: 'v', values: [0.5, null], statuses: ['PRESENT', 'NOT_FOUND'], eventTimestamps: [1618210800, 0] },
    {
      name: 'langs',
      kind: 'feature',
      view: 'v',
      values: [['en', 'fr'], 'a "b", c'],
      statuses: ['PRESENT', 'PRESENT'],
      eventTimestamps: [1618210800, 1618210800],
    },
  ],
};

function capture() {
  let stdout = '';
  let stderr = '';
  const out = createOutput({ json: false, color: false }, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { out, text: () => stdout, err: () => stderr };
}

describe('result shapes', () => {
  it("is Feast's to_dict(), with __ts after each column as Feast adds it and __status after that", () => {
    expect(toFeastDict(result)).toEqual({ driver_id: [1001, 1002], conv_rate: [0.5, null], langs: [['en', 'fr'], 'a "b", c'] });
    expect(Object.keys(toFeastDict(result, { includeEventTimestamps: true, includeStatus: true }))).toEqual([
      'driver_id',
      'driver_id__ts',
      'driver_id__status',
      'conv_rate',
      'conv_rate__ts',
      'conv_rate__status',
      'langs',
      'langs__ts',
      'langs__status',
    ]);
    expect(outputColumns(result, { includeStatus: true })).toEqual([
      'driver_id',
      'driver_id__status',
      'conv_rate',
      'conv_rate__status',
      'langs',
      'langs__status',
    ]);
    expect(toRows(result, { includeStatus: true })[1]).toEqual({
      driver_id: 1002,
      driver_id__status: 'PRESENT',
      conv_rate: null,
      conv_rate__status: 'NOT_FOUND',
      langs: 'a "b", c',
      langs__status: 'PRESENT',
    });
  });
});

describe('renderers', () => {
  it('csv quotes what needs quoting, lists as JSON, null as empty', () => {
    expect(renderCsv(result, {})).toBe('driver_id,conv_rate,langs\n1001,0.5,"[""en"",""fr""]"\n1002,,"a ""b"", c"');
  });

  it('jsonl writes one object per entity row', () => {
    expect(
      renderJsonl(result, { includeEventTimestamps: true })
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual(toRows(result, { includeEventTimestamps: true }));
  });

  it('table aligns columns and shows null', () => {
    const { out } = capture();
    expect(renderTable(result, {}, out).split('\n')).toEqual([
      'driver_id  conv_rate  langs',
      '1001       0.5        ["en","fr"]',
      '1002       null       a "b", c',
    ]);
  });

  it('json prints the to_dict document on stdout', () => {
    const c = capture();
    renderOnline(result, 'json', {}, c.out);
    expect(JSON.parse(c.text())).toEqual(toFeastDict(result));
  });

  it.each(['table', 'csv', 'jsonl', 'json'] as const)('%s renders 300k rows (no argument spread that overflows the stack)', (format) => {
    const n = 300_000;
    const big: OnlineFeaturesColumns = {
      rowCount: n,
      columns: [
        {
          name: 'driver_id',
          kind: 'joinKey',
          values: Array.from({ length: n }, (_, i) => i),
          statuses: new Array(n).fill('PRESENT'),
          eventTimestamps: new Array(n).fill(0),
        },
        {
          name: 'conv_rate',
          kind: 'feature',
          view: 'v',
          values: Array.from({ length: n }, (_, i) => (i === n - 1 ? 'the-widest-value' : 0.5)),
          statuses: new Array(n).fill('PRESENT'),
          eventTimestamps: new Array(n).fill(0),
        },
      ],
    };
    const c = capture();
    renderOnline(big, format, {}, c.out);
    const lines = c.text().trimEnd().split('\n');
    if (format === 'table') {
      expect(lines).toHaveLength(n + 1);
      expect(lines[1]).toBe('0          0.5');
    }
    if (format === 'csv') expect(lines).toHaveLength(n + 1);
    if (format === 'jsonl') expect(lines).toHaveLength(n);
    if (format === 'json') expect((JSON.parse(c.text()) as { driver_id: number[] }).driver_id).toHaveLength(n);
  });
});
