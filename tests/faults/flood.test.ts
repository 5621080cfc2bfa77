import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { join } from 'node:path';
import WebSocket from 'ws';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { STREAM } from '../../pipelines/sources/jetstream.ts';
import { ticketStream } from '../helpers/events.ts';
import { ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { expectExactCounters, rssMbOf, until } from './support.ts';

// 100,000 events in one burst while one wall-board reads and another has stopped reading.
// Backpressure is the broker's: the monitor never holds more than MAX_ACK_PENDING unacknowledged
// messages, so its memory stays bounded however long the queue in the stream. The reading screen
// sees the final counters; the stalled one costs the pipeline nothing (it is dropped once its
// send buffer passes the bound, or simply left behind, never waited for).

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const events = ticketStream({ seed: 31, tickets: 36_000, year: 2025, customers: 5_000, prefix: 'fl' }).slice(0, 100_000);
const MAX_ACK_PENDING = 5_000;
/** loose: the process with the embedded engine idles near 350 MB; unbounded buffering of 100k events would pass this */
const RSS_BOUND_MB = 1_500;

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN, MAX_ACK_PENDING: String(MAX_ACK_PENDING) });
}, 90_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
});

describe('faults - flood', () => {
  it('absorbs 100,000 events in a burst with bounded memory and in-flight messages, counters exact', async () => {
    expect(events).toHaveLength(100_000);
    const url = `ws://127.0.0.1:${monitor.port}/ws`;
    const reader = new WebSocket(url);
    const last = new Map<string, number>();
    type Counter = { complaintType: string; scope: string; unresolvedCustomers: number };
    const take = (c: Counter) => c.scope === 'ALL' && last.set(c.complaintType, c.unresolvedCustomers);
    reader.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as { type: string; counters?: Counter[] } & Partial<Counter>;
      if (m.type === 'counter') take(m as Counter);
      // a reader the hub held back during the burst gets its figures in a catch-up snapshot
      if (m.type === 'snapshot') for (const c of m.counters ?? []) take(c);
    });
    const stalled = new WebSocket(url);
    await Promise.all([reader, stalled].map((s) => new Promise((r) => s.once('open', r))));
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause(); // stops reading

    const jsm = await jetstreamManager(nc);
    let maxRss = 0;
    let maxAckPending = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxRss = Math.max(maxRss, rssMbOf(monitor.child.pid!));
        const info = await jsm.consumers.info(STREAM, 'monitor').catch(() => undefined);
        if (info) maxAckPending = Math.max(maxAckPending, info.num_ack_pending);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const burstStarted = Date.now();
    await publishEvents(nc, events);
    await waitConsumed(nc, 'monitor', 300_000);
    const burstSeconds = (Date.now() - burstStarted) / 1000;
    sampling = false;
    await sampler;

    // Every read of ClickHouse moves the live journal first. The alert engine reads the earlier
    // events of tickets new to its case book (a strict type's); in this burst they arrive in
    // most batches, and one read per batch made ~300 moves (a MergeTree part each). Reads are
    // gathered to one per 250 ms: at most ~4 moves a second from them, plus the journal's own.
    const metrics = await (await fetch(`http://127.0.0.1:${monitor.port}/metrics`)).text();
    const metric = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics)?.[1]);
    expect(metric('Batches_total')).toBeGreaterThan(0);
    expect(metric('JournalMoves_total')).toBeLessThanOrEqual(6 * burstSeconds + 10);

    expect(maxAckPending).toBeLessThanOrEqual(MAX_ACK_PENDING);
    expect(maxRss).toBeLessThan(RSS_BOUND_MB);
    await expectExactCounters(monitor, plan, events);
    // the reading screen got the final figures despite the stalled one
    const res = await fetch(`http://127.0.0.1:${monitor.port}/api/counters?scope=ALL`);
    const now = (await res.json()) as { rows: Array<{ complaintType: string; unresolvedCustomers: number }> };
    const shown = () => Object.fromEntries(now.rows.map((r) => [r.complaintType, last.get(r.complaintType)]));
    const counted = Object.fromEntries(now.rows.map((r) => [r.complaintType, r.unresolvedCustomers]));
    await until('the reading screen to show the final counters', () => JSON.stringify(shown()) === JSON.stringify(counted), 20_000).catch(() => undefined);
    expect(shown()).toEqual(counted);
    reader.close();
    stalled.terminate();
  }, 600_000);
});
