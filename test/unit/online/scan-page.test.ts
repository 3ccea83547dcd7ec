import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { formatEventTs, MAX_EVENT_MICROS, MIN_EVENT_MICROS } from '../../../src/core/layout/event-ts.js';
import { parseItem, type ParsedItem } from '../../../src/core/layout/item.js';
import { itemFromJson } from '../../../src/core/online/lean-batch-get.js';
import { FeastScanPageReader } from '../../../src/core/online/scan-page.js';
import { codeOf } from '../../helpers/error-code.js';

/** The general path the reader must agree with: JSON.parse, the SDK's shapes, parseItem. */
function general(body: string): { items: ParsedItem[]; lastKey: unknown; consumed: number } {
  const json = JSON.parse(body) as {
    Items?: Record<string, Record<string, unknown>>[];
    LastEvaluatedKey?: Record<string, Record<string, unknown>>;
    ConsumedCapacity?: { CapacityUnits?: number };
  };
  return {
    items: (json.Items ?? []).map((i) => parseItem(itemFromJson(i))),
    lastKey: json.LastEvaluatedKey ? itemFromJson(json.LastEvaluatedKey) : undefined,
    consumed: Number(json.ConsumedCapacity?.CapacityUnits ?? 0),
  };
}

/** The reader's whole answer, batch by batch (`max` items each), items it does not read going the general way. */
function readAll(body: string, max = 3): { items: ParsedItem[]; lastKey: unknown; consumed: number; batches: number } {
  const reader = new FeastScanPageReader(Buffer.from(body), (json) => parseItem(itemFromJson(json)));
  const items: ParsedItem[] = [];
  let batches = 0;
  for (let b = reader.next(max); b !== undefined; b = reader.next(max)) {
    expect(b.length).toBeLessThanOrEqual(max);
    items.push(...b);
    batches++;
  }
  return { items, lastKey: reader.lastKey, consumed: reader.consumed, batches };
}

/** Comparable form: bytes as hex, BigInts as text. */
const plain = (x: unknown): unknown =>
  JSON.parse(
    JSON.stringify(x, function (this: Record<string, unknown>, k, v: unknown) {
      const raw = this[k]; // before Buffer's toJSON
      return typeof raw === 'bigint' ? `${raw}n` : raw instanceof Uint8Array ? Buffer.from(raw).toString('hex') : v;
    }),
  );

interface Gen {
  entityId: string;
  eventTs: string;
  values: [string, Uint8Array][];
  extra: [string, unknown][];
  order: number[];
}

/** JSON text as DynamoDB (compact) or moto (Python's ", " and ": ") writes it, or with newlines. */
const spacings = [
  { comma: ',', colon: ':' },
  { comma: ', ', colon: ': ' },
  { comma: ',\n  ', colon: ' : ' },
];

function itemText(g: Gen, sp: (typeof spacings)[number], escape: boolean): string {
  const str = (s: string) =>
    escape ? JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : JSON.stringify(s);
  const obj = (members: [string, string][]) => `{${members.map(([k, v]) => `${str(k)}${sp.colon}${v}`).join(sp.comma)}}`;
  const members: [string, string][] = [
    ['entity_id', obj([['S', str(g.entityId)]])],
    ['event_ts', obj([['S', str(g.eventTs)]])],
    ['values', obj([['M', obj(g.values.map(([k, v]) => [k, obj([['B', str(Buffer.from(v).toString('base64'))]])]))]])],
    ...g.extra.map(([k, v]): [string, string] => [k, JSON.stringify(v)]),
  ];
  return obj(
    g.order
      .flatMap((i): [string, string][] => {
        const m = members[i % members.length];
        return m ? [m] : [];
      })
      .filter((m, i, all) => all.indexOf(m) === i),
  );
}

// names Object.prototype holds among them: a stored name stays a key whatever it is
const name = fc.oneof(
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/),
  fc.string({ minLength: 1, maxLength: 12, unit: 'binary' }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'),
);
const gen: fc.Arbitrary<Gen> = fc.record({
  entityId: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.string({ maxLength: 20, unit: 'binary' })),
  eventTs: fc.oneof(
    fc.bigInt({ min: MIN_EVENT_MICROS, max: MAX_EVENT_MICROS }).map(formatEventTs),
    fc.constantFrom('2021-04-12T07:00:00Z', '2021-04-12 09:00:00+02:00', '2021-04-12 07:00:00.5+00:00'),
  ),
  values: fc.uniqueArray(fc.tuple(name, fc.uint8Array({ maxLength: 40 })), { selector: ([k]) => k, maxLength: 6 }),
  extra: fc.uniqueArray(
    fc.tuple(
      fc.stringMatching(/^[a-z][a-z_]{0,8}$/).filter((k) => !['entity_id', 'event_ts', 'values'].includes(k)),
      fc.oneof(
        fc.record({ N: fc.integer().map(String) }),
        fc.record({ S: fc.string({ unit: 'binary' }) }),
        fc.record({ L: fc.array(fc.record({ BOOL: fc.boolean() }), { maxLength: 3 }) }),
        fc.record({ NULL: fc.constant(true) }),
      ),
    ),
    { selector: ([k]) => k, maxLength: 2 },
  ),
  order: fc.array(fc.nat(5), { minLength: 3, maxLength: 8 }).map((o) => [...o, 0, 1, 2]),
});

