import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { join } from 'node:path';
import type { CounterRow } from '../../pipelines/model.ts';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { invalidPayloads, shuffled, ticketStream } from '../helpers/events.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, publishRaw, waitConsumed } from '../helpers/publish.ts';
import { referenceCounts } from '../helpers/reference.ts';

// The whole path, for real: nats-server → monitor process (RxJS pipeline, embedded ClickHouse)
// → HTTP. Every counter row is compared with an independent recount of the same events.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const events = ticketStream({ seed: 7, tickets: 1200, year: 2025, customers: 250 });

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN });
  // Out of order, then again: 10 % re-sent with the header (the broker folds those) and 10 %
  // re-sent without it (the monitor must fold those itself).
  await publishEvents(nc, shuffled(events, 1));
  const again = shuffled(events, 2).slice(0, Math.floor(events.length / 5));
  await publishEvents(nc, again, { withHeader: (_e, i) => i % 2 === 0 });
  for (const bad of invalidPayloads('e2e')) await publishRaw(nc, 'complaints.tickets.BJ', bad.payload);
  await waitConsumed(nc);
}, 120_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
});

function compare(rows: CounterRow[], asOfMs: number) {
  const expected = referenceCounts(plan, events, asOfMs);
  // the event set must exercise the counters, not compare zeros with zeros
  expect([...expected.values()].reduce((n, c) => n + c.unresolved, 0)).toBeGreaterThan(10);
  expect(rows).toHaveLength(plan.types.length * plan.scopes.length);
  for (const row of rows) {
    const want = expected.get(`${row.complaintType}|${row.scope}`)!;
    expect({ key: `${row.complaintType}|${row.scope}`, u: row.unresolvedCustomers, f: row.firstContactCustomers }).toEqual({
      key: `${row.complaintType}|${row.scope}`,
      u: want.unresolved,
      f: want.firstContact,
    });
    expect(row.allowanceToDate).toBeCloseTo(plan.allowanceToDate(row.complaintType, row.scope, Math.min(asOfMs, plan.yearEndMs - 1)), 9);
  }
}

describe('e2e - ticket stream to counters', () => {
  it('counts every distinct event once, at the end of the year and as of earlier instants', async () => {
    for (const asOf of ['2025-12-31T23:59:59+08:00', '2025-06-30T12:00:00+08:00', '2025-02-01T00:00:00Z']) {
      const { status, body } = await getJson(monitor, `/api/counters?year=2025&asOf=${encodeURIComponent(asOf)}`);
      expect(status).toBe(200);
      compare(body.rows, Date.parse(asOf));
    }
  });

  it('puts every invalid event in the dead-letter store with its reason, personal numbers masked', async () => {
    const { status, body } = await getJson(monitor, '/api/dead-letters?limit=100');
    expect(status).toBe(200);
    const bad = invalidPayloads('e2e');
    expect(body.items).toHaveLength(bad.length);
    const codes = body.items.map((i: { code: string }) => i.code).sort();
    expect(codes).toEqual(bad.map((b) => b.code).sort());
    for (const item of body.items) {
      expect(item.reason.length).toBeGreaterThan(0);
      expect(item.subject).toBe('complaints.tickets.BJ');
      expect(item.payload).not.toContain('13812345678');
    }
    // grouped for triage: by reason code (one reason as worded) and by subject, with when
    const sum = await getJson(monitor, '/api/dead-letters/summary?hours=24');
    expect(sum.status).toBe(200);
    expect(sum.body.total).toBe(bad.length);
    const perCode = new Map<string, number>();
    for (const b of bad) perCode.set(b.code, (perCode.get(b.code) ?? 0) + 1);
    expect(Object.fromEntries(sum.body.byCode.map((c: { code: string; count: number }) => [c.code, c.count]))).toEqual(Object.fromEntries(perCode));
    for (const c of sum.body.byCode) expect([c.example.length > 0, c.first <= c.last, c.last]).toEqual([true, true, expect.stringMatching(/\+08:00$/)]);
    expect(sum.body.bySubject).toEqual([{ subject: 'complaints.tickets.BJ', count: bad.length, last: expect.any(String) }]);
    expect((await getJson(monitor, '/api/dead-letters/summary?hours=0')).status).toBe(400);
  });

  it('reports health with event figures', async () => {
    const { status, body } = await getJson(monitor, '/api/health');
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.open).toBe(true);
    expect(body.events.deadLetters).toBe(invalidPayloads('e2e').length);
  });

  // Audit AC D2: the contract's GET /api/dead-letters has no paging; it answered the newest 100
  it('lists every dead letter without paging parameters, well past a hundred', async () => {
    for (let i = 0; i < 150; i++) await publishRaw(nc, 'complaints.tickets.SH', `{"eventId": "broken-${i}"`);
    await waitConsumed(nc);
    const { body } = await getJson(monitor, '/api/dead-letters');
    expect(body.total).toBe(invalidPayloads('e2e').length + 150);
    expect(body.items).toHaveLength(body.total);
  });
});
