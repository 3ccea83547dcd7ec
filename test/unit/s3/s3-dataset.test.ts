import fc from 'fast-check';
import { globToRegExp, hivePartitions, outsideWindow, partitionSpanMicros, planS3Path, partitionVerdict } from '../../../src/core/s3/s3-dataset.js';
import { formatS3Uri, parseS3Uri, s3EndpointOf } from '../../../src/core/s3/s3-uri.js';
import { defined } from '../../helpers/defined.js';

const where = { what: 'path', field: 'sources.x.path' };
const segment = fc.stringMatching(/^[a-z0-9_=.-]{1,8}$/);

describe('S3 addresses', () => {
  it('round-trips bucket and key, and refuses bad bucket names', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/), fc.array(segment, { maxLength: 4 }), (bucket, parts) => {
        const uri = { bucket, key: parts.join('/') };
        expect(parseS3Uri(formatS3Uri(uri), where)).toEqual(uri);
      }),
    );
    for (const bad of ['s3://', 's3://A_Bucket/x', 's3://ab/x', 'gs://bucket/x'])
      expect(() => parseS3Uri(bad, where)).toThrow(expect.objectContaining({ code: 'config.badValue' }));
  });

  it('picks the endpoint as Feast and the AWS SDKs do: override, FEAST_S3_ENDPOINT_URL, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL', () => {
    const env = { FEAST_S3_ENDPOINT_URL: 'http://feast', AWS_ENDPOINT_URL_S3: 'http://s3', AWS_ENDPOINT_URL: 'http://all' };
    expect(s3EndpointOf(env, 'http://override')).toBe('http://override');
    expect(s3EndpointOf(env)).toBe('http://feast');
    expect(s3EndpointOf({ ...env, FEAST_S3_ENDPOINT_URL: '' })).toBe('http://s3');
    expect(s3EndpointOf({ AWS_ENDPOINT_URL: 'http://all' })).toBe('http://all');
    expect(s3EndpointOf({})).toBeUndefined();
  });
});

describe('planS3Path', () => {
  it('lists a folder under its prefix, an object-or-folder under key/, a glob under its literal head', () => {
    expect(planS3Path('data/')).toMatchObject({ kind: 'prefix', listPrefix: 'data/', root: 'data/' });
    expect(planS3Path('data/x.parquet')).toMatchObject({ kind: 'object-or-prefix', listPrefix: 'data/x.parquet/' });
    expect(planS3Path('data/day=*/part-*.parquet')).toMatchObject({ kind: 'glob', listPrefix: 'data/day=', root: 'data/' });
  });
});

describe('globToRegExp (DuckDB rules)', () => {
  it('* stays within a segment, ** crosses segments, ?, [..] and {a,b} match as in shells', () => {
    const m = (g: string, k: string) => globToRegExp(g).test(k);
    expect(m('d/*.parquet', 'd/a.parquet')).toBe(true);
    expect(m('d/*.parquet', 'd/x/a.parquet')).toBe(false);
    expect(m('d/**/*.parquet', 'd/a.parquet')).toBe(true);
    expect(m('d/**/*.parquet', 'd/x/y/a.parquet')).toBe(true);
    expect(m('d/?.csv', 'd/a.csv')).toBe(true);
    expect(m('d/[ab].csv', 'd/c.csv')).toBe(false);
    expect(m('d/[!ab].csv', 'd/c.csv')).toBe(true);
    expect(m('d/{x,y}.csv', 'd/y.csv')).toBe(true);
    expect(m('d/a+b(1).csv', 'd/a+b(1).csv')).toBe(true);
  });

  it('a key with no glob characters matches exactly itself', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9_=.+()$^|-]{1,8}$/), { minLength: 1, maxLength: 4 }), segment, (parts, other) => {
        const key = parts.join('/');
        expect(globToRegExp(key).test(key)).toBe(true);
        if (other !== key) expect(globToRegExp(key).test(other)).toBe(false);
      }),
    );
  });
});

describe('hive partitions and pruning', () => {
  it('reads key=value folders between the root and the file', () => {
    expect([...hivePartitions('ds/day=2024-01-05/hour=03/part-0.parquet', 'ds/')]).toEqual([
      ['day', '2024-01-05'],
      ['hour', '03'],
    ]);
    expect(hivePartitions('ds/a%3Db=x%20y/f.parquet', 'ds/').get('a=b')).toBeUndefined();
    expect(hivePartitions('ds/k=x%20y/f.parquet', 'ds/').get('k')).toBe('x y');
  });

  it('a date partition spans its whole UTC day; a timestamp is an instant; anything else is not a span', () => {
    const day = defined(partitionSpanMicros('2024-01-05'));
    expect(day.max - day.min).toBe(86_400_000_000n - 1n);
    expect(partitionSpanMicros('2024-01-05 03:04:05.000007')).toEqual({ min: 1704423845000007n, max: 1704423845000007n });
    expect(partitionSpanMicros('__HIVE_DEFAULT_PARTITION__')).toBeUndefined();
  });

  it('prunes only by the event-time column, never a day the window touches, and skips the footer only of a day inside the window', () => {
    const DAY = 86_400_000_000n;
    const base = BigInt(Date.UTC(2024, 0, 1)) * 1000n;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.bigInt({ min: 0n, max: 60n * DAY }), fc.bigInt({ min: 0n, max: 10n * DAY }), (d, s, len) => {
        const date = new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10);
        const start = base + s;
        const end = start + len;
        const dayStart = base + BigInt(d) * DAY;
        const touches = dayStart <= end && dayStart + DAY - 1n >= start;
        const within = dayStart >= start && dayStart + DAY - 1n <= end;
        expect(partitionVerdict(new Map([['event_timestamp', date]]), 'event_timestamp', start, end)).toBe(
          !touches ? 'outside' : within ? 'inside' : undefined,
        );
        // another column named like a date is never taken for event time
        expect(partitionVerdict(new Map([['date', date]]), 'event_timestamp', start, end)).toBeUndefined();
      }),
    );
    expect(outsideWindow({ min: 5n, max: 9n }, 9n, 20n)).toBe(false);
    expect(outsideWindow({ min: 5n, max: 8n }, 9n, 20n)).toBe(true);
  });
});
