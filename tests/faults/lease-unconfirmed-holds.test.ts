import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { join } from 'node:path';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { STREAM } from '../../pipelines/sources/jetstream.ts';
import { ensureLeaseStream, LEASE_STREAM } from '../../server/lease-stream.ts';
import { LEASE_TTL_MS } from '../../server/lease-settings.ts';
import { shuffled, ticketStream } from '../helpers/events.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { expectExactCounters, until } from './support.ts';

// While its counting lease is unconfirmed, a monitor stores and acknowledges nothing (verify BF
// N0, N1): an unconfirmed holder that went on storing and acking took the messages its successor
// needed, and they were counted on no wall but its own. Here the lease stream disappears under a
// running monitor (its renewals find no stream), the broker keeps delivering, and what it delivers
// waits unacknowledged until a renewal confirms the lease again.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const events = shuffled(ticketStream({ seed: 57, tickets: 400, year: 2025, customers: 120, prefix: 'lu' }), 3);
const half = Math.ceil(events.length / 2);

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN, BATCH_MAX: '200', BATCH_MS: '20', ACK_WAIT_MS: '60000' });
}, 90_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
});

const health = async () => (await getJson(monitor, '/api/health')).body;

describe('faults - the counting lease unconfirmed', () => {
  it('stores and acknowledges nothing until the lease is confirmed again, then counts exactly', async () => {
    await publishEvents(nc, events.slice(0, half));
    await waitConsumed(nc, 'monitor', 60_000);
    await expectExactCounters(monitor, plan, events.slice(0, half));
    const storedBefore = (await health()).events.stored;

    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(LEASE_STREAM);
    await until('the lease unconfirmed', async () => (await health()).lease.confirmed === false, LEASE_TTL_MS + 10_000);

    await publishEvents(nc, events.slice(half));
    // delivered to the monitor, and waiting there unacknowledged
    await until('the new events delivered', async () => {
      const c = await jsm.consumers.info(STREAM, 'monitor');
      return c.num_pending === 0 && c.num_ack_pending > 0;
    }, 30_000);
    const h = await health();
    expect(h.lease.confirmed).toBe(false);
    expect(h.events.stored).toBe(storedBefore);
    await expectExactCounters(monitor, plan, events.slice(0, half));

    await ensureLeaseStream(jsm, LEASE_TTL_MS);
    await until('the lease confirmed again', async () => (await health()).lease.confirmed === true, 60_000);
    await waitConsumed(nc, 'monitor', 60_000);
    expect(monitor.child.exitCode, monitor.output().slice(-2_000)).toBeNull();
    await expectExactCounters(monitor, plan, events);
  }, 180_000);
});