describe('readFeastScanPage', () => {
  it('reads any page of Feast items as the general path does, in any key order, spacing and escaping', () => {
    fc.assert(
      fc.property(
        fc.array(gen, { maxLength: 8 }),
        fc.constantFrom(...spacings),
        fc.boolean(),
        fc.option(fc.stringMatching(/^[0-9a-f]{32}$/)),
        fc.option(fc.double({ min: 0, max: 1000, noNaN: true })),
        (items, sp, escape, last, consumed) => {
          const members = [
            `"Items"${sp.colon}[${items.map((g) => itemText(g, sp, escape)).join(sp.comma)}]`,
            `"Count"${sp.colon}${items.length}`,
            `"ScannedCount"${sp.colon}${items.length}`,
          ];
          if (last !== null) members.push(`"LastEvaluatedKey"${sp.colon}{"entity_id"${sp.colon}{"S"${sp.colon}"${last}"}}`);
          if (consumed !== null) members.push(`"ConsumedCapacity"${sp.colon}{"TableName":"t","CapacityUnits":${consumed}}`);
          const body = `{${members.reverse().join(sp.comma)}}`;
          const { batches, ...read } = readAll(body);
          expect(plain(read)).toEqual(plain(general(body)));
          expect(batches).toBe(Math.ceil(items.length / 3));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('keeps every value its own bytes, whatever else the page holds', () => {
    const body = Buffer.from(
      JSON.stringify({
        Items: Array.from({ length: 5000 }, (_, i) => ({
          entity_id: { S: `e${i}` },
          event_ts: { S: formatEventTs(BigInt(i) * 1_000_001n) },
          values: { M: { a: { B: Buffer.alloc(i % 50, i % 256).toString('base64') }, b: { B: '' } } },
        })),
      }),
    );
    const read = readAll(body.toString('utf8'), 256);
    expect(read.items).toHaveLength(5000);
    expect(read.batches).toBe(20);
    read.items.forEach((item, i) => {
      expect(Buffer.from(item.values.a ?? [])).toEqual(Buffer.alloc(i % 50, i % 256));
      expect(item.values.b).toHaveLength(0);
      expect(item.eventMicros).toBe(BigInt(i) * 1_000_001n);
    });
  });

  it.each([
    ['an item whose entity_id is not a string', '{"Items":[{"entity_id":{"N":"1"},"event_ts":{"S":"2021-04-12 07:00:00+00:00"}}]}'],
    ['an item without event_ts', '{"Items":[{"entity_id":{"S":"a"}}]}'],
    ['values that are not a map', '{"Items":[{"entity_id":{"S":"a"},"event_ts":{"S":"2021-04-12 07:00:00+00:00"},"values":{"L":[]}}]}'],
    ['a value that is not binary', '{"Items":[{"entity_id":{"S":"a"},"event_ts":{"S":"2021-04-12 07:00:00+00:00"},"values":{"M":{"f":{"S":"x"}}}}]}'],
    ['a timestamp that is not one', '{"Items":[{"entity_id":{"S":"a"},"event_ts":{"S":"yesterday"}}]}'],
  ])("refuses %s with the general path's error", (_what, body) => {
    const code = codeOf(() => general(body));
    expect(code).toMatch(/^codec\./);
    expect(codeOf(() => readAll(body))).toBe(code);
  });

  it('reads what the general path reads leniently (base64 without padding) as it does', () => {
    const body = '{"Items":[{"entity_id":{"S":"a"},"event_ts":{"S":"2021-04-12 07:00:00+00:00"},"values":{"M":{"f":{"B":"AQ"}}}}]}';
    expect(plain(readAll(body))).toMatchObject(plain(general(body)) as object);
  });

  it.each([
    ['text after the answer', '{"Items":[]} x'],
    ['a cut answer', '{"Items":[{"entity_id":{"S":"a"'],
    ['an answer that is not an object', '[]'],
  ])('throws a SyntaxError for %s', (_what, body) => {
    expect(() => readAll(body)).toThrow(SyntaxError);
  });
});
