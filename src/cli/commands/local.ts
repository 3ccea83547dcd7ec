import { serveEmbedded } from '../../core/embedded/index.js';
import { localCredentialsPathOf } from '../../core/embedded/local-credentials.js';
import type { GlobalFlags, LocalFlags } from '../program.js';
import { openConfig } from '../session.js';

/** Serves the embedded DynamoDB until SIGINT/SIGTERM, for Feast Python, the AWS CLI or any SDK. */
export async function runLocal(o: LocalFlags, g: GlobalFlags): Promise<number> {
  const { config, out, logger } = openConfig(g);
  const handle = await serveEmbedded(config, logger, { port: o.port, ...(o.corsOrigin ? { corsOrigin: o.corsOrigin } : {}) });
  // the key's file, never the key itself: terminals end up in logs and screen shares
  const keyFile = localCredentialsPathOf(handle.dataDir);
  if (g.json)
    out.printJson({
      ok: true,
      endpoint: handle.endpoint,
      dataDir: handle.dataDir,
      pid: handle.pid,
      credentialsFile: keyFile,
      accessKeyId: handle.credentials.accessKeyId,
    });
  out.note(`${out.symbols.ok} Embedded DynamoDB for project ${out.color.bold(config.project)} at ${out.color.bold(handle.endpoint)}`);
  out.note(`  data: ${handle.dataDir}`);
  out.note(`  key:  ${keyFile} (requests must be signed with it)`);
  out.note(`  try:  AWS_SHARED_CREDENTIALS_FILE=${keyFile} aws dynamodb list-tables --endpoint-url ${handle.endpoint} --region ${config.onlineStore.region}`);
  out.note(
    `  (Feast Python: the same AWS_SHARED_CREDENTIALS_FILE, with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY unset${o.corsOrigin ? `; CORS allowed for ${o.corsOrigin} only` : ''}; Ctrl-C to stop)`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  out.note(`${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: stopping the embedded DynamoDB`);
  await handle.close();
  return 0;
}
