import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { join } from 'node:path';
import { STREAM } from '../../pipelines/sources/jetstream.ts';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { shuffled, ticketStream } from '../helpers/events.ts';
import { startClickHouseHttp, type TestClickHouseHttp } from '../helpers/clickhouse-http.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, publishRaw, waitConsumed } from '../helpers/publish.ts';
import { expectExactCounters, until, wallPipeline } from './support.ts';

// Server mode (CLICKHOUSE_URL, with a user and password) against a ClickHouse HTTP endpoint over
// the real engine, in its own process (tests/helpers/clickhouse-http-server.ts: no
// clickhouse-server binary can be installed here). The server is killed mid-stream: the monitor
// must stop acking (nothing counted that is not durable), say so in /api/health, back off, and
// resume by itself when the server is back, with exact counters and every event stored once.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const events = shuffled(ticketStream({ seed: 31, tickets: 900, year: 2025, customers: 250, prefix: 'cs' }), 5);
const half = Math.floor(events.length / 2);
const later = shuffled(ticketStream({ seed: 32, tickets: 80, year: 2025, customers: 60, prefix: 'tm' }), 6);

let nats: TestNats;
let nc: NatsConnection;
let ch: TestClickHouseHttp;
let analyst: ClickHouseClient;
let monitor: MonitorProcess;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  ch = await startClickHouseHttp();
  analyst = createClient({ url: ch.url, username: ch.user, password: ch.password });
  monitor = await startMonitor({
    NATS_URL: nats.url,
    PLAN,
    CLICKHOUSE_URL: ch.url,
    CLICKHOUSE_USER: ch.user,
    CLICKHOUSE_PASSWORD: ch.password,
    BATCH_MAX: '200',
    ACK_WAIT_MS: '3000',
  });
}, 90_000);

afterAll(async () => {
  await monitor?.kill();
  await analyst?.close();
  await nc?.close();
  await nats?.cleanup();
  await ch?.cleanup();
});

const consumer = async () => (await jetstreamManager(nc)).consumers.info(STREAM, 'monitor');
const storedInClickHouse = async () => {
  const rs = await analyst.query({ query: 'SELECT count() AS n, uniqExact(event_id) AS distinct FROM complaints.ticket_events', format: 'JSONEachRow' });
  const [row] = await rs.json<{ n: string; distinct: string }>();
  return { n: Number(row!.n), distinct: Number(row!.distinct) };
};

