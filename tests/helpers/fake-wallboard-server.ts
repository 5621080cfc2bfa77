// Test-only stand-in for the monitor's read side, enough to drive the wall-board page: serves
// web/ at / and the uPlot files at /vendor/ exactly as the real server does, and a real
// WebSocket /ws that sends a scripted snapshot and then whatever the test pushes. It numbers
// messages the way the architecture says: one `seq` sequence for the server's life, a snapshot
// carries the seq of the last message sent before it, so the next live message is seq + 1.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import type { CounterRow } from '../../pipelines/model.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SeriesBody {
  complaintType: string;
  scope: string;
  x: number[];
  allowance: number[];
  actual: (number | null)[];
}

export interface SnapshotBody {
  asOf: string;
  year: number;
  plan: Record<string, unknown>;
  counters: CounterRow[];
  alerts: Record<string, unknown>[];
  series: Record<string, SeriesBody>;
}

export interface FakeWallboardServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /**
   * what the next connection receives first; a function is called as the connection attaches, as
   * the real hub builds its snapshot then: the page learns the server's clock from the snapshot's
   * `asOf`, and one built before a slow page load would put that clock behind by the load time
   */
  setSnapshot(body: SnapshotBody | (() => SnapshotBody)): void;
  /** broadcast with the next seq; returns the seq used */
  send(msg: Record<string, unknown>): number;
  /** broadcast as is (to script a seq gap); does not advance the server's seq */
  sendRaw(msg: Record<string, unknown>): void;
  /** close every open socket from the server side */
  dropClients(code?: number): void;
  /** while false, /ws upgrades are refused with 503 (as a server that is down or restarting) */
  setAccepting(on: boolean): void;
  readonly seq: number;
  readonly openClients: number;
  /** number of WebSocket connections accepted so far */
  readonly connections: number;
  /** `token` query parameter of each accepted connection, in order */
  readonly tokens: (string | undefined)[];
  waitForConnections(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeWallboardServer(initial: SnapshotBody): Promise<FakeWallboardServer> {
  let snapshot: SnapshotBody | (() => SnapshotBody) = initial;
  let seq = 0;
  let accepting = true;
  let connections = 0;
  const tokens: (string | undefined)[] = [];
  const clients = new Set<WebSocket>();

  const app = Fastify({ logger: false });
  await app.register(fastifyWebsocket);
  await app.register(fastifyStatic, { root: `${ROOT}web`, prefix: '/' });

  const vendor: Record<string, string> = {
    'uPlot.iife.min.js': 'application/javascript; charset=utf-8',
    'uPlot.min.css': 'text/css; charset=utf-8',
  };
  for (const [file, type] of Object.entries(vendor)) {
    app.get(`/vendor/${file}`, async (_req, reply) => {
      reply.type(type);
      return readFile(`${ROOT}node_modules/uplot/dist/${file}`);
    });
  }

  // the wall page as a monitor of a given version serves it: its web build in a meta tag (server/web-build.ts)
  app.get('/page-of-build.html', async (req, reply) => {
    const build = String((req.query as Record<string, string | undefined>).build ?? '').replace(/[^\w-]/g, '');
    reply.type('text/html; charset=utf-8');
    return (await readFile(`${ROOT}web/index.html`, 'utf8')).replace('<head>', `<head>\n<meta name="web-build" content="${build}">`);
  });

  app.register(async (scope) => {
    scope.addHook('preValidation', async (_req, reply) => {
      if (!accepting) await reply.code(503).send({ error: 'unavailable' });
    });
    scope.get('/ws', { websocket: true }, (socket, req) => {
      connections += 1;
      tokens.push((req.query as Record<string, string | undefined>).token);
      clients.add(socket);
      socket.on('close', () => clients.delete(socket));
      socket.send(JSON.stringify({ type: 'snapshot', seq, ...(typeof snapshot === 'function' ? snapshot() : snapshot) }));
    });
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no TCP address');

  const broadcast = (msg: Record<string, unknown>) => {
    const text = JSON.stringify(msg);
    for (const c of clients) if (c.readyState === c.OPEN) c.send(text);
  };

  return {
    url: `http://127.0.0.1:${address.port}`,
    setSnapshot(body) {
      snapshot = body;
    },
    send(msg) {
      seq += 1;
      broadcast({ ...msg, seq });
      return seq;
    },
    sendRaw: broadcast,
    dropClients(code = 1012) {
      for (const c of clients) c.close(code, 'restart');
    },
    setAccepting(on) {
      accepting = on;
    },
    get seq() {
      return seq;
    },
    get openClients() {
      return clients.size;
    },
    get connections() {
      return connections;
    },
    get tokens() {
      return tokens;
    },
    async waitForConnections(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (connections < n) {
        if (Date.now() > until) throw new Error(`expected ${n} connections, saw ${connections}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      for (const c of clients) c.terminate();
      await app.close();
    },
  };
}
