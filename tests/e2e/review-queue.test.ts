import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { TicketEvent } from '../../pipelines/model.ts';
import { openClickHouse } from '../../server/clickhouse.ts';
import { getJson, startMonitor } from '../helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { liveStack, PLAN_2025 } from '../helpers/stack.ts';

// The classification review's queue (GET /api/classification/review) over a store that holds an
// event twice, as a crash between a batch's insert and its ack leaves it until the engine merges:
// one row per ticket, each event counted once, a corrected ticket gone, the order a reviewer needs.

const base = { complaintType: 'unclassified', customerId: 'rq-cust', branch: 'SH' } as const;
const events: TicketEvent[] = [
  { ...base, eventId: 'q-1', ticketId: 'RQ-1', kind: 'opened', occurredAt: '2025-03-01T09:00:00+08:00', text: '客户对收费有异议' },
  { ...base, eventId: 'q-2', ticketId: 'RQ-1', kind: 'first_contact', outcome: 'not_agreed', occurredAt: '2025-03-02T09:00:00+08:00' },
  { ...base, eventId: 'q-3', ticketId: 'RQ-2', kind: 'opened', occurredAt: '2025-03-05T09:00:00+08:00', text: '咨询网点营业时间' },
  { ...base, eventId: 'q-4', ticketId: 'RQ-3', kind: 'first_contact', outcome: 'agreed', occurredAt: '2025-03-03T09:00:00+08:00', text: '对服务态度不满' },
  { ...base, eventId: 'q-5', ticketId: 'RQ-4', kind: 'opened', occurredAt: '2025-03-06T09:00:00+08:00', text: '其他' },
  // a person already typed RQ-4: it has left the queue
  { ...base, eventId: 'q-6', ticketId: 'RQ-4', kind: 'corrected', complaintType: 'other', occurredAt: '2025-03-07T09:00:00+08:00' },
];

const live = liveStack();

beforeAll(async () => {
  await publishEvents(live.nc, events);
  await waitConsumed(live.nc);
  const { monitor } = live;
  await monitor.kill();
  // every stored row once more: the duplicates a crash after the insert, before the ack, leaves
  const ch = await openClickHouse({ dataDir: join(monitor.dataDir, 'clickhouse') });
  await ch.command({ query: 'INSERT INTO complaints.ticket_events SELECT * FROM complaints.ticket_events' });
  const stored = await (await ch.query({ query: "SELECT count() AS n FROM complaints.ticket_events WHERE event_id LIKE 'q-%'", format: 'JSONEachRow' })).json<{ n: string }>();
  expect(Number(stored[0]!.n)).toBe(2 * events.length);
  await ch.close();
  live.monitor = await startMonitor({ NATS_URL: live.nats.url, PLAN: PLAN_2025, DATA_DIR: monitor.dataDir });
}, 120_000);

describe('classification review queue', () => {
  it('lists each waiting ticket once, counts each event once, and leaves out corrected tickets', async () => {
    const { status, body } = await getJson(live.monitor, '/api/classification/review');
    expect(status).toBe(200);
    expect(body.items.map((i: { ticketId: string }) => i.ticketId)).toEqual(['RQ-1', 'RQ-3', 'RQ-2']); // not agreed, agreed, the rest
    expect(body.total).toBe(3);
    expect(body.notAgreed).toBe(1);
    const rq1 = body.items[0];
    expect(rq1).toMatchObject({ events: 2, firstContact: 'not_agreed', text: '客户对收费有异议', branch: 'SH', eventId: 'q-2' });
    expect(body.items[2]).toMatchObject({ ticketId: 'RQ-2', events: 1, firstContact: null });
    const one = await getJson(live.monitor, '/api/classification/review?limit=1');
    expect(one.body.items).toHaveLength(1);
    expect(one.body.total).toBe(3);
  });
});
