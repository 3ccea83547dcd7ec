/**
 * The region written into the aws template. `init` asks no questions (it runs in CI too), so it takes the
 * flag, then the environment the AWS CLI reads, and otherwise writes a placeholder. The placeholder is a
 * real region (us-east-1) with a loud comment rather than something like CHANGE_ME: the file then stays
 * valid for dynafeast and Feast, and `plan` simply shows tables in us-east-1 until it is changed.
 */
import { DynafeastError } from '../errors.js';

export type RegionSource = 'flag' | 'AWS_REGION' | 'AWS_DEFAULT_REGION' | 'placeholder';

export interface ResolvedRegion {
  value: string;
  source: RegionSource;
  /** A YAML comment for the end of the `region:` line. */
  comment: string;
}

export const PLACEHOLDER_REGION = 'us-east-1';

// Every AWS partition's region names fit this; it also keeps the value a plain YAML scalar.
const REGION_RE = /^[a-z]{2}(-[a-z0-9]+)+-[0-9]+$/;

function checked(value: string, source: Exclude<RegionSource, 'placeholder'>): string {
  if (!REGION_RE.test(value)) {
    const where = source === 'flag' ? '--region' : `the ${source} environment variable`;
    throw new DynafeastError(source === 'flag' ? 'usage.badFlag' : 'usage.badArgument', `${where} is "${value}", which is not an AWS region name`, {
      path: source === 'flag' ? '--region' : source,
      hint: 'pass a region such as us-east-1 or eu-west-1',
    });
  }
  return value;
}

export function resolveRegion(flag: string | undefined, env: Record<string, string | undefined>): ResolvedRegion {
  if (flag !== undefined && flag !== '') {
    return { value: checked(flag, 'flag'), source: 'flag', comment: '# from --region' };
  }
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
    const v = env[name];
    if (v !== undefined && v !== '') return { value: checked(v, name), source: name, comment: `# from ${name} when the repo was created` };
  }
  return {
    value: PLACEHOLDER_REGION,
    source: 'placeholder',
    comment: '# PLACEHOLDER: no --region or AWS_REGION was set at init; put the region of your tables here',
  };
}
