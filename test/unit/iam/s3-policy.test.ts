import { buildIamPolicy } from '../../../src/core/iam/build-policy.js';
import type { IamCommand } from '../../../src/core/iam/commands.js';
import { makeConfig, makeRepo, makeView } from '../../helpers/plan-fixtures.js';

const arn = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };

function policy(commands: IamCommand[], registry: string, sourcePath: string) {
  const repo = makeRepo([makeView('driver_hourly_stats')]);
  repo.sources = repo.sources.map((s) => ({ ...s, path: sourcePath }));
  return buildIamPolicy({ config: { ...makeConfig(), registry }, repo, registry: undefined, commands, arn }).document.Statement;
}

const s3Of = (statements: ReturnType<typeof policy>) => statements.filter((s) => s.Action.some((a) => a.startsWith('s3:')));

describe('iam-policy S3 statements', () => {
  it('materialize reads the source prefix and the registry, writes the registry, lists only the prefixes it sends', () => {
    const s = s3Of(policy(['materialize'], 's3://team-feast/prod/registry.pb', 's3://team-data/stats/day=*/*.parquet'));
    expect(s).toEqual([
      {
        Sid: 'MaterializeS3Read',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: ['arn:aws:s3:::team-data/stats/day=*', 'arn:aws:s3:::team-feast/prod/registry.pb'],
      },
      { Sid: 'MaterializeS3WriteRegistry', Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::team-feast/prod/registry.pb'] },
      {
        Sid: 'MaterializeS3List',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: ['arn:aws:s3:::team-data'],
        Condition: { StringEquals: { 's3:prefix': ['stats/day='] } },
      },
      {
        Sid: 'MaterializeS3List2',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: ['arn:aws:s3:::team-feast'],
        Condition: { StringEquals: { 's3:prefix': ['prod/registry.pb'] } },
      },
    ]);
  });

  it('read only reads the registry; a local registry and local sources add nothing', () => {
    const read = s3Of(policy(['read'], 's3://team-feast/registry.pb', 's3://team-data/stats/'));
    expect(read.flatMap((s) => s.Action).sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(read[0]?.Resource).toEqual(['arn:aws:s3:::team-feast/registry.pb']);
    expect(s3Of(policy(['apply', 'materialize', 'teardown', 'read', 'plan'], 'data/registry.db', 'data/x.parquet'))).toEqual([]);
  });

  it('escapes IAM wildcard characters of a key, so an odd key matches only itself', () => {
    const s = s3Of(policy(['materialize'], 'data/registry.db', 's3://team-data/a$b.parquet'));
    expect(s[0]?.Resource).toEqual(['arn:aws:s3:::team-data/a${$}b.parquet', 'arn:aws:s3:::team-data/a${$}b.parquet/*']);
  });
});
