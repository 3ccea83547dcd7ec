import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { create } from '@bufbuild/protobuf';
import { RegistrySchema } from '../../../src/gen/feast/core/Registry_pb.js';
import { readRegistry, writeRegistryAtomic } from '../../../src/core/registry/registry-file.js';
import { tempRepoDir } from '../../helpers/temp-dir.js';

describe('writeRegistryAtomic temp files', () => {
  it('removes temp files a killed writer left behind, and keeps a live writer’s', async () => {
    const dir = tempRepoDir('dynafeast-reg-');
    const file = path.join(dir, 'registry.db');
    // pid 2^22+1 is above Linux's pid_max default range of live processes in this sandbox
    const dead = `registry.db.${2 ** 22 + 1}.deadbeef.tmp`;
    const live = `registry.db.${process.ppid}.cafebabe.tmp`;
    // a lock owner being linked into place: by a killed waiter, and by a waiter of this very process
    const deadLock = `registry.db.lock.${2 ** 22 + 1}.0badf00d.tmp`;
    const ownLock = `registry.db.lock.${process.pid}.feedface.tmp`;
    writeFileSync(path.join(dir, dead), 'half a registry');
    writeFileSync(path.join(dir, live), 'someone else mid-write');
    writeFileSync(path.join(dir, deadLock), '{"pid":1}');
    writeFileSync(path.join(dir, ownLock), '{"pid":2}');
    writeFileSync(path.join(dir, 'registry.db.notes.tmp'), 'not ours');
    await writeRegistryAtomic(file, create(RegistrySchema, {}), 1_700_000_000_000_000n);
    expect(readdirSync(dir).sort()).toEqual(['registry.db', live, ownLock, 'registry.db.notes.tmp'].sort());
    expect((await readRegistry(file)).versionId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
