import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager, type ConsumerConfig, type StreamConfig } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { CounterRow } from '../../pipelines/model.ts';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import type { HistoryEntry } from '../../pipelines/rules/index.ts';
import { startTestNats, type TestNats } from '../../tests/helpers/nats.ts';
import { gatewayMessages, publishGatewayMessage } from './gateway-notice.ts';
import type { AlertView } from './view.ts';

// Audit T 3, against a real broker: a gateway that keeps the notices in a JetStream stream (so as
// not to lose one while it is down) gets the copy a restart sends again folded by the stream's
// duplicate window, because the notice carries its id as Nats-Msg-Id. The stream and the consumer
// are the ones docs/ALERTS.md "Writing a gateway" gives (audit AF D3): what was sent while the
// gateway was not reading is there when it reads, and a moved case's copy for the subject it left
// (audit AF F8) is kept beside the first message, not folded into it.

const plan = loadPlanFile(join(import.meta.dirname, '../../tests/fixtures/plan-2025.yaml'));
const view = {
  id: 'case.T-9', kind: 'case', complaintType: 'insurance_dispute', scope: 'BJ-HD', level: 'watch', status: 'open', ticketId: 'T-9',
  openedAt: '2025-03-04T10:00:00.000+08:00', history: [], raisedAt: '2025-03-04T10:00:01.000+08:00', ack: null, assignee: null,
  onCall: { level: 1, round: 0, since: '2025-03-04T10:00:01.000+08:00', notify: ['值班主管'] },
} as unknown as AlertView;
const record = { id: 'case.T-9', kind: 'case' as const, complaintType: 'insurance_dispute', scope: 'BJ-HD' };
const monitor = { plan, index: { rows: (): CounterRow[] => [] } } as unknown as Parameters<typeof gatewayMessages>[0];
const log = { warn: () => {} } as unknown as Parameters<typeof publishGatewayMessage>[2];
const opened: HistoryEntry = { id: 'case.T-9/opened/1741053600000', atMs: 1_741_053_600_000, what: 'opened', level: 'watch' };
const escalated: HistoryEntry = { id: 'case.T-9/oncall/1/0/1741054500000', atMs: 1_741_054_500_000, what: 'escalated', by: 'on-call policy' };

const STREAM = 'ALERT_NOTICES';

/** The two JSON blocks of docs/ALERTS.md's "Writing a gateway": the stream, then the consumer. */
function gatewayConfigFromDocs(): [Record<string, unknown>, Record<string, unknown>] {
  const doc = readFileSync(join(import.meta.dirname, '../../docs/ALERTS.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Writing a gateway'), doc.indexOf('## Access'));
  const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
  return [blocks[0]!, blocks[1]!];
}

let nats: TestNats;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  const jsm = await jetstreamManager(nc);
  // docs/ALERTS.md "Writing a gateway": the stream and the durable consumer, as written there
  const [stream, consumer] = gatewayConfigFromDocs();
  expect(stream).toMatchObject({ name: STREAM, subjects: ['complaints.alerts.>'], duplicate_window: 86_400_000_000_000 });
  await jsm.streams.add(stream as Partial<StreamConfig> & { name: string });
  await jsm.consumers.add(STREAM, consumer as Partial<ConsumerConfig>);
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await nats?.cleanup();
});

describe('gateway notices on a real broker', () => {
  it('a notice sent again after a restart is folded by a JetStream stream; another change is kept', async () => {
    for (const m of gatewayMessages(monitor, view, [opened], record, 0)) publishGatewayMessage(nc, m, log);
    for (const m of gatewayMessages(monitor, view, [opened], record, 0)) publishGatewayMessage(nc, m, log); // the restart's copy
    for (const m of gatewayMessages(monitor, view, [escalated], record, 0)) publishGatewayMessage(nc, m, log);
    // the stream takes messages in order: once this acknowledged one is in, the notices are too
    await jetstream(nc).publish('complaints.alerts.marker.ALL', 'marker');
    const jsm = await jetstreamManager(nc);
    const stored = await jsm.streams.getMessage(STREAM, { seq: 1 });
    expect(stored?.json<{ change: Array<{ what: string }> }>().change[0]?.what).toBe('opened');
    expect((await jsm.streams.info(STREAM)).state.messages).toBe(3); // opened, escalated, marker
  });

  it('a gateway that was not reading gets, through its durable consumer, what was sent meanwhile; a moved case\'s copy is kept', async () => {
    const moved = { ...view, scope: 'SH' } as unknown as AlertView;
    const amended: HistoryEntry = { id: 'case.T-9/amended/1741055000000/scope', atMs: 1_741_055_000_000, what: 'amended', reason: 'correction c-9', before: 'scope=BJ-HD', after: 'scope=SH' };
    for (const m of gatewayMessages(monitor, moved, [amended], { ...record, scope: 'SH' }, 0)) publishGatewayMessage(nc, m, log);
    await jetstream(nc).publish('complaints.alerts.marker.ALL', 'marker 2');
    const consumer = await jetstream(nc).consumers.get(STREAM, 'sms-gateway');
    const read: Array<{ subject: string; body: string }> = [];
    while (read.length < 6) {
      const m = await consumer.next({ expires: 5_000 });
      if (!m) break;
      read.push({ subject: m.subject, body: m.string() });
      m.ack();
    }
    expect(read.map((m) => m.subject)).toEqual([
      'complaints.alerts.insurance_dispute.BJ-HD', 'complaints.alerts.insurance_dispute.BJ-HD', 'complaints.alerts.marker.ALL',
      'complaints.alerts.insurance_dispute.SH', 'complaints.alerts.insurance_dispute.BJ-HD', 'complaints.alerts.marker.ALL',
    ]);
    const [here, left] = [JSON.parse(read[3]!.body), JSON.parse(read[4]!.body)];
    expect(left.copyOf).toBe(here.noticeId);
    expect(left.notice.text).toContain('转至上海分行');
  });
});
