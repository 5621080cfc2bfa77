import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { CounterRow } from '../../pipelines/model.ts';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import type { HistoryEntry } from '../../pipelines/rules/index.ts';
import { startTestNats, type TestNats } from '../../tests/helpers/nats.ts';
import { sendToGateways } from './gateway-notice.ts';
import type { AlertView } from './view.ts';

// Audit T 3, against a real broker: a gateway that keeps the notices in a JetStream stream (so as
// not to lose one while it is down) gets the copy a restart sends again folded by the stream's
// duplicate window, because the notice carries its id as Nats-Msg-Id.

const plan = loadPlanFile(join(import.meta.dirname, '../../tests/fixtures/plan-2025.yaml'));
const view = {
  id: 'case.T-9', kind: 'case', complaintType: 'insurance_dispute', scope: 'BJ-HD', level: 'watch', status: 'open', ticketId: 'T-9',
  openedAt: '2025-03-04T10:00:00.000+08:00', history: [], raisedAt: '2025-03-04T10:00:01.000+08:00', ack: null, assignee: null,
  onCall: { level: 1, round: 0, since: '2025-03-04T10:00:01.000+08:00', notify: ['值班主管'] },
} as unknown as AlertView;
const record = { id: 'case.T-9', kind: 'case' as const, complaintType: 'insurance_dispute', scope: 'BJ-HD' };
const monitor = { plan, index: { rows: (): CounterRow[] => [] } } as unknown as Parameters<typeof sendToGateways>[1];
const log = { warn: () => {} } as unknown as Parameters<typeof sendToGateways>[6];
const opened: HistoryEntry = { id: 'case.T-9/opened/1741053600000', atMs: 1_741_053_600_000, what: 'opened', level: 'watch' };
const escalated: HistoryEntry = { id: 'case.T-9/oncall/1/0/1741054500000', atMs: 1_741_054_500_000, what: 'escalated', by: 'on-call policy' };

let nats: TestNats;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'GATEWAY', subjects: ['complaints.alerts.>'], duplicate_window: 120_000_000_000 });
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await nats?.cleanup();
});

describe('gateway notices on a real broker', () => {
  it('a notice sent again after a restart is folded by a JetStream stream; another change is kept', async () => {
    sendToGateways(nc, monitor, view, [opened], record, 0, log);
    sendToGateways(nc, monitor, view, [opened], record, 0, log); // the restart's copy
    sendToGateways(nc, monitor, view, [escalated], record, 0, log);
    // the stream takes messages in order: once this acknowledged one is in, the notices are too
    await jetstream(nc).publish('complaints.alerts.marker.ALL', 'marker');
    const jsm = await jetstreamManager(nc);
    const stored = await jsm.streams.getMessage('GATEWAY', { seq: 1 });
    expect(stored?.json<{ change: Array<{ what: string }> }>().change[0]?.what).toBe('opened');
    expect((await jsm.streams.info('GATEWAY')).state.messages).toBe(3); // opened, escalated, marker
  });
});
