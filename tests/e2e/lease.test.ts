import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { join } from 'node:path';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { LEASE_EXIT_CODE } from '../../server/lease.ts';
import { shuffled, ticketStream } from '../helpers/events.ts';
import { startClickHouseHttp, type TestClickHouseHttp } from '../helpers/clickhouse-http.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { expectExactCounters, until } from '../faults/support.ts';

// One counting monitor per consumer and per ClickHouse store (server/lease.ts). Without the lease
// a second monitor on the same CONSUMER_NAME took half the messages, silently, and both showed
// partial counters; two on one ClickHouse server counted everything twice into one alert log.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const events = shuffled(ticketStream({ seed: 47, tickets: 1200, year: 2025, customers: 300, prefix: 'ls' }), 9);
const half = Math.floor(events.length / 2);
/** what the successor (a new DATA_DIR) counts, before it is killed and restarted */
const later = ticketStream({ seed: 48, tickets: 300, year: 2025, customers: 90, prefix: 'lt' });

let nats: TestNats;
let nc: NatsConnection;
const running: MonitorProcess[] = [];
const start = async (env: Record<string, string>, waitHealthy = true) => {
  const m = await startMonitor({ NATS_URL: nats.url, PLAN, BATCH_MAX: '100', ...env }, { waitHealthy });
  running.push(m);
  return m;
};
const exitCode = (m: MonitorProcess) => new Promise<number | null>((r) => (m.child.exitCode !== null ? r(m.child.exitCode) : m.child.once('exit', (code) => r(code))));

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
}, 60_000);

afterAll(async () => {
  for (const m of running) await m.kill('SIGKILL');
  await nc?.close();
  await nats?.cleanup();
});

describe('counting lease - one monitor per consumer', () => {
  let first: MonitorProcess;

  it('refuses a second monitor on the same CONSUMER_NAME, naming the holder, while the first keeps counting exactly', async () => {
    first = await start({});
    await publishEvents(nc, events.slice(0, half));
    await waitConsumed(nc);

    const second = await start({}, false); // another DATA_DIR, same broker and consumer
    const health = await until('the second monitor to say it is refused', async () => {
      const res = await getJson(second, '/api/health');
      return res.body.lease?.status === 'refused' ? res : undefined;
    });
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('lease-refused');
    expect(health.body.consuming).toBe(false);
    expect(health.body.lease.heldBy).toMatchObject({ dataDir: first.dataDir, pid: first.child.pid });
    expect(health.body.lease.message).toMatch(/only one counting monitor may run per consumer/);
    expect(await (await fetch(`${second.baseUrl}/metrics`)).text()).toMatch(/^CountingLeaseHeld 0$/m);
    // refused before it read the store back (a standby under a restart policy read it at every
    // retry), it serves no numbers it does not keep
    expect(second.output()).not.toMatch(/"msg":"counters rebuilt from ClickHouse"/);
    const counters = await getJson(second, '/api/counters?year=2025');
    expect([counters.status, counters.body.error]).toEqual([503, 'NOT_COUNTING']);

    // while the refused one is still up, everything goes to the first
    await publishEvents(nc, events.slice(half));
    await waitConsumed(nc);
    expect(await exitCode(second)).toBe(LEASE_EXIT_CODE);
    const refusal = second.output().split('\n').find((l) => l.includes('only one counting monitor may run'));
    expect(JSON.parse(refusal!)).toMatchObject({ level: 50, lease: 'consumer.monitor', holder: { dataDir: first.dataDir, pid: first.child.pid }, exitCode: LEASE_EXIT_CODE });
    expect(second.output()).not.toMatch(/"msg":"counting lease held"/);
    expect(second.output()).not.toMatch(/NATS not connected yet/); // it was connected: refused (audit AU F4)

    const { body } = await getJson(first, '/api/health');
    expect(body.status).toBe('ok');
    expect(body.lease).toMatchObject({ status: 'held', keys: ['consumer.monitor'], heldBy: { dataDir: first.dataDir } });
    expect(body.events.received).toBe(events.length);
    expect(await (await fetch(`${first.baseUrl}/metrics`)).text()).toMatch(/^CountingLeaseHeld 1$/m);
    await expectExactCounters(first, plan, events);
  }, 120_000);

  it('a monitor stopped with SIGTERM releases the lease: a successor starts at once', async () => {
    await first.kill('SIGTERM');
    expect(first.output()).toMatch(/"msg":"stopping"/);
    const t0 = Date.now();
    const successor = await start({}); // waits for health 200; a refused monitor would exit instead
    const startedMs = Date.now() - t0;
    const { body } = await getJson(successor, '/api/health');
    expect(body.lease).toMatchObject({ status: 'held', heldBy: { dataDir: successor.dataDir, pid: successor.child.pid } });
    console.log(`successor after SIGTERM healthy in ${startedMs} ms`);
    first = successor;
  }, 120_000);

  it('a monitor killed with SIGKILL, restarted on its own DATA_DIR, takes its lease over at once', async () => {
    await publishEvents(nc, later);
    await waitConsumed(nc);
    await first.kill('SIGKILL');
    const t0 = Date.now();
    const again = await start({ DATA_DIR: first.dataDir });
    const startedMs = Date.now() - t0;
    expect(again.output()).toMatch(/counting lease of this monitor's earlier run taken over/);
    const { body } = await getJson(again, '/api/health');
    expect(body.lease).toMatchObject({ status: 'held', heldBy: { dataDir: first.dataDir, pid: again.child.pid } });
    console.log(`restart after SIGKILL healthy in ${startedMs} ms`);
    // and it counts: what it had counted before the kill, rebuilt from its store
    await expectExactCounters(again, plan, later);
    first = again;
  }, 120_000);
});

describe('counting lease - one monitor per ClickHouse store', () => {
  let ch: TestClickHouseHttp;
  afterAll(async () => {
    for (const m of running) await m.kill('SIGKILL');
    await ch?.cleanup();
  });

  // keyed by the store's own identity (sql/026), not by the address's spelling (audit Q: a
  // monitor on localhost: beside one on 127.0.0.1: got a lease of its own and counted twice)
  it('refuses a second monitor on the same ClickHouse server with another CONSUMER_NAME, however it names the server', async () => {
    ch = await startClickHouseHttp();
    const server = { CLICKHOUSE_URL: ch.url, CLICKHOUSE_USER: ch.user, CLICKHOUSE_PASSWORD: ch.password };
    const a = await start({ ...server, CONSUMER_NAME: 'store-a' });
    const storeKey = (await getJson(a, '/api/health')).body.lease.keys[1] as string;
    expect(storeKey).toMatch(/^store\.[0-9a-f-]{36}$/);
    const b = await start({ ...server, CLICKHOUSE_URL: ch.url.replace('127.0.0.1', 'localhost'), CONSUMER_NAME: 'store-b' }, false);
    const health = await until('the second monitor on the store to be refused', async () => {
      const res = await getJson(b, '/api/health');
      return res.body.lease?.status === 'refused' ? res.body : undefined;
    });
    expect(health.lease.message).toContain(storeKey);
    expect(health.lease.heldBy).toMatchObject({ dataDir: a.dataDir, pid: a.child.pid });
    expect(JSON.stringify(health.lease)).not.toContain(ch.password);
    expect(await exitCode(b)).toBe(LEASE_EXIT_CODE);
    expect((await getJson(a, '/api/health')).body.lease).toMatchObject({ status: 'held', keys: ['consumer.store-a', storeKey] });
  }, 120_000);
});
