import { createSlowCallWatch } from '../../../src/core/aws/slow-call.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recorder() {
  const warnings: string[] = [];
  return { warnings, logger: { debug: () => {}, info: () => {}, warn: (m: string) => warnings.push(m) } };
}

describe('slow call watch', () => {
  it('says what is waited for once the first delay passes, naming every call waiting together, then repeats', async () => {
    const { warnings, logger } = recorder();
    const watch = createSlowCallWatch(logger, 'http://127.0.0.1:9', { afterMs: 40, everyMs: 80, limits: 'read_timeout 10 s' });
    const a = watch.start('DescribeTable');
    const b = watch.start('ListTagsOfResource');
    await sleep(60);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^still waiting for http:\/\/127\.0\.0\.1:9 \(DescribeTable, ListTagsOfResource\) after 0 s; it gives up after read_timeout 10 s$/,
    );
    await sleep(100);
    expect(warnings.length).toBe(2);
    a();
    b();
    await sleep(120);
    expect(warnings.length).toBe(2);
  });

  it('is silent for calls that end in time', async () => {
    const { warnings, logger } = recorder();
    const watch = createSlowCallWatch(logger, () => 'http://x', { afterMs: 30 });
    for (let i = 0; i < 5; i++) watch.start('BatchGetItem')();
    await sleep(60);
    expect(warnings).toEqual([]);
  });
});
