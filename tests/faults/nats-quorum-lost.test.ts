import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEASE_STREAM } from '../../server/lease-stream.ts';
import { LEASE_EXIT_CODE, LEASE_TTL_MS } from '../../server/lease-settings.ts';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { shuffled, ticketStream } from '../helpers/events.ts';
import { startClickHouseHttp, type TestClickHouseHttp } from '../helpers/clickhouse-http.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { publishRetrying, startNatsCluster, type NatsCluster } from '../helpers/nats-cluster.ts';
import { waitConsumed } from '../helpers/publish.ts';
import { expectExactCounters, until } from './support.ts';

// Audit BE F2 (and the sequence behind F1): two of the three nats-server nodes down, the broker's
// JetStream without a leader, for longer than the counting lease's lifetime. Its 503 "JetStream
// system temporarily unavailable" once ended the only monitor after 15 s (exit 75, "only one
// counting monitor may run") and health said the broker was ok. Now the lease is kept, unconfirmed,
// health says the JetStream has no leader, and counting resumes by itself when the nodes return;
// a standby started during the outage never counts beside it. Both monitors on one ClickHouse
// server (the production shape), so whichever counts afterwards has every event.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const CONSUMER = 'monitor';
const events = shuffled(ticketStream({ seed: 41, tickets: 600, year: 2025, customers: 180, prefix: 'ql' }), 5);
const half = Math.ceil(events.length / 2);

let cluster: NatsCluster;
let nc: NatsConnection;
let ch: TestClickHouseHttp;
let a: MonitorProcess;
let standby: MonitorProcess | undefined;
const published: typeof events = [];

const env = () => ({
  NATS_URL: cluster.urls,
  PLAN,
  CLICKHOUSE_URL: ch.url,
  CLICKHOUSE_USER: ch.user,
  CLICKHOUSE_PASSWORD: ch.password,
  BATCH_MAX: '200',
  BATCH_MS: '20',
  ACK_WAIT_MS: '3000',
});

beforeAll(async () => {
  cluster = await startNatsCluster();
  nc = await cluster.connect();
  ch = await startClickHouseHttp();
  a = await startMonitor(env());
  await until('the monitor consuming', async () => (await getJson(a, '/api/health')).body.consuming === true, 60_000);
}, 120_000);

afterAll(async () => {
  if (process.env.KEEP_TEST_TMP) for (const m of [a, standby]) if (m) writeFileSync(join(m.dataDir, 'monitor.log'), m.output());
  await standby?.kill();
  await a?.kill();
  await nc?.close();
  await cluster?.cleanup();
  await ch?.cleanup();
});

const health = async (m: MonitorProcess) => (await getJson(m, '/api/health')).body;
const counting = (h: { consuming?: boolean; lease?: { status: string; confirmed?: boolean } } | undefined) =>
  h?.consuming === true && h.lease?.status === 'held' && h.lease.confirmed === true;
const healthIfUp = (m: MonitorProcess) => (m.child.exitCode === null ? health(m).catch(() => undefined) : undefined);

async function publish(xs: typeof events): Promise<void> {
  await publishRetrying(nc, xs);
  published.push(...xs);
}

describe('faults - the broker cluster loses its quorum', () => {
  it('keeps the lease through it, says so, resumes by itself, and no standby counts beside it', async () => {
    await publish(events.slice(0, half));
    await waitConsumed(nc, CONSUMER, 60_000);
    await expectExactCounters(a, plan, published);

    // as in the audit: the two nodes that do not lead the lease stream
    const leaseLeader = await cluster.streamLeader(nc, LEASE_STREAM);
    const down = cluster.nodes.map((n) => n.name).filter((n) => n !== leaseLeader);
    for (const name of down) await cluster.kill(name);

    const noLeader = /the broker's JetStream has no leader \(quorum lost/;
    await until('the monitor saying the JetStream has no leader', async () => noLeader.test((await health(a)).lease.message ?? ''), 60_000);
    standby = await startMonitor(env(), { waitHealthy: false });

    // longer than the lease's lifetime since the last confirmation
    const h = await until(
      'the lease unconfirmed for longer than its lifetime',
      async () => {
        const b = await health(a);
        return Date.now() - Date.parse(b.lease.confirmedAt) > LEASE_TTL_MS + 5_000 && b;
      },
      90_000,
    );
    expect(a.child.exitCode, a.output().slice(-3_000)).toBeNull();
    expect(h).toMatchObject({ status: 'degraded', lease: { status: 'held', confirmed: false } });
    expect(h.lease.message).toMatch(noLeader);
    expect(h.broker.status).toBe('degraded');
    expect(h.broker.reasons).toContainEqual(expect.stringMatching(/^JetStream unavailable: no leader or no quorum/));
    expect(a.output()).not.toContain('counting lease lost');
    expect(a.output()).not.toContain('could not be renewed');
    expect(counting(await healthIfUp(standby))).toBe(false);

    for (const name of down) await cluster.start(name);

    // exactly one of the two counts from now on; never both at one moment
    const monitors = [a, standby];
    let both = 0;
    const settled = await until(
      'one monitor counting, the other gone (exit 75)',
      async () => {
        const views = await Promise.all(monitors.map(healthIfUp));
        const countingNow = monitors.filter((_, i) => counting(views[i]));
        if (countingNow.length > 1) both++;
        const gone = monitors.filter((m) => m.child.exitCode !== null);
        return countingNow.length === 1 && gone.length === 1 && { counts: countingNow[0]!, gone: gone[0]! };
      },
      120_000,
    );
    expect(both).toBe(0);
    expect(settled.gone.child.exitCode).toBe(LEASE_EXIT_CODE);

    await publish(events.slice(half));
    await waitConsumed(nc, CONSUMER, 60_000);
    await until('health ok on the monitor that counts', async () => (await health(settled.counts)).status === 'ok', 60_000);
    await expectExactCounters(settled.counts, plan, published);
    expect(settled.counts.output()).not.toMatch(/lease stream is inconsistent/);
  }, 300_000);
});
