/**
 * openStoreClients: the one way the CLI session and FeatureStore.open build a store's clients. With
 * `dynafeast.embedded` it starts the store and points the clients at it; without, it uses endpoint_url;
 * close() lets go of both. Against a real embedded dynalite.
 */
import { jest } from '@jest/globals';
import { rm } from 'node:fs/promises';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { openStoreClients } from '../../src/core/store-clients.js';
import { localRepoConfig } from '../helpers/dynalite.js';
import { tempRepoDir } from '../helpers/temp-dir.js';
import { freePort } from '../helpers/cli.js';

jest.setTimeout(15000);

let repo: string;
beforeEach(async () => {
  repo = tempRepoDir('dynafeast-store-clients-');
});
afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

it('starts the embedded store the config asks for, points the clients at it, and stops it on close', async () => {
  const endpoint = `http://127.0.0.1:${await freePort()}`;
  const config = localRepoConfig(repo, endpoint, { dynafeast: { embedded: { path: 'data/online_store' } } });
  const clients = await openStoreClients(config);
  try {
    expect(clients.embedded?.endpoint).toBe(endpoint);
    expect(clients.aws.endpoint).toBe(endpoint);
    expect(clients.aws.local).toBe(true);
    expect(await clients.aws.dynamo.send(new ListTablesCommand({}))).toMatchObject({ TableNames: [] });
  } finally {
    await clients.close();
  }
  // stopped: the port is free again, and a second open starts it anew
  const again = await openStoreClients(config);
  try {
    expect(again.embedded?.endpoint).toBe(endpoint);
    expect(await again.aws.dynamo.send(new ListTablesCommand({}))).toMatchObject({ TableNames: [] });
  } finally {
    await again.close();
  }
});

it('without the embedded store, uses endpoint_url and the credentials the caller gives', async () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
  const clients = await openStoreClients(localRepoConfig(repo, 'http://127.0.0.1:1'), { credentials });
  try {
    expect(clients.embedded).toBeUndefined();
    expect(clients.aws.endpoint).toBe('http://127.0.0.1:1');
    expect(clients.aws.credentials).toBe(credentials);
  } finally {
    await clients.close();
  }
});
