import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
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

// Two monitors counting into ONE ClickHouse server through two NATS deployments: each held a
// counting lease of its own (the lease lives in NATS), so neither was refused, and they counted
// everything twice, wrote every alert change twice and sent every notice twice. The store's
// presence table (sql/034, server/presence.ts) refuses the second.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const events = shuffled(ticketStream({ seed: 61, tickets: 800, year: 2025, customers: 200, prefix: 'pa' }), 5);
const half = Math.floor(events.length / 2);
/** published on the second NATS deployment once its monitor counts */
const later = ticketStream({ seed: 62, tickets: 300, year: 2025, customers: 90, prefix: 'pb' });
const THROUGH_ANOTHER_NATS = /another monitor counts into this ClickHouse \(store\.[0-9a-f-]{36}\) through another NATS deployment/;

let ch: TestClickHouseHttp;
let store: ClickHouseClient;
const nats: TestNats[] = [];
const ncs: NatsConnection[] = [];
const running: MonitorProcess[] = [];
const start = async (site: 0 | 1, env: Record<string, string> = {}, waitHealthy = true) => {
  const server = { CLICKHOUSE_URL: ch.url, CLICKHOUSE_USER: ch.user, CLICKHOUSE_PASSWORD: ch.password };
  const m = await startMonitor({ NATS_URL: nats[site]!.url, PLAN, BATCH_MAX: '100', ...server, ...env }, { waitHealthy });
  running.push(m);
  return m;
};
const exitCode = (m: MonitorProcess) => new Promise<number | null>((r) => (m.child.exitCode !== null ? r(m.child.exitCode) : m.child.once('exit', (code) => r(code))));
const refusedHealth = (m: MonitorProcess) =>
  until('the monitor on the other NATS deployment to be refused', async () => {
    const res = await getJson(m, '/api/health');
    return res.body.lease?.status === 'refused' ? res : undefined;
  });

beforeAll(async () => {
  ch = await startClickHouseHttp();
  store = createClient({ url: ch.url, username: ch.user, password: ch.password });
  for (let i = 0; i < 2; i++) {
    nats.push(await startTestNats());
    ncs.push(await nats[i]!.connect());
  }
}, 60_000);

afterAll(async () => {
  for (const m of running) await m.kill('SIGKILL');
  for (const nc of ncs) await nc.close();
  for (const n of nats) await n.cleanup();
  await store?.close();
  await ch?.cleanup();
});

