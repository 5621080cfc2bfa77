import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { TicketEvent } from '../../pipelines/model.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { until } from '../faults/support.ts';

// Audit AF F2: after PUT /api/plan changed who is on the on-call ladder, an alert already on it
// kept naming the former people in /api/alerts, on the screens and in every later gateway notice
// (for good once its ladder had run out); a start on another plan kept the snapshots' names.

const ADMIN = 'admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'cewm-ladder-roster-'));
const fixture = readFileSync(join(ROOT, 'tests/fixtures/plan-2025.yaml'), 'utf8');
const withLadder = (levels: string, repeat = 0) => `${fixture}\nalerts:\n  onCall:\n    levels:\n${levels}    repeat: ${repeat}\n`;
/** A: walked out in a few seconds; B: other people, the same two levels; C: one level only */
const planA = withLadder('      - { notify: [值班主管], afterMinutes: 0.02 }\n      - { notify: [消保部负责人, "role:admin"], afterMinutes: 0.02 }\n');
const planB = withLadder('      - { notify: [值班经理], afterMinutes: 600 }\n      - { notify: [分管行领导, "role:admin"], afterMinutes: 600 }\n');
const planC = withLadder('      - { notify: [总值班], afterMinutes: 600 }\n');
const [PLAN_A, PLAN_C] = [join(dir, 'a.yaml'), join(dir, 'c.yaml')];
writeFileSync(PLAN_A, planA);
writeFileSync(PLAN_C, planC);

const events: TicketEvent[] = [
  { eventId: 'lr-1', ticketId: 'LR-1', kind: 'first_contact', outcome: 'not_agreed', occurredAt: '2025-03-03T10:00:00+08:00', branch: 'BJ-HD', complaintType: 'insurance_dispute', customerId: 'C1', channel: 'branch' },
];
const ID = 'case.LR-1';

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;
let socket: WebSocket;
const wsMessages: any[] = [];
const natsMessages: any[] = [];
const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
const env = () => ({ NATS_URL: nats.url, MONITOR_TOKENS: `${ADMIN}:admin`, ALERT_TICK_MS: '300' });
const alert = async () => (await getJson(monitor, `/api/alerts?status=open`, { headers })).body.alerts.find((a: any) => a.id === ID);

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  nc.subscribe('complaints.alerts.>', { callback: (_e, m) => { natsMessages.push(m.json()); } });
  monitor = await startMonitor({ ...env(), PLAN: PLAN_A });
  socket = new WebSocket(`ws://127.0.0.1:${monitor.port}/ws?token=${ADMIN}`);
  socket.on('message', (d) => wsMessages.push(JSON.parse(String(d))));
  await new Promise((r) => socket.once('open', r));
  await publishEvents(nc, events);
  await waitConsumed(nc);
}, 120_000);

afterAll(async () => {
  socket?.close();
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('e2e ladder roster - the people on call follow the plan', () => {
  it('plan A: the case walks its ladder to the end, level 2 naming 消保部负责人', async () => {
    const a = await until('ladder walked', async () => {
      const x = await alert();
      return x?.onCall.level === 2 ? x : undefined;
    }, 30_000);
    expect(a.onCall.notify).toEqual(['消保部负责人', 'role:admin']);
  }, 60_000);

  it('a PUT /api/plan with other people: /api/alerts, /ws and the next notice name the new ones', async () => {
    const put = await getJson(monitor, '/api/plan', { method: 'PUT', headers, body: JSON.stringify({ by: '王经理', reason: 'new roster', plan: planB }) });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const a = await until('new roster shown', async () => {
      const x = await alert();
      return x && !x.onCall.notify.includes('消保部负责人') ? x : undefined;
    }, 30_000);
    expect(a.onCall).toMatchObject({ level: 2, notify: ['分管行领导', 'role:admin'] });
    // the history says who was notified when the step was taken; no line for the plan change
    expect(a.history.filter((h: any) => h.what === 'escalated').at(-1).detail.notify).toEqual(['消保部负责人', 'role:admin']);
    expect(a.history.some((h: any) => h.reason === 'plan changed')).toBe(false);
    // screens get it at once, as a change without a history line
    const pushed = await until('pushed on /ws', () => wsMessages.find((m) => m.type === 'alert' && m.id === ID && m.onCall.notify[0] === '分管行领导'));
    expect(pushed.change).toEqual([]);

    const note = await getJson(monitor, `/api/alerts/${ID}/note`, { method: 'POST', headers, body: JSON.stringify({ by: '王经理', text: '请跟进' }) });
    expect(note.status).toBe(200);
    const notice = await until('note on NATS', () => natsMessages.find((m) => m.id === ID && m.change.some((c: any) => c.what === 'note')));
    expect(notice.onCall).toMatchObject({ level: 2, notify: ['分管行领导', 'role:admin'] });
    expect(notice.notice.text).toContain('值班第2级：分管行领导');
    expect(notice.notice.text).not.toContain('消保部负责人');
  }, 60_000);

  it('a start on a plan with a shorter ladder: the last level, its people', async () => {
    // the note's notice was sent after its audit row (the snapshot, naming B's people) was written
    await monitor.kill();
    monitor = await startMonitor({ ...env(), PLAN: PLAN_C, DATA_DIR: monitor.dataDir });
    const a = await until('restored', alert, 30_000);
    expect(a.onCall).toMatchObject({ level: 1, notify: ['总值班'] });
  }, 90_000);
});
