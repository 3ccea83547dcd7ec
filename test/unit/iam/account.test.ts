import { DynamoDBClient, DescribeContinuousBackupsCommand, ListTagsOfResourceCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { resolveAccount } from '../../../src/core/iam/account.js';
import { partitionOf } from '../../../src/core/iam/arn.js';
import { probeEndpointSupport } from '../../../src/core/plan/introspect.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const sts = new STSClient({ region: 'us-east-1', credentials });
const stsMock = mockClient(sts);
afterEach(() => stsMock.reset());

describe('resolveAccount', () => {
  it('takes --account-id as given, without asking STS', async () => {
    await expect(resolveAccount({ accountId: '123456789012', sts: () => sts })).resolves.toEqual({ accountId: '123456789012' });
    expect(stsMock.calls()).toHaveLength(0);
  });

  it('rejects an --account-id that is not 12 digits', async () => {
    await expect(resolveAccount({ accountId: '12345', sts: () => sts })).rejects.toMatchObject({ code: 'usage.badFlag', path: '--account-id' });
  });

  it('asks STS otherwise, and takes the partition from the caller ARN', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '210987654321', Arn: 'arn:aws-us-gov:sts::210987654321:assumed-role/ci/run', UserId: 'x' });
    await expect(resolveAccount({ sts: () => sts })).resolves.toEqual({
      accountId: '210987654321',
      partition: 'aws-us-gov',
      callerArn: 'arn:aws-us-gov:sts::210987654321:assumed-role/ci/run',
    });
  });

  it('a failing STS call says to pass --account-id (exit 1, not a usage error)', async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const err = await resolveAccount({ sts: () => sts }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'iam.accountUnknown', kind: 'runtime' });
    expect((err as { hint: string }).hint).toMatch(/--account-id/);
    expect((err as Error).message).toMatch(/CredentialsProviderError/);
  });
});

describe('partitionOf', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-central-2', 'aws'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eusc-de-east-1', 'aws-eusc'],
  ])('%s → %s', (region, partition) => expect(partitionOf(region)).toBe(partition));
});

// NOTE: plan probes a custom endpoint (endpoint_url or the embedded store) for UpdateTimeToLive and
// DescribeContinuousBackups on a table name that cannot exist. The policy does not allow that name, so
// behind an endpoint_url that is really AWS (a VPC or FIPS endpoint) the probes are denied: that must
// still read as "supported", or plan would skip TTL and PITR against AWS.
describe('endpoint probes under a least-privilege policy', () => {
  it('AccessDenied on the probe table means the operation exists', async () => {
    const dynamo = new DynamoDBClient({ region: 'us-east-1', credentials });
    const mock = mockClient(dynamo);
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    mock.on(UpdateTimeToLiveCommand).rejects(denied);
    mock.on(DescribeContinuousBackupsCommand).rejects(denied);
    mock.on(ListTagsOfResourceCommand).rejects(denied);
    await expect(probeEndpointSupport({ dynamo })).resolves.toEqual({ updateTimeToLive: true, continuousBackups: true, tagging: true, emulator: true });
    expect(
      mock.calls().map((c) => {
        const input = c.args[0].input as { TableName?: string; ResourceArn?: string };
        return input.TableName ?? input.ResourceArn;
      }),
    ).toEqual([expect.stringMatching(/^dynafeast-probe-/), expect.stringMatching(/^dynafeast-probe-/), expect.stringMatching(/:table\/dynafeast-probe-/)]);
    mock.restore();
  });
});
