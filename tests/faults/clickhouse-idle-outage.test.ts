import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { join } from 'node:path';
import { ticketStream } from '../helpers/events.ts';
import { startClickHouseHttp, type TestClickHouseHttp } from '../helpers/clickhouse-http.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { until, wallPipeline } from './support.ts';

// Server mode, a night without tickets: the ClickHouse server goes away and no event write fails
// to say so. Health said `ok` until the first ticket of the morning failed to be stored (the
// event writes were the only thing that knew the store). The presence the monitor writes every
// 5 s (server/presence.ts) now tells it: degraded with the reason, and ok again once it answers.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');

let nats: TestNats;
let nc: NatsConnection;
let ch: TestClickHouseHttp;
let monitor: MonitorProcess;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  ch = await startClickHouseHttp();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN, CLICKHOUSE_URL: ch.url, CLICKHOUSE_USER: ch.user, CLICKHOUSE_PASSWORD: ch.password });
}, 90_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
  await ch?.cleanup();
});

const metric = async (name: string) => (await (await fetch(`${monitor.baseUrl}/metrics`)).text()).match(new RegExp(`^${name} (\\d+)$`, 'm'))?.[1];

describe('faults - ClickHouse server away while no ticket comes (server mode)', () => {
  it('says so in health and metrics within a few renewals, and is ok again once the server answers', async () => {
    await publishEvents(nc, ticketStream({ seed: 5, tickets: 20, year: 2025, customers: 20, prefix: 'idle' }));
    await waitConsumed(nc, 'monitor', 60_000);
    // the alerts those tickets opened written to alert_log first: its own failure would say it too
    const before = await until('the alert log written', async () => {
      const { body } = await getJson(monitor, '/api/health');
      return body.alertLog.rowsWaiting === 0 ? body : undefined;
    }, 30_000);
    expect([before.status, before.clickhouse.unansweredSince]).toEqual(['ok', null]);
    expect(await metric('ClickHouseUnanswered')).toBe('0');

    await ch.kill();
    const during = await until('health to name the store away', async () => {
      const { body } = await getJson(monitor, '/api/health');
      return body.reasons?.some((r: string) => r.startsWith('ClickHouse has not answered')) ? body : undefined;
    }, 30_000);
    expect(during.status).toBe('degraded');
    expect(during.reasons).toContainEqual(expect.stringMatching(/^ClickHouse has not answered since \S+ \(the monitor's presence, written every 5 s, fails: .+\): tickets that come cannot be stored or counted/));
    expect(during.clickhouse).toMatchObject({ unansweredSince: expect.any(String), writeFailingSince: null });
    expect(await metric('ClickHouseUnanswered')).toBe('1');
    // the wall (its public view) is told how long, and calls it a stall from 10 s
    expect(await until('a wall heartbeat naming the store away', async () => ((await wallStoreUnansweredMs()) ?? 0) >= 10_000 || undefined, 30_000)).toBe(true);

    await ch.start();
    const after = await until('health ok again', async () => {
      const { body } = await getJson(monitor, '/api/health');
      return body.status === 'ok' ? body : undefined;
    }, 30_000);
    expect(after.clickhouse.unansweredSince).toBeNull();
    expect(await metric('ClickHouseUnanswered')).toBe('0');
  }, 120_000);
});

/** The next wall heartbeat's pipeline.storeUnansweredMs (null while the store answers). */
const wallStoreUnansweredMs = async () => (await wallPipeline(monitor))?.storeUnansweredMs as number | null | undefined;
