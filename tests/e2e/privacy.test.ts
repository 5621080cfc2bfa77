import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import type { NatsConnection } from '@nats-io/nats-core';
import { join } from 'node:path';
import type { TicketEvent } from '../../pipelines/model.ts';
import { openClickHouse } from '../../server/clickhouse.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, publishRaw, waitConsumed } from '../helpers/publish.ts';

// Personal data is never stored, logged or shown in clear: after a stream full of it, nothing
// in ClickHouse, in the monitor's log or in its answers contains a clear name or number.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const PERSONAL = ['张三丰', '13912345678', '110101199003071234', '6222021234567890', 'CUST-8c1f-SECRET'];

const events: TicketEvent[] = [
  {
    eventId: 'p-1',
    ticketId: 'PT-1',
    kind: 'opened',
    occurredAt: '2025-04-01T09:00:00+08:00',
    branch: 'SH',
    complaintType: 'unclassified',
    customerId: 'CUST-8c1f-SECRET',
    text: '客户张三丰来电（13912345678），身份证 110101199003071234，卡号 6222 0212 3456 7890，要求提前还款违约金退还。',
    tags: { product: '住房贷款' },
    customer: { name: '张三丰', phone: '13912345678', idNumber: '110101199003071234', cardNumber: '6222021234567890' },
  },
  {
    eventId: 'p-2',
    ticketId: 'PT-1',
    kind: 'first_contact',
    occurredAt: '2025-04-02T09:00:00+08:00',
    branch: 'SH',
    complaintType: 'mortgage_prepayment',
    customerId: 'CUST-8c1f-SECRET',
    outcome: 'not_agreed',
    customer: { name: '张三丰', phone: '13912345678' },
  },
  {
    eventId: 'p-3',
    ticketId: 'PT-2',
    kind: 'opened',
    occurredAt: '2025-04-03T09:00:00+08:00',
    branch: 'GZ',
    complaintType: 'unclassified',
    customerId: 'CUST-8c1f-SECRET',
    channel: 'regulator_12378',
    text: '张三丰对营业厅服务态度不满，回电 13912345678',
    customer: { name: '张三丰' },
  },
];

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;
let log = '';
let ch: ClickHouseClient;
let review: { items: Array<Record<string, unknown>> };

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN });
  await publishEvents(nc, events);
  await publishRaw(nc, 'complaints.tickets.SH', '{"eventId":"p-bad","customerId":"CUST-8c1f-SECRET","customer":{"name":"张三丰","phone":"13912345678"} broken');
  await waitConsumed(nc);
  const counters = await getJson(monitor, '/api/counters?year=2025&type=mortgage_prepayment&scope=SH');
  expect(counters.body.rows[0].unresolvedCustomers).toBe(1);
  review = (await getJson(monitor, '/api/classification/review')).body;
  const dead = await getJson(monitor, '/api/dead-letters');
  log = JSON.stringify(dead.body);
  await monitor.kill();
  log += monitor.output();
  ch = await openClickHouse({ dataDir: join(monitor.dataDir, 'clickhouse') });
}, 120_000);

afterAll(async () => {
  await ch?.close();
  await nc?.close();
  await nats?.cleanup();
});

describe('privacy - personal data never in clear', () => {
  it('stores only hashes and masked forms in ClickHouse', async () => {
    const rs = await ch.query({ query: 'SELECT * FROM complaints.ticket_events', format: 'JSONEachRow' });
    const rows = await rs.json<Record<string, unknown>>();
    expect(rows).toHaveLength(3);
    const stored = JSON.stringify(rows);
    for (const p of PERSONAL) expect(stored).not.toContain(p);
    const opened = rows.find((r) => r.event_id === 'p-1')!;
    expect(JSON.parse(opened.customer_masked as string)).toEqual({ name: '张**', phone: '139****5678', idNumber: '110***********1234', cardNumber: '6222 **** **** 7890' });
    expect(opened.customer_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(opened.text).toContain('139****5678');
    const dead = await ch.query({ query: 'SELECT payload FROM complaints.dead_letters', format: 'JSONEachRow' });
    const payloads = JSON.stringify(await dead.json());
    for (const p of PERSONAL) expect(payloads).not.toContain(p);
  });

  it('classifies an unclassified ticket and keeps its confidence and model version', async () => {
    const rs = await ch.query({ query: "SELECT complaint_type, reported_type, classifier_model, classifier_confidence, needs_review FROM complaints.ticket_events WHERE event_id = 'p-1'", format: 'JSONEachRow' });
    const [row] = await rs.json<Record<string, unknown>>();
    expect(row).toMatchObject({ complaint_type: 'mortgage_prepayment', reported_type: 'unclassified', classifier_model: 'keywords-v1' });
    expect(Number(row!.classifier_confidence)).toBeGreaterThan(0);
  });

  it('lists low-confidence classifications for a person to confirm, masked', () => {
    // the mortgage ticket's tags make a confident match; the hotline ticket matches nothing
    expect(review.items.map((i) => i.ticketId)).toEqual(['PT-2']);
    expect(review.items[0]).toMatchObject({ assignedType: 'unclassified', confidence: 0, modelVersion: 'keywords-v1' });
    expect(review.items[0]!.text).toBe('张**对营业厅服务态度不满，回电 139****5678');
    for (const p of PERSONAL) expect(JSON.stringify(review)).not.toContain(p);
  });

  it('keeps personal data out of the log and the dead-letter answers', () => {
    for (const p of PERSONAL) expect(log).not.toContain(p);
  });
});
