// Child process for the endpoint-gone test: an in-memory dynalite on a free loopback port, in its own
// process so the test can SIGKILL it mid-run like a crashed or stopped server. Prints "endpoint <url>"
// once listening, then "writes <n>" after every 20th BatchWriteItem it receives, so the test kills it
// while a materialize is provably writing.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite');

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const handlers = server.listeners('request');
server.removeAllListeners('request');
let writes = 0;
server.on('request', (req, res) => {
  if (req.headers['x-amz-target'] === 'DynamoDB_20120810.BatchWriteItem' && ++writes % 20 === 0) process.stdout.write(`writes ${writes}\n`);
  for (const handle of handlers) handle.call(server, req, res);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`endpoint http://127.0.0.1:${port}\n`);
});
