import { request, Agent } from 'node:http';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { endConnectionsOnceClosing } from './close-connections.ts';

// Verify CV1: a request in flight when the stop closed the app kept its keep-alive connection
// open after its answer, and the close waited for the client to let go (10 s at a stop).

const PORT = 63610; // this fixer's range

describe('closing the app with a request in flight on a kept-alive connection', () => {
  it('the answer ends the connection and the close completes at once', async () => {
    const app = Fastify({ logger: false });
    endConnectionsOnceClosing(app);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const inHandler = new Promise<void>((r) => (arrived = r));
    app.get('/slow', async () => {
      arrived();
      await released;
      return { ok: true };
    });
    await app.listen({ port: PORT, host: '127.0.0.1' });
    // a client that keeps its connections, as browsers and fetch do
    const agent = new Agent({ keepAlive: true });
    try {
      const answer = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: PORT, path: '/slow', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
        });
        req.on('error', reject);
        req.end();
      });
      await inHandler;
      const startedAt = Date.now();
      const closed = app.close().then(() => Date.now() - startedAt);
      await new Promise((r) => setTimeout(r, 50));
      release();
      const answered = await answer;
      const ms = await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r('still open after 3 s'), 3_000))]);
      expect(ms).toBeTypeOf('number');
      expect(answered).toEqual({ status: 200, connection: 'close' });
    } finally {
      agent.destroy();
      await app.close();
    }
  });
});
