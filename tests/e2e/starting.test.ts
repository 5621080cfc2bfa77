import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { ROOT, startMonitor, waitHealthy, type MonitorProcess } from '../helpers/monitor-process.ts';

// A monitor restarting over a store of 500,000 events takes a couple of seconds to read them
// back; its port says so meanwhile (503, "starting", the phase) instead of refusing connections.

let nats: TestNats;
let monitor: MonitorProcess | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'cewm-data-'));

beforeAll(async () => {
  nats = await startTestNats();
  // the rebuild benchmark's bulk load: rows of the pipeline's shape, made inside the engine
  execFileSync(process.execPath, ['--import', 'tsx', 'bench/load.ts', dataDir, '500000'], { cwd: ROOT, stdio: 'ignore' });
}, 120_000);

afterAll(async () => {
  await monitor?.kill();
  await nats.cleanup();
});

describe('starting', () => {
  it('answers 503 "starting" with the phase while it reads the store back, then serves', async () => {
    monitor = await startMonitor({ NATS_URL: nats.url, DATA_DIR: dataDir }, { waitHealthy: false });
    const seen: Array<{ status: number; body: { status?: string; phase?: string } }> = [];
    const deadline = Date.now() + 150_000; // reading 500,000 events back takes seconds idle, a minute on a loaded machine
    let slowestMs = 0; // an answer, any answer, once the port is open
    let derivedAtReady: string | undefined;
    while (Date.now() < deadline) {
      const asked = performance.now();
      const res = await fetch(`${monitor.baseUrl}/api/health`).catch(() => undefined);
      if (res) {
        const body = (await res.json()) as { status?: string; phase?: string };
        slowestMs = Math.max(slowestMs, performance.now() - asked);
        seen.push({ status: res.status, body });
        if (body.status === 'ok') {
          await new Promise((r) => setTimeout(r, 100)); // its log, on another pipe
          derivedAtReady = monitor.output().match(/"alerts":(\d+),"open":\d+,"msg":"alert engine started"/)?.[1];
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    // the year's alerts (~18,000 here) derive in slices: the port kept answering, and was ready
    // only once they were derived (audit CO1: in one go, nothing answered for 25–55 s over 3 M events)
    expect(slowestMs).toBeLessThan(2_000);
    expect(Number(derivedAtReady)).toBeGreaterThan(1_000);
    const starting = seen.filter((s) => s.body.phase !== undefined);
    expect(starting.length).toBeGreaterThan(0);
    expect(starting.every((s) => s.status === 503 && s.body.status === 'starting')).toBe(true);
    expect(starting[0]!.body.phase).toBe('reading the stored events back into the counters');
    // then the monitor itself answers, with its counters rebuilt from the store
    await waitHealthy(monitor);
    const health = (await (await fetch(`${monitor.baseUrl}/api/health`)).json()) as { events: { rebuilt: number } };
    expect(health.events.rebuilt).toBeGreaterThan(0);
  }, 240_000);

  it('a SIGTERM while it derives the alerts stops it cleanly: exit 0, the lease released, a successor starts at once', async () => {
    await monitor!.kill();
    const m = (monitor = await startMonitor({ NATS_URL: nats.url, DATA_DIR: dataDir }, { waitHealthy: false }));
    const deadline = Date.now() + 150_000;
    let phase: string | undefined;
    while (Date.now() < deadline && !/deriving/.test(phase ?? '')) {
      const res = await fetch(`${m.baseUrl}/api/health`).catch(() => undefined);
      phase = res ? ((await res.json()) as { phase?: string }).phase : undefined;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(phase).toMatch(/deriving/);
    // verify CS1: the signals were heard only once the monitor was ready; the process was
    // killed outright, holding the lease until its expiry (a successor was refused, exit 75)
    const exited = new Promise<[number | null, string | null]>((r) => m.child.once('exit', (code, signal) => r([code, signal])));
    m.child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
    expect(m.output()).toMatch(/"signal":"SIGTERM","msg":"stopping"/);
    monitor = await startMonitor({ NATS_URL: nats.url, DATA_DIR: dataDir }, { waitHealthy: false });
    await waitHealthy(monitor, 150_000);
  }, 300_000);

  it('a second monitor on the same data directory is refused at start, saying why', async () => {
    const second = await startMonitor({ NATS_URL: nats.url, DATA_DIR: dataDir }, { waitHealthy: false });
    const code = await new Promise<number | null>((r) => (second.child.exitCode !== null ? r(second.child.exitCode) : second.child.once('exit', r)));
    expect(code).toBe(1);
    expect(second.output()).toMatch(/Only one process may open a data directory: is another monitor .* running on this DATA_DIR\?/);
    expect((await fetch(`${monitor!.baseUrl}/api/health`)).status).toBe(200); // the first one is unharmed
  });
});
