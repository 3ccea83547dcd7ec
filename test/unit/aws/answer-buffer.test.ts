/**
 * The lean transport's reused answer buffer (aws/lean/lean-client.ts): answers of any length, with and
 * without content-length, against a loopback server, each equal to what the server sent.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { AnswerBuffer, createLeanTransport } from '../../../src/core/aws/lean/lean-client.js';

let server: http.Server;
let endpoint: string;
/** What the next request is answered with, and whether with content-length. */
let next: { body: Buffer; sized: boolean } = { body: Buffer.alloc(0), sized: true };

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    const { body, sized } = next;
    res.writeHead(200, sized ? { 'content-length': body.length } : {});
    // in pieces, as a large answer arrives
    for (let at = 0; at < body.length; at += 7_001) res.write(body.subarray(at, at + 7_001));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('gives each answer exactly, in the reused buffer when its length is known, growing it as needed', async () => {
  const transport = createLeanTransport({ endpoint, maxSockets: 1 });
  const into = new AnswerBuffer();
  try {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200_000 }), fc.boolean(), async (bytes, sized) => {
        next = { body: Buffer.from(bytes), sized };
        const answer = await transport.send({ method: 'POST', path: '/', headers: {}, body: '{}', operation: 'Scan', answerInto: into });
        expect(answer.status).toBe(200);
        expect(Buffer.compare(answer.body, next.body)).toBe(0);
        // a known length lands in the reused buffer: the same memory as the buffer's next take
        if (sized && bytes.length > 0) expect(answer.body.buffer).toBe(into.take(1).buffer);
      }),
      { numRuns: 60 },
    );
  } finally {
    transport.close();
  }
});