describe('one counting monitor per ClickHouse store, across NATS deployments', () => {
  let first: MonitorProcess;
  let second: MonitorProcess;

  it('refuses a monitor counting into the same ClickHouse through another NATS, naming the holder; the first keeps counting exactly', async () => {
    first = await start(0);
    await publishEvents(ncs[0]!, events.slice(0, half));
    await waitConsumed(ncs[0]!);

    second = await start(1, {}, false); // its own NATS lease is free: only the store's presence refuses it
    const health = await refusedHealth(second);
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('lease-refused');
    expect(health.body.consuming).toBe(false);
    expect(health.body.lease.heldBy).toMatchObject({ dataDir: first.dataDir, pid: first.child.pid });
    expect(health.body.lease.message).toMatch(THROUGH_ANOTHER_NATS);
    expect(JSON.stringify(health.body.lease)).not.toContain(ch.password);

    await publishEvents(ncs[0]!, events.slice(half));
    await waitConsumed(ncs[0]!);
    expect(await exitCode(second)).toBe(LEASE_EXIT_CODE);
    const lines = second.output().split('\n').filter((l) => THROUGH_ANOTHER_NATS.test(l));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 50, holder: { dataDir: first.dataDir, pid: first.child.pid }, exitCode: LEASE_EXIT_CODE });
    expect(second.output()).not.toMatch(/"msg":"counters rebuilt from ClickHouse"/);

    const { body } = await getJson(first, '/api/health');
    expect(body.status).toBe('ok');
    expect(body.lease).toMatchObject({ status: 'held', heldBy: { dataDir: first.dataDir } });
    expect(body.events.received).toBe(events.length);
    await expectExactCounters(first, plan, events);
  }, 120_000);

  it('a SIGTERM writes a release into the store: the monitor on the other NATS, restarted, counts at once', async () => {
    await first.kill('SIGTERM');
    const rs = await store.query({
      query: `SELECT argMax(released, (written_at, released)) AS released FROM complaints.monitor_presence WHERE pid = {pid:UInt32} AND data_dir = {dir:String}`,
      query_params: { pid: first.child.pid, dir: first.dataDir },
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ released: 1 }]);

    second = await start(1, { DATA_DIR: second.dataDir }); // as its restart policy would, within the first's lifetime
    const { body } = await getJson(second, '/api/health');
    expect(body.lease).toMatchObject({ status: 'held', heldBy: { dataDir: second.dataDir, pid: second.child.pid } });
    await publishEvents(ncs[1]!, later);
    await waitConsumed(ncs[1]!);
    await expectExactCounters(second, plan, [...events, ...later]); // one store: the first's events too, once
  }, 120_000);

  it('a monitor killed with SIGKILL, restarted on its own DATA_DIR, takes over at once; its presence still guards the store', async () => {
    await second.kill('SIGKILL');
    const again = await start(1, { DATA_DIR: second.dataDir });
    expect((await getJson(again, '/api/health')).body.lease).toMatchObject({ status: 'held', heldBy: { dataDir: second.dataDir, pid: again.child.pid } });
    await expectExactCounters(again, plan, [...events, ...later]);

    const other = await start(0, {}, false);
    const health = await refusedHealth(other);
    expect(health.body.lease.heldBy).toMatchObject({ dataDir: again.dataDir, pid: again.child.pid });
    expect(health.body.lease.message).toMatch(THROUGH_ANOTHER_NATS);
    expect(await exitCode(other)).toBe(LEASE_EXIT_CODE);
    expect((await getJson(again, '/api/health')).body.status).toBe('ok');
    second = again;
  }, 120_000);

  it('two started together through two NATS deployments: exactly one keeps counting', async () => {
    await second.kill('SIGTERM');
    const pair = await Promise.all([start(0, {}, false), start(1, {}, false)]);
    // both may pass the start's check; the later starter then yields at a renewal (lease-lost)
    const [code, index] = await Promise.race(pair.map((m, i) => exitCode(m).then((c) => [c, i] as const)));
    expect(code).toBe(LEASE_EXIT_CODE);
    const [gone, counting] = [pair[index]!, pair[1 - index]!];
    expect(gone.output()).toMatch(THROUGH_ANOTHER_NATS);
    const health = await until('the other to count', async () => {
      const res = await getJson(counting, '/api/health');
      return res.body.status === 'ok' ? res.body : undefined;
    });
    expect(health.lease).toMatchObject({ status: 'held', heldBy: { pid: counting.child.pid } });
    console.log(`of two started together: ${/started counting first/.test(gone.output()) ? 'the later yielded while running' : 'the later was refused at start'}`);
    second = counting;
  }, 120_000);

  it('a running monitor that finds a fresh presence of one that started counting earlier stops consuming and exits 75', async () => {
    // what a monitor elsewhere writes (its first row a minute ago by the store's clock, its latest now)
    const row = (ago: number) => `('run-elsewhere', 'host-elsewhere', '/data', 4242, '2026-01-01T00:00:00.000Z', 'cluster elsewhere', 0, now64(3) - INTERVAL ${ago} SECOND)`;
    await store.command({ query: `INSERT INTO complaints.monitor_presence (instance, host, data_dir, pid, started_at, nats_deployment, released, written_at) VALUES ${row(60)}, ${row(0)}` });
    expect(await exitCode(second)).toBe(LEASE_EXIT_CODE);
    const lost = second.output().split('\n').find((l) => /started counting first/.test(l));
    expect(JSON.parse(lost!)).toMatchObject({ level: 50, holder: { host: 'host-elsewhere', pid: 4242 }, exitCode: LEASE_EXIT_CODE });
    expect(lost).toMatch(THROUGH_ANOTHER_NATS);
    expect(lost).toMatch(/stops consuming and exits with code 75/);
  }, 120_000);
});
