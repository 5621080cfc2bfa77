import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { NatsConnection } from '@nats-io/nats-core';
import { join } from 'node:path';
import { ticketStream } from '../helpers/events.ts';
import { startClickHouseHttp, type TestClickHouseHttp } from '../helpers/clickhouse-http.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { until } from '../faults/support.ts';

// Audit CC F1: the counters' history for analysts (counter_changes, read as counters_current: "the
// board now", after the year "the final board") is written once a second; a monitor killed in that
// second, or a write that failed, left cells behind for good (after a back-fill killed in its last
// second, all 21 cells: 124 against 169 customers). A start that counts writes what is missing.
// The lost rows are made here by deleting them, which is what a kill before the write leaves.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const events = ticketStream({ seed: 31, tickets: 400, year: 2025, customers: 150, prefix: 'ch' });

let ch: TestClickHouseHttp;
let store: ClickHouseClient;
let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess | undefined;

const start = async () =>
  (monitor = await startMonitor({ NATS_URL: nats.url, PLAN, CLICKHOUSE_URL: ch.url, CLICKHOUSE_USER: ch.user, CLICKHOUSE_PASSWORD: ch.password }));

beforeAll(async () => {
  ch = await startClickHouseHttp();
  store = createClient({ url: ch.url, username: ch.user, password: ch.password });
  nats = await startTestNats();
  nc = await nats.connect();
}, 60_000);

afterAll(async () => {
  await monitor?.kill('SIGKILL');
  await nc?.close();
  await nats?.cleanup();
  await store?.close();
  await ch?.cleanup();
});

type Cell = { complaint_type: string; scope: string; unresolved_customers: number; first_contact_customers: number };
const board = async (): Promise<string[]> => {
  const rs = await store.query({ query: 'SELECT complaint_type, scope, unresolved_customers, first_contact_customers FROM complaints.counters_current WHERE plan_year = 2025', format: 'JSONEachRow' });
  return (await rs.json<Cell>()).map((c) => `${c.complaint_type}/${c.scope} ${Number(c.unresolved_customers)}/${Number(c.first_contact_customers)}`).sort();
};
const counters = async (m: MonitorProcess): Promise<string[]> =>
  ((await getJson(m, "/api/counters?year=2025")).body.rows as Array<{ complaintType: string; scope: string; unresolvedCustomers: number; firstContactCustomers: number }>)
    .map((c) => `${c.complaintType}/${c.scope} ${c.unresolvedCustomers}/${c.firstContactCustomers}`)
    .sort();

describe('the analysts\' counter history after rows were lost', () => {
  it('a start that counts writes the cells left behind: counters_current is the monitor\'s board again', async () => {
    const m = await start();
    await publishEvents(nc, events);
    await waitConsumed(nc);
    await m.kill(); // SIGTERM writes the history's last rows
    const live = await board();
    expect(live.some((c) => !c.endsWith(' 0/0'))).toBe(true);
    // the last second's rows lost, as a kill before their write loses them
    await store.command({ query: "ALTER TABLE complaints.counter_changes DELETE WHERE changed_at >= (SELECT max(changed_at) FROM complaints.counter_changes) - INTERVAL 1 SECOND SETTINGS mutations_sync = 1" });
    expect(await board()).not.toEqual(live);

    const again = await start();
    await until('counters_current caught up with the counters', async () => JSON.stringify(await board()) === JSON.stringify(await counters(again)), 30_000);
    expect(await board()).toEqual(live);
    expect(again.output()).toMatch(/counter history caught up/);
  }, 120_000);
});
