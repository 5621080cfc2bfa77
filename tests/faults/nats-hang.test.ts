import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream } from '@nats-io/jetstream';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { LEASE_EXIT_CODE, LEASE_SUBJECT_PREFIX, LEASE_TTL_MS } from '../../server/lease.ts';
import { shuffled, ticketStream } from '../helpers/events.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { expectExactCounters, until } from './support.ts';

// Audit AB F1: a broker that hangs (SIGSTOP: a stalled disk, a paused VM) keeps its TCP
// connections open, so the monitor sees no disconnect, only renewals of its counting lease that
// get no answer. Longer than the lease's lifetime, that once made the monitor exit with code 75
// and stay gone after the broker recovered. Unanswered is no sign of another holder: the monitor
// must stay, say so in health, count nothing meanwhile and resume by itself. A renewal answered
// with another holder must still end it (exit 75).

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const events = shuffled(ticketStream({ seed: 33, tickets: 800, year: 2025, customers: 200, prefix: 'nh' }), 3);
const half = Math.floor(events.length / 2);

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;

const exitCode = (m: MonitorProcess) => new Promise<number | null>((r) => (m.child.exitCode !== null ? r(m.child.exitCode) : m.child.once('exit', (code) => r(code))));
const alive = (m: MonitorProcess) => m.child.exitCode === null && m.child.signalCode === null;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN, BATCH_MAX: '200', BATCH_MS: '20', ACK_WAIT_MS: '3000' });
}, 90_000);

afterAll(async () => {
  nats?.resume();
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
});

describe('faults - nats-server hangs longer than the counting lease', () => {
  it('stays up with the lease unconfirmed while the broker hangs, then consumes again by itself, counters exact', async () => {
    await publishEvents(nc, events.slice(0, half));
    await waitConsumed(nc, 'monitor');
    const before = (await getJson(monitor, '/api/health')).body;
    expect(before.lease).toMatchObject({ status: 'held', confirmed: true });

    await nats.pause();
    // Unconfirmed for twice the lease's lifetime: well past the point where the old monitor, its
    // first renewal timing out at most two renewals after the last confirmation, had exited.
    const hung = await until(
      'the lease unconfirmed for twice its lifetime, or the monitor gone',
      async () => {
        // (the old monitor's stop waited on the hung broker a while before the process ended)
        if (!alive(monitor) || monitor.output().includes(`exits with code ${LEASE_EXIT_CODE}`)) return { exited: monitor.child.exitCode ?? 'exiting' };
        const { body } = await getJson(monitor, '/api/health');
        return body.lease.confirmed === false && Date.now() - Date.parse(body.lease.confirmedAt) > 2 * LEASE_TTL_MS && body;
      },
      90_000,
    );
    expect(hung.exited, `the monitor stopped while the broker hung:\n${monitor.output().slice(-1_500)}`).toBeUndefined();
    expect(alive(monitor)).toBe(true);
    expect(hung.status).toBe('degraded');
    expect(hung.reasons).toContain('counting lease unconfirmed: broker not answering');
    expect(hung.lease).toMatchObject({ status: 'held', confirmed: false, message: 'counting lease unconfirmed: broker not answering' });
    expect(hung.events.received).toBe(before.events.received); // nothing consumed meanwhile
    expect(hung.consuming).toBe(false);
    // the wall is told the pipeline is not reading (its "未在读取事件流" stall line)
    const ws = new WebSocket(`${monitor.baseUrl.replace('http', 'ws')}/ws?view=wall`); // the wall's feed: heartbeats
    const heartbeat = await new Promise<any>((resolve, reject) => {
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data));
        if (frame.type === 'heartbeat') resolve(frame);
      });
      ws.on('error', reject);
    }).finally(() => ws.close());
    expect(heartbeat.pipeline).toMatchObject({ consuming: false, nats: 'connected' });
    expect(await (await fetch(`${monitor.baseUrl}/metrics`)).text()).toMatch(/^Consuming 0$/m);

    nats.resume();
    await publishEvents(nc, events.slice(half));
    await waitConsumed(nc, 'monitor', 120_000);
    const after = await until('health ok with the lease confirmed again', async () => {
      const { status, body } = await getJson(monitor, '/api/health');
      return status === 200 && body.status === 'ok' && body.lease.confirmed === true && body;
    });
    expect(after.events.received).toBeGreaterThan(before.events.received);
    expect(monitor.output()).toContain('the broker answers again: counting lease confirmed');
    await expectExactCounters(monitor, plan, events);
  }, 180_000);

  it('a renewal answered with another holder still stops it: exit code 75, naming the lease', async () => {
    const thief = { host: 'elsewhere', dataDir: '/data/other', pid: 4242, startedAt: new Date().toISOString(), instance: 'other-run' };
    await jetstream(nc).publish(`${LEASE_SUBJECT_PREFIX}consumer.monitor`, JSON.stringify({ holder: thief, renewedAt: new Date().toISOString(), ttlMs: LEASE_TTL_MS }));
    expect(await exitCode(monitor)).toBe(LEASE_EXIT_CODE);
    const lost = monitor.output().split('\n').find((l) => l.includes('counting lease lost'));
    expect(JSON.parse(lost!)).toMatchObject({ level: 50, lease: 'consumer.monitor', holder: { host: 'elsewhere', pid: 4242 }, exitCode: LEASE_EXIT_CODE });
  }, 60_000);
});
