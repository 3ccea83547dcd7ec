/**
 * `dynafeast get-online-features`: features by `-f view:feature` or `--feature-service`, entities by
 * `-e key=value` or `--entities-file`, printed as Feast's to_dict() JSON (or jsonl, csv, a table).
 */
import path from 'node:path';
import { systemClock } from '../../core/context.js';
import { DynafeastError } from '../../core/errors.js';
import { parseEntityFlags, readEntityFile } from '../../core/online/entity-input.js';
import { createReadSender } from '../../core/online/transport.js';
import { OnlineReader } from '../../core/online/read-online.js';
import type { EntityRows } from '../../core/online/types.js';
import type { GetOnlineFeaturesFlags, GlobalFlags } from '../program.js';
import { renderOnline, type OnlineOutput } from '../render-online.js';
import { openAwsSession } from '../session.js';

function outputOf(o: GetOnlineFeaturesFlags, g: GlobalFlags): OnlineOutput {
  if (g.json && o.output !== undefined && o.output !== 'json') {
    throw new DynafeastError('usage.badFlag', `--json prints JSON; it cannot be combined with --output ${o.output}`, {
      hint: 'drop --json to get csv, jsonl or a table',
    });
  }
  return o.output ?? 'json';
}

function entityRowsOf(o: GetOnlineFeaturesFlags): EntityRows {
  if (o.entitiesFile !== undefined && o.entities.length > 0) {
    throw new DynafeastError('usage.badFlag', 'give entities either with -e/--entities or with --entities-file, not both', {
      hint: 'put every row in the file, or pass them all with -e',
    });
  }
  if (o.entitiesFile !== undefined) return readEntityFile(path.resolve(o.entitiesFile));
  if (o.entities.length === 0) {
    throw new DynafeastError('usage.badFlag', 'no entities given', {
      hint: 'pass -e driver_id=1001 (repeat for more rows) or --entities-file rows.csv',
    });
  }
  return parseEntityFlags(o.entities);
}

export async function runGetOnlineFeatures(o: GetOnlineFeaturesFlags, g: GlobalFlags): Promise<number> {
  const format = outputOf(o, g);
  const entityRows = entityRowsOf(o);
  const features = o.features.length > 0 ? o.features : undefined;
  const s = await openAwsSession(g);
  const sender = createReadSender(s.config, s.aws);
  try {
    const reader = new OnlineReader({
      config: s.config,
      repo: s.repo,
      send: sender.send,
      clock: systemClock,
      endpoint: s.aws.endpoint,
    });
    const result = await reader.read({ features, featureService: o.featureService, entityRows, fullFeatureNames: o.fullFeatureNames });
    renderOnline(result, format, { includeStatus: o.withStatus, includeEventTimestamps: o.includeEventTimestamps }, s.out);
  } finally {
    sender.close();
    await s.close();
  }
  return 0;
}
