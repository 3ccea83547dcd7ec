/**
 * A moto server of a suite's own that checks IAM on S3 requests (the S3 tier's shared server does not):
 * moto's server mode authorizes each S3 request by the policies of the access key that signed it (and
 * checks the signature) once `POST /moto-api/reset-auth` sets INITIAL_NO_AUTH_ACTION_COUNT to 0
 * (moto/core/authorization.py, moto/iam/access_control.py). Users, keys and policies are made through
 * boto3, moto's own dependency (the SDK's IAM client is not one of ours); after `enforce()` IAM calls
 * sign with an admin user's keys, made first.
 */
import { spawnSync } from 'node:child_process';
import { startServer, type Server } from './interop-server.js';
import { tempRepoDir } from './temp-dir.js';

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface IamMoto {
  endpoint: string;
  /** The account moto puts every user in (the account of the DynamoDB ARNs a policy names). */
  accountId: string;
  /** A user with exactly `policy` (an IAM policy document) and a fresh access key. */
  createUser(name: string, policy: unknown): AccessKey;
  /** Replaces the user's policy. */
  setPolicy(name: string, policy: unknown): void;
  /** From now on every request must be signed by a known key and allowed by its policies. */
  enforce(): Promise<void>;
  stop(): Promise<void>;
}

const IAM_SCRIPT = `
import boto3, json, sys
endpoint, op, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
key = args.get('signer') or {'accessKeyId': 'testing', 'secretAccessKey': 'testing'}
iam = boto3.client('iam', endpoint_url=endpoint, region_name='us-east-1',
                   aws_access_key_id=key['accessKeyId'], aws_secret_access_key=key['secretAccessKey'])
if op == 'user':
    iam.create_user(UserName=args['name'])
    k = iam.create_access_key(UserName=args['name'])['AccessKey']
    print(json.dumps({'accessKeyId': k['AccessKeyId'], 'secretAccessKey': k['SecretAccessKey']}))
iam.put_user_policy(UserName=args['name'], PolicyName='dynafeast', PolicyDocument=json.dumps(args['policy']))
`;

export async function startIamMoto(): Promise<IamMoto> {
  const server: Server = await startServer('moto', tempRepoDir('dynafeast-moto-iam-'));
  // IAM calls sign with the admin's keys once it exists (they must, after enforce())
  const signer: { admin?: AccessKey } = {};
  const python = (op: 'user' | 'policy', args: Record<string, unknown>): string => {
    const r = spawnSync('python3', ['-c', IAM_SCRIPT, server.endpoint, op, JSON.stringify({ ...args, ...(signer.admin ? { signer: signer.admin } : {}) })], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.status !== 0) throw new Error(`moto IAM ${op} failed (${r.status}): ${r.stderr || r.error?.message}`);
    return r.stdout;
  };
  const createUser = (name: string, policy: unknown) => JSON.parse(python('user', { name, policy })) as AccessKey;
  signer.admin = createUser('dynafeast-test-admin', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
  return {
    endpoint: server.endpoint,
    accountId: '123456789012',
    createUser,
    setPolicy: (name, policy) => void python('policy', { name, policy }),
    async enforce() {
      const res = await fetch(`${server.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
      if (!res.ok) throw new Error(`moto reset-auth answered ${res.status}: ${await res.text()}`);
    },
    stop: () => server.stop(),
  };
}
