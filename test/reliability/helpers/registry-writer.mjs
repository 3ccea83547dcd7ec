// Child process for the crash test: rewrites the registry in a loop, under the registry lock, alternating
// two large registries ("A" and "B", told apart by their project name) until it is killed. Uses the
// built code (dist/), the same the CLI runs. Usage: node registry-writer.mjs <registry path> <entities>
import { create } from '@bufbuild/protobuf';
import { EntitySchema, EntitySpecV2Schema } from '../../../dist/gen/feast/core/Entity_pb.js';
import { ProjectSchema, ProjectSpecSchema } from '../../../dist/gen/feast/core/Project_pb.js';
import { RegistrySchema } from '../../../dist/gen/feast/core/Registry_pb.js';
import { withRegistryLock } from '../../../dist/core/registry/lock.js';
import { writeRegistryAtomic } from '../../../dist/core/registry/registry-file.js';

const [path, count] = [process.argv[2], Number(process.argv[3] ?? 20000)];
const registryOf = (project) =>
  create(RegistrySchema, {
    registrySchemaVersion: '1',
    projects: [create(ProjectSchema, { spec: create(ProjectSpecSchema, { name: project }) })],
    entities: Array.from({ length: count }, (_, i) =>
      create(EntitySchema, { spec: create(EntitySpecV2Schema, { name: `entity_${i}`, project, joinKey: `key_${i}`, description: 'x'.repeat(40) }) }),
    ),
  });
const registries = [registryOf('A'), registryOf('B')];
let n = 0;
process.stdout.write('ready\n');
for (;;) {
  await withRegistryLock(path, () => writeRegistryAtomic(path, registries[n % 2], BigInt(Date.now()) * 1000n));
  n++;
  if (n === 1) process.stdout.write('wrote\n');
}
