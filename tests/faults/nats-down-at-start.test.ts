import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { ticketStream } from '../helpers/events.ts';
import { getJson, ROOT, startMonitor, waitHealthy, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { expectExactCounters, until } from './support.ts';

// The broker is not there when the monitor starts: the monitor serves /api/health with the
// reason (503, nats connecting), keeps retrying, and consumes once the broker appears.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const events = ticketStream({ seed: 22, tickets: 600, year: 2025, customers: 150, prefix: 'nd' });

let nats: TestNats;
let nc: NatsConnection | undefined;
let monitor: MonitorProcess;

beforeAll(async () => {
  nats = await startTestNats();
  await nats.stop();
}, 30_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
});

describe('faults - nats-server down at monitor start', () => {
  it('waits with a visible status, no crash, then consumes with exact counters', async () => {
    monitor = await startMonitor({ NATS_URL: nats.url, PLAN }, { waitHealthy: false });
    const health = await until('/api/health to answer while NATS is down', async () => {
      const res = await getJson(monitor, '/api/health');
      // the monitor's own health (the port says only "starting" while the store is read back)
      return res.status === 503 && res.body.nats ? res.body : undefined;
    });
    expect(health.status).toBe('starting');
    expect(health.nats.status).toBe('connecting');
    expect(health.nats.error).toMatch(/\S/);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(monitor.child.exitCode).toBeNull();
    expect(monitor.output()).toMatch(/NATS not reachable; retrying/);

    await nats.start();
    await waitHealthy(monitor, 60_000);
    nc = await nats.connect();
    await publishEvents(nc, events);
    await waitConsumed(nc);
    await expectExactCounters(monitor, plan, events);
  }, 180_000);

  // Audit: with alerts to change at start (here the on-call ladder climbs every second) the engine
  // published on NATS, the connection getter threw, and the monitor exited instead of waiting.
  // Since the counting lease, the engine ticks only while the lease is held, so nothing climbs
  // while the broker is down (a monitor across a partition may hold it by then): the monitor
  // waits, and the ladder climbs once the broker is back.
  it('also waits when stored alerts change while the broker is down', async () => {
    expect((await getJson(monitor, '/api/alerts')).body.alerts.length).toBeGreaterThan(0);
    await nc?.close();
    nc = undefined;
    await monitor.kill();
    await nats.stop();
    const climbing = join(mkdtempSync(join(tmpdir(), 'cewm-plan-')), 'plan.yaml');
    writeFileSync(climbing, `${readFileSync(PLAN, 'utf8')}\nalerts:\n  onCall:\n    levels:\n      - { notify: [a], afterMinutes: 0.01 }\n      - { notify: [b], afterMinutes: 0.01 }\n    repeat: 100\n`);
    monitor = await startMonitor({ NATS_URL: nats.url, PLAN: climbing, DATA_DIR: monitor.dataDir, ALERT_TICK_MS: '300' }, { waitHealthy: false });
    await until('/api/health to answer while NATS is down', async () => ((await getJson(monitor, '/api/health')).body.nats ? true : undefined));
    await new Promise((r) => setTimeout(r, 5_000)); // past the start's wait for the broker (3 s)
    expect(monitor.child.exitCode, monitor.output().slice(-2000)).toBeNull();
    const levels = async () => ((await getJson(monitor, '/api/alerts')).body.alerts as Array<{ onCall?: { level: number } }>).map((a) => a.onCall?.level ?? 0);
    const before = Math.max(...(await levels()));
    await nats.start();
    await waitHealthy(monitor, 60_000);
    await expectExactCounters(monitor, plan, events);
    await until('the on-call ladder to climb once the broker is back', async () => Math.max(...(await levels())) > before);
  }, 180_000);
});
