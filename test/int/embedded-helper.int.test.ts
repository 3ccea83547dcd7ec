import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createFeastTable, startDynalite } from '../helpers/dynalite.js';

describe('test helper startDynalite', () => {
  it('serves an in-memory store on a free loopback port until stopped', async () => {
    const a = await startDynalite();
    const b = await startDynalite();
    try {
      expect(a.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(b.endpoint).not.toBe(a.endpoint);
      await createFeastTable(a.client, 'only_in_a');
      expect((await a.client.send(new ListTablesCommand({}))).TableNames).toEqual(['only_in_a']);
      expect((await b.client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    } finally {
      await a.stop();
      await b.stop();
    }
    const gone = await fetch(a.endpoint).then(
      () => 'answered',
      () => 'refused',
    );
    expect(gone).toBe('refused');
  });
});