describe('faults - ClickHouse server unreachable (server mode)', () => {
  it('runs in server mode: schema applied over HTTP, counters exact', async () => {
    const { body } = await getJson(monitor, '/api/health');
    expect(body.clickhouse.mode).toBe('server');
    await publishEvents(nc, events.slice(0, half));
    await waitConsumed(nc, 'monitor', 60_000);
    await expectExactCounters(monitor, plan, events.slice(0, half));
    expect((await storedInClickHouse()).distinct).toBe(half);
    // the analysts' views exist on the server and answer from the same rows
    const rs = await analyst.query({ query: 'SELECT count() AS n FROM complaints.v_resolution_weekly', format: 'JSONEachRow' });
    expect(Number((await rs.json<{ n: string }>())[0]!.n)).toBeGreaterThan(0);
  }, 120_000);

  it('stops acking while the server is down, reports it, and resumes by itself, counters exact', async () => {
    const before = (await getJson(monitor, `/api/counters?year=2025&asOf=${encodeURIComponent('2025-12-31T23:59:59+08:00')}`)).body;
    await ch.kill();
    await publishEvents(nc, events.slice(half));
    const health = await until('the write failure in /api/health', async () => {
      const { body } = await getJson(monitor, '/api/health');
      return body.clickhouse.lastWriteError ? body : undefined;
    }, 30_000);
    expect(health.writeFailures).toBeGreaterThan(0);
    // said as a degraded monitor, to health checks, dashboards and the wall (audit AU F1: "ok", a green wall)
    expect(health.status).toBe('degraded');
    expect(health.reasons.join(' ')).toMatch(/^ClickHouse refuses the event writes since \S+: nothing new is stored or counted/);
    expect(await (await fetch(`${monitor.baseUrl}/metrics`)).text()).toMatch(/^EventWritesFailing 1$/m);
    // a read of the store meanwhile is told it is away, not answered 500 (verify AV6)
    const dl = await getJson(monitor, '/api/dead-letters');
    expect([dl.status, dl.body.error]).toEqual([503, 'STORE_UNAVAILABLE']);
    const sql = await fetch(`${monitor.baseUrl}/api/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'SELECT 1' }) });
    expect([sql.status, (await sql.json()).error, sql.headers.get('retry-after')]).toEqual([503, 'STORE_UNAVAILABLE', '10']); // not BAD_SQL (verify AY1)
    const wall = await until('a heartbeat saying how long the writes have failed', () => heartbeatFailingMs(monitor), 30_000);
    expect(wall).toBeGreaterThan(0);
    // Nothing of the second half is acknowledged or counted while it cannot be stored.
    const info = await consumer();
    expect(info.num_pending + info.num_ack_pending).toBeGreaterThan(0);
    expect(info.ack_floor.stream_seq).toBeLessThanOrEqual(half);
    const during = (await getJson(monitor, `/api/counters?year=2025&asOf=${encodeURIComponent('2025-12-31T23:59:59+08:00')}`)).body;
    expect(during.rows).toEqual(before.rows);
    // A few seconds of the outage: the monitor backs off and stays up.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(monitor.child.exitCode).toBeNull();

    await ch.start();
    await waitConsumed(nc, 'monitor', 120_000);
    await until('the write error to clear', async () => (await getJson(monitor, '/api/health')).body.clickhouse.lastWriteError === null, 30_000);
    // ok once the writes go through, though the presence's renewal failed while the server was away
    await until('health ok again', async () => (await getJson(monitor, '/api/health')).body.status === 'ok', 30_000);
    await expectExactCounters(monitor, plan, events);
    expect((await storedInClickHouse()).distinct).toBe(events.length);
  }, 240_000);

  // Audit H1: the server refusing inserts into ticket_events alone (its ordinary back-pressure,
  // TOO_MANY_PARTS) while dead_letters still took rows made every event in flight a dead letter
  // after five deliveries. Such a refusal is an outage: retried, never dead-lettered.
  it('a server refusing event inserts with TOO_MANY_PARTS past the fifth delivery dead-letters nothing; counters exact after', async () => {
    const deadLetters = async () => (await getJson(monitor, '/api/dead-letters?limit=1')).body.total as number;
    const deadBefore = await deadLetters();
    await analyst.command({ query: 'SYSTEM STOP MERGES complaints.ticket_events' });
    await analyst.command({ query: 'ALTER TABLE complaints.ticket_events MODIFY SETTING parts_to_throw_insert = 1' });
    try {
      const failuresBefore = (await getJson(monitor, '/api/health')).body.writeFailures as number;
      const started = Date.now();
      await publishEvents(nc, later);
      // back-off 1 + 2 + 4 + 8 s: the fifth delivery comes ~15 s in; the old code dead-lettered there
      await until('five failed deliveries', async () => {
        const { body } = await getJson(monitor, '/api/health');
        return body.writeFailures >= failuresBefore + 5 && Date.now() - started > 18_000 ? body : undefined;
      }, 60_000);
      expect(await deadLetters()).toBe(deadBefore);
      // a batch of a dead letter alone (the other table takes it) does not end the outage (verify AV0)
      await publishRaw(nc, 'complaints.tickets.BJ', 'not json');
      await until('the dead letter stored', async () => ((await deadLetters()) > deadBefore ? true : undefined), 30_000);
      const during = (await getJson(monitor, '/api/health')).body;
      expect([during.status, during.clickhouse.writeFailingSince]).toEqual(['degraded', expect.any(String)]);
    } finally {
      await analyst.command({ query: 'ALTER TABLE complaints.ticket_events MODIFY SETTING parts_to_throw_insert = 3000' });
      await analyst.command({ query: 'SYSTEM START MERGES complaints.ticket_events' });
    }
    await waitConsumed(nc, 'monitor', 120_000);
    expect(await deadLetters()).toBe(deadBefore + 1);
    await expectExactCounters(monitor, plan, [...events, ...later]);
    expect((await storedInClickHouse()).distinct).toBe(events.length + later.length);
  }, 180_000);

  // Verify AV5: the messages that failed purged from the stream, nothing left to write: health
  // stayed degraded (and the wall stalled) until the next ticket came, hours later at night
  it('says the writes fail only while something waits to be written', async () => {
    await ch.kill();
    await publishEvents(nc, ticketStream({ seed: 77, tickets: 3, year: 2025, customers: 3, prefix: 'purged' }));
    await until('the writes failing', async () => ((await getJson(monitor, '/api/health')).body.status === 'degraded' ? true : undefined), 30_000);
    await (await jetstreamManager(nc)).streams.purge(STREAM);
    const health = await until('nothing left to write: not failing', async () => {
      const { body } = await getJson(monitor, '/api/health');
      return body.clickhouse.writeFailingSince === null ? body : undefined;
    }, 30_000);
    expect(health.reasons ?? []).not.toContainEqual(expect.stringMatching(/refuses the event writes/));
    await ch.start();
  }, 120_000);
});

/** The next wall heartbeat's pipeline.writeFailingMs (undefined while none is failing). */
const heartbeatFailingMs = async (m: MonitorProcess) => ((await wallPipeline(m))?.writeFailingMs as number | null | undefined) ?? undefined;
