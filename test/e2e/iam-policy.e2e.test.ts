import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { repoRoot, runCli } from '../helpers/cli.js';
import { defined } from '../helpers/defined.js';

const example = path.join(repoRoot, 'examples', 'driver-stats');
const arn = (region: string, view: string) => `arn:aws:dynamodb:${region}:123456789012:table/driver_stats.${view}`;

describe('dynafeast iam-policy (built binary)', () => {
  it('prints the policy document on stdout, warnings on stderr', async () => {
    const r = await runCli(['-c', example, 'iam-policy', '--for', 'read', '--account-id', '123456789012', '--region', 'eu-west-1']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Read',
          Effect: 'Allow',
          Action: ['dynamodb:BatchGetItem'],
          Resource: [arn('eu-west-1', 'driver_hourly_stats'), arn('eu-west-1', 'driver_profile')],
        },
      ],
    });
    // the example runs the embedded store: the user is told the policy is for AWS
    expect(r.stderr).toMatch(/endpoint_url is set/);
  });

  it('--json wraps the rendered template, the document and what each table needs', async () => {
    const r = await runCli(['-c', example, '--json', 'iam-policy', '--for', 'materialize,read', '--account-id', '123456789012', '--format', 'cloudformation']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { commands: string[]; rendered: string; policy: unknown; grants: { command: string; table: string }[] };
    expect(out.commands).toEqual(['materialize', 'read']);
    const template = parseYaml(out.rendered, { version: '1.1' }) as { Resources: Record<string, { Type: string; Properties: { PolicyDocument: unknown } }> };
    const [resource] = Object.values(template.Resources);
    expect(defined(resource).Type).toBe('AWS::IAM::ManagedPolicy');
    expect(defined(resource).Properties.PolicyDocument).toEqual(out.policy);
    expect(out.grants.map((g) => `${g.command} ${g.table}`)).toContain('read driver_stats.driver_profile');
  });

  it('without --account-id and without a reachable STS: exit 1 and a hint to pass --account-id', async () => {
    const r = await runCli(['-c', example, 'iam-policy', '--for', 'read'], {
      env: { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'AKIAE2ETESTEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x', AWS_MAX_ATTEMPTS: '1' },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/STS GetCallerIdentity failed/);
    expect(r.stderr).toMatch(/--account-id/);
  });

  it('a bad --for is a usage error (exit 2)', async () => {
    const r = await runCli(['-c', example, 'iam-policy', '--for', 'deploy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "deploy"/);
  });
});
