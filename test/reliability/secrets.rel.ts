/**
 * Secrets never leave the process (issue 8 §6): canary credentials (env keys and session token, a profile
 * in a temp AWS_SHARED_CREDENTIALS_FILE) and `${VAR}`-expanded config values are planted, every command
 * runs — plain, --debug, --json, and on error paths where a server echoes the signed request back — and
 * every byte of output, the registry and every file the commands left in the repo is searched for them.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { startFaultProxy, type FaultProxy, type ProxyErrorAnswer } from '../helpers/fault-proxy.js';
import { runCli, STACK_FRAME, type CliRun } from '../helpers/isolated-cli.js';
import { featureStoreYaml, makeRepo, tempRepoDir } from '../helpers/temp-repo.js';

const CANARY = {
  keyId: 'AKIACANARYKEYID7Q3ZX',
  secret: 'canarySecretAccessKey/Xq7vP2mWz9rT4kL8nB3c',
  token: 'canarySessionTokenIQoJb3JpZ2luX2VjEXAMPLE9f8e7d6c5b4a',
  externalId: 'canary-external-id-5f1c9e',
  profileKeyId: 'AKIACANARYPROFILE8W2',
  profileSecret: 'canaryProfileSecret/Hh4Jk9Lm2Nn5Pp8Qq',
  profileToken: 'canaryProfileSessionTokenZZ9Y8X7W6V',
  configValue: 'canary-config-value-31415',
  tagValue: 'canaryTagSecret8c1f4e',
} as const;
const canaries = Object.values(CANARY);

let server: TestDynalite;
let proxy: FaultProxy;
let respond: ((r: { action: string; headers: Record<string, unknown>; body: string }) => ProxyErrorAnswer | undefined) | undefined;
const runs: Array<{ label: string; run: CliRun }> = [];

const envCredentials = {
  AWS_ACCESS_KEY_ID: CANARY.keyId,
  AWS_SECRET_ACCESS_KEY: CANARY.secret,
  AWS_SESSION_TOKEN: CANARY.token,
  CANARY_EXTERNAL_ID: CANARY.externalId,
};
const roleBlock = ['dynafeast:', '  credentials:', '    role_arn: "arn:aws:iam::123456789012:role/feast"', '    external_id: "${CANARY_EXTERNAL_ID}"'].join(
  '\n',
);

beforeAll(async () => {
  server = await startDynalite();
  proxy = await startFaultProxy({ target: server.endpoint, respond: (r) => respond?.(r) });
});

afterAll(async () => {
  await proxy.close();
  await server.stop();
});

function leaks(text: string | Buffer): string[] {
  const s = Buffer.isBuffer(text) ? text.toString('latin1') : text;
  return canaries.filter((c) => s.includes(c));
}

/** Runs a command and records it; every recorded output is searched at the end of each test. */
async function run(label: string, args: string[], env: Record<string, string>, repo: string): Promise<CliRun> {
  const r = await runCli(['-c', repo, ...args], { cwd: repo, env });
  runs.push({ label: `${label}: dynafeast ${args.join(' ')}`, run: r });
  return r;
}

function expectNoLeaks(repo: string): void {
  const found: string[] = [];
  for (const { label, run: r } of runs.splice(0)) {
    for (const c of leaks(r.stdout + r.stderr)) found.push(`${label} printed ${c}`);
  }
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else for (const c of leaks(readFileSync(p))) found.push(`${path.relative(repo, p)} holds ${c}`);
    }
  };
  walk(repo);
  expect(found).toEqual([]);
}

/** A repo whose commands sign with the `canary` profile, and the env that points at the file holding it. */
function canaryProfileRepo(project: string): { repo: string; env: { AWS_SHARED_CREDENTIALS_FILE: string } } {
  const repo = makeRepo({ project, endpoint: proxy.endpoint, dynafeastBlock: 'dynafeast:\n  credentials: {profile: canary}' });
  const credentials = path.join(tempRepoDir('dynafeast-rel-aws-'), 'credentials');
  writeFileSync(
    credentials,
    `[canary]\naws_access_key_id = ${CANARY.profileKeyId}\naws_secret_access_key = ${CANARY.profileSecret}\naws_session_token = ${CANARY.profileToken}\n`,
  );
  return { repo, env: { AWS_SHARED_CREDENTIALS_FILE: credentials } };
}

