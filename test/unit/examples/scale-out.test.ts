/**
 * examples/scale-out/ (CONTRIBUTING.md, convention 14: examples double as fixtures): each recipe's
 * command line is parsed by the real program, its shard count matches the job array that runs it, and
 * the shard index each array member gets resolves to a distinct shard.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createProgram, type CommandHandlers, type GlobalFlags, type MaterializeFlags } from '../../../src/cli/program.js';
import { resolveShard } from '../../../src/core/materialize/shard.js';
import { repoRoot } from '../../helpers/cli.js';
import { defined } from '../../helpers/defined.js';

const dir = path.join(repoRoot, 'examples', 'scale-out');
const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');

/** What the program hands the materialize handler for `argv` (after the `npx --yes dynafeast` prefix). */
async function parsed(argv: string[]): Promise<MaterializeFlags> {
  let got: MaterializeFlags | undefined;
  const handlers = new Proxy({} as CommandHandlers, {
    get: (_, name) => async (o: unknown, _g: GlobalFlags) => {
      if (name !== 'materialize') throw new Error(`expected materialize, got ${String(name)}`);
      got = o as MaterializeFlags;
    },
  });
  const program = createProgram(handlers, '9.9.9');
  program.exitOverride();
  for (const sub of program.commands) sub.exitOverride();
  await program.parseAsync(argv, { from: 'user' });
  return defined(got, 'materialize call');
}

const afterNpx = (command: string[]) => command.slice(command.indexOf('dynafeast') + 1);

describe('examples/scale-out', () => {
  it('Kubernetes Indexed Job: --shards equals completions, each index is one shard', async () => {
    const job = parseYaml(read('kubernetes-indexed-job.yaml')) as {
      spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { containers: { command: string[]; args: string[] }[] } } };
    };
    expect(job.spec.completionMode).toBe('Indexed');
    const c = defined(job.spec.template.spec.containers[0]);
    const flags = await parsed([...afterNpx(c.command), ...c.args]);
    expect(Number(flags.shards)).toBe(job.spec.completions);
    expect(job.spec.parallelism).toBe(job.spec.completions);
    expect(flags).toMatchObject({ start: '2024-05-01T00:00:00Z', end: '2024-05-02T00:00:00Z', runId: 'nightly-2024-05-02', maxWriteUnitsPerSecond: 40000 });
    const shards = Array.from({ length: job.spec.completions }, (_, i) => resolveShard(flags, { JOB_COMPLETION_INDEX: String(i) })?.index);
    expect(shards).toEqual([0, 1, 2, 3]);
  });

  it('AWS Batch array job: --shards equals the array size, each index is one shard', async () => {
    const definition = JSON.parse(read('aws-batch-job-definition.json')) as { containerProperties: { command: string[] } };
    const submit = JSON.parse(read('aws-batch-submit-job.json')) as { arrayProperties: { size: number }; parameters: Record<string, string> };
    // Batch substitutes Ref::name with the submitted parameters
    const command = definition.containerProperties.command.map((a) => (a.startsWith('Ref::') ? defined(submit.parameters[a.slice(5)]) : a));
    const flags = await parsed(afterNpx(command));
    expect(Number(flags.shards)).toBe(submit.arrayProperties.size);
    const shards = Array.from({ length: submit.arrayProperties.size }, (_, i) => resolveShard(flags, { AWS_BATCH_JOB_ARRAY_INDEX: String(i) })?.index);
    expect(shards).toEqual([0, 1, 2, 3]);
  });

  it('CI matrix: one job per shard, every shard of the run once', async () => {
    const workflow = parseYaml(read('github/materialize-matrix.yml')) as {
      jobs: { shard: { strategy: { matrix: { shard: number[] } }; steps: { run?: string }[] } };
    };
    const matrix = workflow.jobs.shard.strategy.matrix.shard;
    const run = defined(workflow.jobs.shard.steps.find((s) => s.run)?.run);
    const shards: number[] = [];
    for (const value of matrix) {
      const line = run
        .replaceAll('${{ matrix.shard }}', String(value))
        .replaceAll('${{ inputs.start }}', '2024-05-01')
        .replaceAll('${{ inputs.end }}', '2024-05-02')
        .replaceAll('"$REPO_DIR"', '/mnt/feature-repo')
        .replaceAll('"$RUN_ID"', 'nightly-1');
      const argv = afterNpx(line.split(/\s+/).map((a) => a.replace(/^"|"$/g, '')));
      const flags = await parsed(argv);
      const spec = defined(resolveShard(flags, {}));
      expect(spec.count).toBe(matrix.length);
      shards.push(spec.index);
    }
    expect(shards.sort()).toEqual(matrix.map((_, i) => i));
  });
});
