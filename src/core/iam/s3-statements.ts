/**
 * The S3 part of a policy (architecture.md §4.6), derived like the DynamoDB part from what the code
 * calls: the registry object when `registry:` is `s3://` (every command reads it; apply, materialize and
 * teardown write it), and the objects of each `s3://` source of an online view (materialize reads them).
 * Exact ARNs; ListBucket only with the one `s3:prefix` each listing sends (source-reader lists exactly
 * `planS3Path(key).listPrefix`; the registry read asks for its own key, which lets a missing registry
 * read as "none yet" instead of 403).
 */
import type { RepoConfig } from '../config/types.js';
import type { RepoModel } from '../repo/model.js';
import { planS3Path } from '../s3/s3-dataset.js';
import { isS3Uri, parseS3Uri, type S3Uri } from '../s3/s3-uri.js';
import { escapeIamResource } from './arn.js';
import type { PolicyStatement } from './build-policy.js';
import type { IamCommand } from './commands.js';

const REGISTRY_WRITERS: readonly IamCommand[] = ['apply', 'materialize', 'teardown'];

interface S3Access {
  get: Set<string>;
  put: Set<string>;
  /** bucket → the prefixes ListObjectsV2 is sent with */
  list: Map<string, Set<string>>;
}

const objectArn = (partition: string, bucket: string, key: string) => `arn:${partition}:s3:::${bucket}/${escapeIamResource(key)}`;

function accessOf(command: IamCommand, config: RepoConfig, repo: RepoModel, partition: string): S3Access {
  const a: S3Access = { get: new Set(), put: new Set(), list: new Map() };
  const list = (u: S3Uri, prefix: string) => {
    const set = a.list.get(u.bucket) ?? new Set<string>();
    set.add(prefix);
    a.list.set(u.bucket, set);
  };
  if (isS3Uri(config.registry)) {
    const u = parseS3Uri(config.registry, { what: 'registry', field: 'registry' });
    a.get.add(objectArn(partition, u.bucket, u.key));
    list(u, u.key);
    if (REGISTRY_WRITERS.includes(command)) a.put.add(objectArn(partition, u.bucket, u.key));
  }
  if (command === 'materialize') {
    const used = new Set(repo.featureViews.filter((v) => v.online).map((v) => v.source));
    for (const s of repo.sources) {
      if (!used.has(s.name) || s.type !== 'file' || !isS3Uri(s.path)) continue;
      const u = parseS3Uri(s.path, { what: `source "${s.name}": path`, field: `sources.${s.name}.path` });
      const plan = planS3Path(u.key);
      // an object path is read as the object, or as a folder when there is none by that name
      if (plan.kind === 'object-or-prefix') a.get.add(objectArn(partition, u.bucket, u.key));
      a.get.add(`${objectArn(partition, u.bucket, plan.listPrefix)}*`);
      list(u, plan.listPrefix);
    }
  }
  return a;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The S3 statements of `command` (none when neither the registry nor a source is in S3). */
export function s3StatementsOf(command: IamCommand, config: RepoConfig, repo: RepoModel, partition: string): PolicyStatement[] {
  const a = accessOf(command, config, repo, partition);
  const out: PolicyStatement[] = [];
  const sid = `${pascal(command)}S3`;
  if (a.get.size > 0) out.push({ Sid: `${sid}Read`, Effect: 'Allow', Action: ['s3:GetObject'], Resource: [...a.get].sort() });
  if (a.put.size > 0) out.push({ Sid: `${sid}WriteRegistry`, Effect: 'Allow', Action: ['s3:PutObject'], Resource: [...a.put].sort() });
  let i = 0;
  for (const [bucket, prefixes] of [...a.list].sort(([x], [y]) => x.localeCompare(y))) {
    out.push({
      Sid: `${sid}List${i++ === 0 ? '' : i}`,
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: [`arn:${partition}:s3:::${bucket}`],
      Condition: { StringEquals: { 's3:prefix': [...prefixes].sort() } },
    });
  }
  return out;
}
