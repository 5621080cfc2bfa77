import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalNats } from '../../server/natsd.ts';
import { PORT_TAKEN } from './nats.ts';
import { startMonitorOnce } from './monitor-process.ts';

// The helpers take a free port and start a process on it; another test file's process can take
// the port in between (two files run at once). They then start again on another port: this holds
// their reading of "the port was taken" to what the real nats-server and monitor say.

let blocker: Server;
const sockets: Socket[] = [];
let port: number;
const dir = mkdtempSync(join(tmpdir(), 'cewm-port-taken-'));

beforeAll(async () => {
  // takes connections and answers none (as a stranger's process might)
  blocker = createServer((socket) => sockets.push(socket));
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  port = (blocker.address() as { port: number }).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => blocker.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('test helpers - a port taken before the process binds it', () => {
  it("nats-server's refusal is recognised", async () => {
    const err = await startLocalNats({ storeDir: join(dir, 'nats'), port }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(PORT_TAKEN);
  }, 30_000);

  it("the monitor's refusal is recognised, before it has touched a broker", async () => {
    const m = await startMonitorOnce({ NATS_URL: 'nats://127.0.0.1:1', DATA_DIR: join(dir, 'data') }, {}, port);
    expect(m.portTaken).toBe(true);
  }, 60_000);
});
