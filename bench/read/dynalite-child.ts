/**
 * In-memory dynalite in its own process for the read benchmark (its CPU is not charged to the client):
 * prints `{"port":N}` once listening, stops on SIGTERM.
 */
import { silentLogger } from '../../src/core/context.js';
import { startDynalite } from '../../src/core/embedded/dynalite-server.js';

const server = await startDynalite({ host: '127.0.0.1', port: 0 }, silentLogger);
process.stdout.write(`${JSON.stringify({ port: Number(new URL(server.endpoint).port) })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