/** Runs `body` while the proxy answers with `answer` (undefined: forwards); then it forwards everything again. */
async function whileAnswering(answer: NonNullable<typeof respond>, body: () => Promise<void>): Promise<void> {
  respond = answer;
  try {
    await body();
  } finally {
    respond = undefined;
  }
}

describe('secrets', () => {
  it('env credentials, a session token and a ${VAR} value stay out of every output and file', async () => {
    const repo = makeRepo({ project: 'secrets_env', endpoint: proxy.endpoint, dynafeastBlock: roleBlock });
    for (const flags of [[], ['--debug'], ['--json'], ['--debug', '--json']]) {
      for (const args of [
        ['validate'],
        ['plan'],
        ['apply', '--yes'],
        ['plan'],
        ['materialize', '2020-01-01', '2030-01-01'],
        ['materialize-incremental', '2030-01-01'],
        ['get-online-features', '--feature-service', 'driver_ranking', '-e', 'driver_id=1001', '-e', 'driver_id=1005'],
        ['list', 'feature-views'],
        ['registry-dump'],
        ['iam-policy', '--for', 'all', '--account-id', '123456789012'],
      ]) {
        const r = await run('env', [...flags, ...args], envCredentials, repo);
        expect({ args, code: r.code }).toEqual({ args, code: 0 });
      }
    }
    const debugPlan = await run('env', ['--debug', 'plan'], envCredentials, repo);
    // the debug log did run: it says where credentials came from, never what they are
    expect(debugPlan.stderr).toMatch(/debug: /);
    await run('env', ['--debug', 'teardown', '--yes'], envCredentials, repo);
    expectNoLeaks(repo);
  });

  it('a profile secret from AWS_SHARED_CREDENTIALS_FILE stays out of every output', async () => {
    const { repo, env } = canaryProfileRepo('secrets_profile');
    for (const flags of [[], ['--debug'], ['--json']]) {
      for (const args of [['plan'], ['apply', '--yes'], ['list', 'entities'], ['teardown', '--yes']]) {
        expect((await run('profile', [...flags, ...args], env, repo)).code).toBe(0);
      }
    }
    expectNoLeaks(repo);
  });

  it.each([
    ['ValidationException', 400, 'dynamo.failed'],
    ['UnrecognizedClientException', 400, 'dynamo.credentials'],
    ['AccessDeniedException', 400, 'dynamo.accessDenied'],
    ['InternalServerError', 500, 'dynamo.failed'],
  ] as const)('a server echoing the signed request in a %s is not repeated, even with --debug', async (type, status, code) => {
    const repo = makeRepo({ project: 'secrets_echo', endpoint: proxy.endpoint, dynafeastBlock: roleBlock });
    const seenTokens = new Set<string>();
    await whileAnswering(
      ({ headers }) => {
        const token = String(headers['x-amz-security-token']);
        seenTokens.add(token);
        return {
          status,
          type: `com.amazonaws.dynamodb.v20120810#${type}`,
          message: `request rejected: authorization=${String(headers.authorization)} x-amz-security-token=${token} token ${token}`,
        };
      },
      async () => {
        for (const flags of [[], ['--debug'], ['--json'], ['--debug', '--json']]) {
          const r = await run('echo', [...flags, 'plan'], { ...envCredentials, AWS_MAX_ATTEMPTS: '1' }, repo);
          expect(r.code).toBe(1);
          if (flags.includes('--json') && !flags.includes('--debug')) expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code } });
          if (!flags.includes('--debug')) expect(r.stderr).not.toMatch(STACK_FRAME);
        }
      },
    );
    // the canary really went over the wire and came back in the error
    expect([...seenTokens]).toEqual([CANARY.token]);
    expectNoLeaks(repo);
  });

  it("a profile's session token echoed in a canonical request (as AWS's InvalidSignatureException does) is not repeated", async () => {
    const { repo, env: profileEnv } = canaryProfileRepo('secrets_echo_profile');
    await whileAnswering(
      ({ headers }) => ({
        status: 400,
        type: 'com.amazon.coral.service#InvalidSignatureException',
        message:
          "The request signature we calculated does not match the signature you provided.\n\nThe Canonical String for this request should have been\n'POST\n/\n\n" +
          `host:127.0.0.1\nx-amz-date:20250101T000000Z\nx-amz-security-token:${String(headers['x-amz-security-token'])}\n` +
          `x-amz-target:DynamoDB_20120810.DescribeTable\n'\n${String(headers.authorization)}`,
      }),
      async () => {
        for (const flags of [[], ['--debug'], ['--json']]) {
          expect((await run('profile echo', [...flags, 'plan'], profileEnv, repo)).code).toBe(1);
        }
      },
    );
    expectNoLeaks(repo);
  });

  it('config errors on ${VAR}-expanded values never echo the value', async () => {
    const repo = makeRepo({
      project: 'secrets_config',
      endpoint: proxy.endpoint,
      onlineStoreLines: ['  batch_size: ${CANARY_VALUE}', '  read_timeout: "${CANARY_VALUE}"'],
    });
    const env = { ...envCredentials, CANARY_VALUE: CANARY.configValue };
    for (const flags of [[], ['--debug'], ['--json']]) {
      const r = await run('config', [...flags, 'validate'], env, repo);
      expect(r.code).toBe(2);
      expect(r.stderr + r.stdout).toContain('batch_size');
    }
    const unknownKey = makeRepo({ project: 'secrets_unknown', endpoint: proxy.endpoint, onlineStoreLines: ['  secret_token: ${CANARY_VALUE}'] });
    for (const flags of [[], ['--debug'], ['--json']]) expect((await run('unknown key', [...flags, 'plan'], env, unknownKey)).code).toBe(2);
    expectNoLeaks(repo);
    expectNoLeaks(unknownKey);
  });

  it('FEATURE_STORE_YAML_BASE64 holding a secret is never echoed when it is bad', async () => {
    const repo = makeRepo({ project: 'secrets_b64', endpoint: proxy.endpoint });
    const yaml = featureStoreYaml({ project: 'secrets_b64', endpoint: proxy.endpoint }) + `bogus_secret_key: ${CANARY.configValue}\n  : broken: [\n`;
    for (const value of [Buffer.from(yaml).toString('base64'), `${CANARY.configValue}!!`]) {
      for (const flags of [[], ['--debug'], ['--json']]) {
        expect((await run('base64', [...flags, 'validate'], { FEATURE_STORE_YAML_BASE64: value }, repo)).code).toBe(2);
      }
    }
    expectNoLeaks(repo);
  });

  it('real AWS with an assumed role and external id: the failure path prints no secret', async () => {
    const repo = makeRepo({ project: 'secrets_aws', endpoint: 'unused', dynafeastBlock: roleBlock });
    // no endpoint_url: the regional AWS endpoint, which this machine may not reach
    writeFileSync(
      path.join(repo, 'feature_store.yaml'),
      featureStoreYaml({ project: 'secrets_aws', endpoint: 'x', dynafeastBlock: roleBlock })
        .replace(/ {2}endpoint_url: .*\n/, '  region: eu-west-3\n')
        .replace('  region: us-east-1\n', ''),
    );
    for (const flags of [[], ['--debug'], ['--json']]) {
      const r = await run('aws', [...flags, 'plan'], { ...envCredentials, AWS_MAX_ATTEMPTS: '1' }, repo);
      expect(r.code).toBe(1);
    }
    expectNoLeaks(repo);
  });

  it('${VAR}-expanded tag values, even an AWS secret, stay out of plan, apply, --debug, --json and echoed errors, unless --show-env-values', async () => {
    const tags = ['  tags:', '    owner: "team-${CANARY_TAG}"', '    leaked_key: "${AWS_SECRET_ACCESS_KEY}"', '    plain: "${CANARY_TAG}"'];
    const repo = makeRepo({ project: 'secrets_tags', endpoint: proxy.endpoint, onlineStoreLines: tags });
    const env = { ...envCredentials, CANARY_TAG: CANARY.tagValue };
    for (const flags of [[], ['--debug'], ['--json'], ['--debug', '--json']]) expect((await run('tags', [...flags, 'plan'], env, repo)).code).toBe(0);
    // a server that echoes the request (tags included) in its error
    await whileAnswering(
      ({ action, body }) =>
        action === 'CreateTable'
          ? { status: 400, type: 'com.amazonaws.dynamodb.v20120810#ValidationException', message: `rejected request: ${body}` }
          : undefined,
      async () => {
        for (const flags of [[], ['--debug'], ['--json']]) {
          const r = await run('tags echo', [...flags, 'apply', '--yes'], { ...env, AWS_MAX_ATTEMPTS: '1' }, repo);
          expect(r.code).toBe(1);
          expect(r.stderr).toMatch(/ValidationException/);
        }
      },
    );
    for (const flags of [[], ['--debug'], ['--json']]) expect((await run('tags', [...flags, 'apply', '--yes'], env, repo)).code).toBe(0);
    expectNoLeaks(repo);

    // changed tags: plan shows the stored values (read back from DynamoDB) and the new ones
    const yamlFile = path.join(repo, 'feature_store.yaml');
    writeFileSync(
      yamlFile,
      readFileSync(yamlFile, 'utf8').replace('team-${CANARY_TAG}', 'squad-${CANARY_TAG}').replace('"${AWS_SECRET_ACCESS_KEY}"', '"k-${AWS_SECRET_ACCESS_KEY}"'),
    );
    for (const flags of [[], ['--debug'], ['--json'], ['--debug', '--json']]) {
      const plan = await run('tags changed', [...flags, 'plan'], env, repo);
      expect(plan.code).toBe(0);
      // what was written is shown instead: the variable names say where the values come from
      expect(plan.stdout + plan.stderr).toContain('squad-${CANARY_TAG}');
      expect(plan.stdout + plan.stderr).toContain('k-${AWS_SECRET_ACCESS_KEY}');
    }
    expect((await run('tags changed', ['apply', '--yes'], env, repo)).code).toBe(0);
    expectNoLeaks(repo);

    // the opt-in shows the tag value, never the credentials of the run
    writeFileSync(
      path.join(repo, 'feature_store.yaml'),
      readFileSync(path.join(repo, 'feature_store.yaml'), 'utf8').replace('squad-${CANARY_TAG}', 'crew-${CANARY_TAG}'),
    );
    const shown = await runCli(['-c', repo, '--show-env-values', 'plan'], { cwd: repo, env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`crew-${CANARY.tagValue}`);
    expect(leaks(shown.stdout + shown.stderr).filter((c) => c !== CANARY.tagValue)).toEqual([]);
    await run('tags', ['teardown', '--yes'], env, repo);
    expectNoLeaks(repo);
  });

  it('a session token or bearer token echoed as JSON headers or in any casing is not repeated', async () => {
    const { repo, env: profileEnv } = canaryProfileRepo('secrets_json_echo');
    await whileAnswering(
      ({ headers }) => ({
        status: 400,
        type: 'com.amazonaws.dynamodb.v20120810#ValidationException',
        message: `headers were ${JSON.stringify(headers)}; Authorization: Bearer ${CANARY.profileToken}; X-AMZ-SECURITY-TOKEN=${String(headers['x-amz-security-token'])}`,
      }),
      async () => {
        for (const flags of [[], ['--debug'], ['--json'], ['--debug', '--json']]) {
          expect((await run('json echo', [...flags, 'plan'], { ...profileEnv, AWS_MAX_ATTEMPTS: '1' }, repo)).code).toBe(1);
        }
      },
    );
    expectNoLeaks(repo);
  });
});
