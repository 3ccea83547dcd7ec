import { serveEmbedded } from '../../core/embedded/index.js';
import type { GlobalFlags, LocalFlags } from '../program.js';
import { openConfig } from '../session.js';

/** Serves the embedded DynamoDB until SIGINT/SIGTERM, for Feast Python, the AWS CLI or any SDK. */
export async function runLocal(o: LocalFlags, g: GlobalFlags): Promise<number> {
  const { config, out, logger } = openConfig(g);
  const handle = await serveEmbedded(config, logger, { port: o.port });
  if (g.json) out.printJson({ ok: true, endpoint: handle.endpoint, dataDir: handle.dataDir, pid: handle.pid });
  out.note(`${out.symbols.ok} Embedded DynamoDB for project ${out.color.bold(config.project)} at ${out.color.bold(handle.endpoint)}`);
  out.note(`  data: ${handle.dataDir}`);
  out.note(`  try:  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws dynamodb list-tables --endpoint-url ${handle.endpoint} --region ${config.onlineStore.region}`);
  out.note('  (clients need some access key, any will do; Ctrl-C to stop)');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  out.note(`${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: stopping the embedded DynamoDB`);
  await handle.close();
  return 0;
}
