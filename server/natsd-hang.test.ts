import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { afterProbe, greets, probeEveryMs, type HangWatch } from './natsd-hang.ts';
import { freePort, keepLocalNats, processAlive, startLocalNats } from './natsd.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeze } from '../tests/helpers/freeze.ts';

describe('hang watch - the decision', () => {
  const fresh: HangWatch = { failures: 0 };
  it('calls the broker hung only after hangMs of failed probes, and at least three of them', () => {
    let w = fresh;
    const seen: boolean[] = [];
    for (const t of [0, 5_000, 10_000, 20_000, 30_000, 35_000]) {
      const r = afterProbe(w, false, t, 30_000);
      w = r.watch;
      seen.push(r.hung);
    }
    expect(seen).toEqual([false, false, false, false, true, true]);
    expect(afterProbe(fresh, false, 0, 0).hung).toBe(false); // one probe is no evidence, however long
  });
  it('forgets the failures at the first greeting', () => {
    const failing = afterProbe(afterProbe(fresh, false, 0, 30_000).watch, false, 29_000, 30_000).watch;
    const greeted = afterProbe(failing, true, 29_500, 30_000).watch;
    expect(greeted).toEqual({ failures: 0 });
    expect(afterProbe(greeted, false, 60_000, 30_000)).toEqual({ watch: { failingSinceMs: 60_000, failures: 1 }, hung: false });
  });
  it('probes every quarter of hangMs, between 200 ms and 5 s', () => {
    expect([probeEveryMs(30_000), probeEveryMs(4_000), probeEveryMs(100)]).toEqual([5_000, 1_000, 200]);
  });
});

describe('hang watch - the probe, against a real nats-server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cewm-hang-'));
  const servers: Server[] = [];
  afterAll(() => {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a running broker greets; a stopped one (SIGSTOP) does not, though its port still accepts; resumed, it greets again', async () => {
    const nats = await startLocalNats({ storeDir: join(dir, 'nats'), port: await freePort() });
    try {
      expect(await greets(nats.port, 2_000)).toBe(true);
      await freeze(nats.process.pid);
      expect(await greets(nats.port, 500)).toBe(false);
      nats.process.kill('SIGCONT');
      expect(await greets(nats.port, 5_000)).toBe(true);
    } finally {
      nats.process.kill('SIGCONT');
      await nats.stop();
    }
  }, 30_000);

  it('nothing listening, or something that is not a nats-server: no greeting', async () => {
    expect(await greets(await freePort(), 1_000)).toBe(false);
    const http = createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    servers.push(http);
    const port = await freePort();
    await new Promise<void>((r) => http.listen(port, '127.0.0.1', r));
    expect(await greets(port, 1_000)).toBe(false);
  });
});

// Verify AH 3: during a stop the monitor waits up to 5 s for a hung broker to answer its drain;
// the watch went on meanwhile and killed and started the broker again.
describe('hang watch - a stop begun', () => {
  it('probes no more once stopWatching is called: a hung broker is left to the stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cewm-hang-stop-'));
    const kept = await keepLocalNats({ storeDir: join(dir, 'nats'), port: await freePort(), log: { info() {}, error() {} }, hangMs: 1_000 });
    const pid = kept.process.pid!;
    try {
      kept.stopWatching();
      await freeze(pid);
      await new Promise((r) => setTimeout(r, 3_000)); // three hang periods
      expect([kept.restarts(), processAlive(pid)]).toEqual([0, true]);
    } finally {
      process.kill(pid, 'SIGCONT');
      await kept.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
