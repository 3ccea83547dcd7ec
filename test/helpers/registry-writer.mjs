// Child process for the crash tests: rewrites the registry under the registry lock, alternating two large
// registries ("A" and "B", told apart by their project name), with the built code (dist/) the CLI runs.
//
//   node registry-writer.mjs <registry> <entities>             loops until it is killed
//   node registry-writer.mjs <registry> <entities> trace       writes A, then B, and prints the file
//                                                              system steps writing B took (JSON), then exits
//   node registry-writer.mjs <registry> <entities> <k>         writes A, then SIGKILLs itself right after
//                                                              step k of writing B
//   node registry-writer.mjs <registry> <entities> <k>:torn    …in the middle of step k (half its data
//                                                              written), when step k writes data
//
// Steps are the calls to node:fs/promises and to the file handles it opens, wrapped before the built code
// is loaded: a test crashes the writer after every step of the lock + temp file + rename protocol, however
// that protocol is written, instead of at random moments. Prints "wrote" once registry A is in place.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { basename, dirname } from 'node:path';

const [path, count, mode] = [process.argv[2], Number(process.argv[3] ?? 20000), process.argv[4]];
const crash = mode && mode !== 'trace' ? { at: Number(mode.split(':')[0]), torn: mode.endsWith(':torn') } : undefined;
if (crash && !Number.isInteger(crash.at)) throw new Error(`registry-writer: bad crash step ${mode}`);

let armed = false;
/** The steps taken while writing B; each names the call and the file, e.g. `open registry.db.lock`. */
const steps = [];
/** SIGKILL cannot be caught: nothing after it runs, as with `kill -9` or the OOM killer. */
const die = () => {
  process.kill(process.pid, 'SIGKILL');
  return new Promise(() => {});
};
// relative to the registry's folder, without the pid and random part of temp names (they differ on every
// run), so a step has the same name each time
const fileName = (f) => {
  if (typeof f !== 'string' && !(f instanceof URL)) return '?';
  const p = String(f);
  return p === dirname(path) ? '<folder>' : basename(p).replace(/\.\d+\.[0-9a-f]{8}/, '.<pid>.<id>');
};
const TWO_PATHS = new Set(['rename', 'link', 'copyFile', 'symlink', 'cp']);
const half = (data) =>
  (typeof data === 'string' ? Buffer.from(data) : data).subarray(0, (typeof data === 'string' ? Buffer.byteLength(data) : data.length) >> 1);

/** Runs one step: records it, tears it (writes half of `data`, then dies) or dies right after it. */
async function step(name, file, run, tear) {
  if (!armed) return run();
  const k = steps.push(`${name} ${file}`) - 1;
  if (crash?.at === k && crash.torn) {
    if (!tear) throw new Error(`registry-writer: step ${k} (${steps[k]}) writes no data to tear`);
    await tear();
    await die();
  }
  const result = await run();
  if (crash?.at === k && !crash.torn) await die();
  return result;
}

const HANDLE_DATA = new Set(['write', 'writeFile', 'appendFile']);
function wrapHandle(fh, file) {
  for (const name of ['write', 'writeFile', 'appendFile', 'sync', 'datasync', 'truncate', 'close']) {
    const real = fh[name].bind(fh);
    fh[name] = (...args) => step(`handle.${name}`, file, () => real(...args), HANDLE_DATA.has(name) ? () => real(half(args[0])) : undefined);
  }
  return fh;
}

if (mode) {
  const fsp = createRequire(import.meta.url)('node:fs/promises');
  for (const [name, real] of Object.entries(fsp)) {
    if (typeof real !== 'function' || name === 'watch') continue;
    const tear = name === 'writeFile' || name === 'appendFile' ? (args) => () => real(args[0], half(args[1])) : () => undefined;
    fsp[name] = async (...args) => {
      const file = TWO_PATHS.has(name) ? `${fileName(args[0])} -> ${fileName(args[1])}` : fileName(args[0]);
      const result = await step(name, file, () => real(...args), tear(args));
      return name === 'open' && armed ? wrapHandle(result, fileName(args[0])) : result;
    };
  }
  // the built modules import these by name: loaded after this, they get the wrapped functions
  syncBuiltinESMExports();
}

const { create } = await import('@bufbuild/protobuf');
const { EntitySchema, EntitySpecV2Schema } = await import('../../dist/gen/feast/core/Entity_pb.js');
const { ProjectSchema, ProjectSpecSchema } = await import('../../dist/gen/feast/core/Project_pb.js');
const { RegistrySchema } = await import('../../dist/gen/feast/core/Registry_pb.js');
const { withRegistryLock } = await import('../../dist/core/registry/lock.js');
const { writeRegistryAtomic } = await import('../../dist/core/registry/registry-file.js');

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
  armed = mode !== undefined && n === 1;
  await withRegistryLock(path, () => writeRegistryAtomic(path, registries[n % 2], BigInt(Date.now()) * 1000n));
  n++;
  if (n === 1) process.stdout.write('wrote\n');
  if (armed) {
    armed = false;
    if (mode === 'trace') {
      process.stdout.write(`${JSON.stringify(steps)}\n`);
      process.exit(0);
    }
    process.stderr.write(`registry-writer: wrote B in ${steps.length} steps, never reaching step ${mode}\n`);
    process.exit(3);
  }
}
