import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { NatsConnection } from '@nats-io/nats-core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { ClickHouseSink } from '../../pipelines/sinks/clickhouse.ts';
import { maskEvent } from '../../pipelines/transforms/mask.ts';
import { LEASE_TTL_MS } from '../../server/lease-settings.ts';
import { ticketStream } from '../helpers/events.ts';
import { startClickHouseHttp, type TestClickHouseHttp } from '../helpers/clickhouse-http.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { expectExactCounters, until } from './support.ts';

// Verify BF N1: a standby that starts while the broker hangs reads the store back before it can
// take the counting lease. The holder before it may go on storing meanwhile (after a quorum loss
// it pulled and stored thousands of events while unconfirmed); those events were acked, so they
// never reach the standby through the broker. The standby's wall lacked them, with health ok,
// until its next restart. A lease taken after the read now reads the store again before counting.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const HASH_KEY = 'lease-late-read-test-key-0123456789abcdef';
/** counted by the first holder through the broker */
const consumedSet = ticketStream({ seed: 71, tickets: 400, year: 2025, customers: 120, prefix: 'll' });
/** stored by the first holder after the standby had read the store */
const storedLater = ticketStream({ seed: 72, tickets: 300, year: 2025, customers: 90, prefix: 'lm' });

let nats: TestNats;
let nc: NatsConnection | undefined;
let ch: TestClickHouseHttp;
let writer: ClickHouseClient | undefined;
const running: MonitorProcess[] = [];

const env = () => ({
  NATS_URL: nats.url,
  PLAN,
  CLICKHOUSE_URL: ch.url,
  CLICKHOUSE_USER: ch.user,
  CLICKHOUSE_PASSWORD: ch.password,
  CUSTOMER_HASH_KEY: HASH_KEY,
  BATCH_MAX: '200',
  BATCH_MS: '20',
});

beforeAll(async () => {
  nats = await startTestNats();
  ch = await startClickHouseHttp();
}, 60_000);

afterAll(async () => {
  if (process.env.KEEP_TEST_TMP) for (const m of running) writeFileSync(join(m.dataDir, 'monitor.log'), m.output());
  nats?.resume(); // a failure while the broker hangs must not leave it stopped
  for (const m of running) await m.kill('SIGKILL');
  await nc?.close();
  await writer?.close();
  await nats?.cleanup();
  await ch?.cleanup();
});

/** As the holder's pipeline stores a batch: masked with the monitors' key, written by the product's sink. */
async function storeAsTheHolderWould(events: typeof storedLater, firstSeq: number): Promise<void> {
  writer = createClient({ url: ch.url, username: ch.user, password: ch.password, clickhouse_settings: { date_time_input_format: 'best_effort' } });
  const hashKey = Buffer.from(HASH_KEY, 'utf8');
  const receivedAtMs = Date.now();
  const rows = events.map((e, i) => ({ event: maskEvent(e, { hashKey, plan }), streamSeq: firstSeq + i, receivedAtMs }));
  await new ClickHouseSink(writer).writeBatch(rows, []);
}

describe('faults - the counting lease taken after the store was read', () => {
  it('reads the store again, so the events the previous holder stored meanwhile are counted', async () => {
    const a = await startMonitor(env());
    running.push(a);
    nc = await nats.connect();
    await publishEvents(nc, consumedSet);
    await waitConsumed(nc);
    await expectExactCounters(a, plan, consumedSet);
    await nc.close();
    nc = undefined;

    // A dies without releasing; its lease record stays until it ages out
    await a.kill('SIGKILL');
    const killedAt = Date.now();
    await nats.pause();

    // B starts while the broker hangs: it waits for the lease and reads the store meanwhile
    const b = await startMonitor(env(), { waitHealthy: false });
    running.push(b);
    await until('the standby to read the store while the broker hangs', () => b.output().includes('"msg":"counters rebuilt from ClickHouse"'), 45_000);
    expect(b.output()).not.toMatch(/"msg":"counting lease held"/);

    // what A, unconfirmed, had pulled, stored and acked: it never reaches B through the broker
    await storeAsTheHolderWould(storedLater, consumedSet.length + 1);

    // the broker back once A's record has run out: B takes the lease, after its read
    const pastLifetime = killedAt + LEASE_TTL_MS - Date.now();
    if (pastLifetime > 0) await new Promise((r) => setTimeout(r, pastLifetime));
    nats.resume();
    await until('the standby counting with the lease confirmed', async () => {
      const h = (await getJson(b, '/api/health')).body;
      return h.status === 'ok' && h.consuming === true && h.lease?.status === 'held' && h.lease.confirmed === true;
    }, 45_000);
    expect(b.output()).toMatch(/"msg":"counting lease held"/);

    await expectExactCounters(b, plan, [...consumedSet, ...storedLater]);
  }, 120_000);
});
