import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAM } from '../../pipelines/sources/jetstream.ts';
import { join } from 'node:path';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { shuffled, ticketStream } from '../helpers/events.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { expectExactCounters, until } from './support.ts';

// The broker dies (SIGKILL) in the middle of the stream and comes back on the same port and
// store: the monitor's consumer must resume by itself, without a restart of the monitor.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const events = shuffled(ticketStream({ seed: 21, tickets: 1500, year: 2025, customers: 300, prefix: 'nr' }), 4);
const third = Math.floor(events.length / 3);

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN, BATCH_MAX: '200', BATCH_MS: '20', ACK_WAIT_MS: '3000' });
}, 90_000);

/** The test's own publisher reconnects too; wait until JetStream answers it with the stream. */
const brokerBack = () => until('JetStream back with the stream', async () => Boolean(await (await jetstreamManager(nc, { timeout: 2_000 })).streams.info(STREAM)), 60_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
});

describe('faults - nats-server restart mid-stream', () => {
  it('resumes consuming by itself after the broker is killed and restarted, counters exact', async () => {
    await publishEvents(nc, events.slice(0, third));
    await until('some events stored', async () => (await getJson(monitor, '/api/health')).body.events.stored > 0);
    await nats.kill();
    await until('the monitor to see the broker gone', async () => (await getJson(monitor, '/api/health')).body.nats.status !== 'connected', 30_000);
    // an outage of a running monitor, not a start: degraded (200) with the reason, never `starting`
    const away = await getJson(monitor, '/api/health');
    expect([away.status, away.body.status]).toEqual([200, 'degraded']);
    // and not consuming at once, not ~12 s later when heartbeats and the lease miss it (audit BE F4)
    expect([away.body.consuming, away.body.nats.status === 'connected']).toEqual([false, false]);
    expect(away.body.reasons.join('\n')).toMatch(/^NATS connection lost since \S+ \((reconnecting|disconnected)\)/m);
    await nats.start();
    await brokerBack();
    await publishEvents(nc, events.slice(third, 2 * third));
    // and once more, while batches are in flight
    await nats.kill();
    await nats.start();
    await brokerBack();
    await publishEvents(nc, events.slice(2 * third));
    await waitConsumed(nc, 'monitor', 120_000);
    await until('the monitor to report ok again', async () => (await getJson(monitor, '/api/health')).body.status === 'ok', 60_000);
    const { body } = await getJson(monitor, '/api/health');
    expect(body.nats.status).toBe('connected');
    await expectExactCounters(monitor, plan, events);
  }, 240_000);
});
