import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import type { TicketEvent } from '../../pipelines/model.ts';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { liveStack, PLAN_2025 } from '../helpers/stack.ts';
import { until } from '../faults/support.ts';

// What people type is personal data too when it holds a customer's numbers: a privacy audit
// found notes, notices, assignments, names and plan-change reasons stored, shown, exported, pushed
// to screens and sent to SMS gateways in clear, and a public (masked) screen still given ticket
// ids. Planted numbers must come back masked everywhere.

const SUP = 'supervisor-token-0123456789';
const ADMIN = 'admin-token-0123456789';
const PHONE = '13987654700';
const ID = '110105198807074701';
const CARD = '6222021987654702';
const planted = (label: string) => `${label}：客户手机${PHONE}，身份证${ID}，卡号${CARD}`;
const clear = (s: string) => [PHONE, ID, CARD].filter((n) => s.includes(n));
const events: TicketEvent[] = [
  {
    eventId: 'tp-1', ticketId: 'TP-1', kind: 'first_contact', outcome: 'not_agreed', occurredAt: '2025-03-03T10:00:00+08:00',
    branch: 'BJ-HD', complaintType: 'insurance_dispute', customerId: 'tp-cust', customer: { name: '龚纾涵' },
    channel: `phone ${PHONE}`, tags: { 龚纾涵: 'vip', 'tp-cust-id': 'x', [PHONE]: '回电' },
  },
];

const live = liveStack({ MONITOR_TOKENS: `${SUP}:supervisor,${ADMIN}:admin` });
const onNats: string[] = [];
const onPublicScreen: string[] = [];

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const post = (path: string, token: string, body: object, method = 'POST') =>
  getJson(live.monitor, path, { method, headers: { 'content-type': 'application/json', ...auth(token) }, body: JSON.stringify(body) });

beforeAll(async () => {
  const { nc, monitor } = live;
  nc.subscribe('complaints.alerts.>', { callback: (_e, m) => { onNats.push(m.string()); } });
  const ws = new WebSocket(`${monitor.baseUrl.replace('http', 'ws')}/ws?masked&token=${SUP}`);
  ws.on('message', (d) => onPublicScreen.push(d.toString()));
  await publishEvents(nc, events);
  await waitConsumed(nc);
  await until('the case alert', async () => (await getJson(monitor, '/api/alerts', { headers: auth(SUP) })).body.alerts.some((a: { id: string }) => a.id === 'case.TP-1'));
  const id = '/api/alerts/case.TP-1';
  for (const [action, body] of [
    ['note', { by: `王主管 ${PHONE}`, text: planted('备注') }],
    ['notice', { by: '王主管', to: planted('发往'), text: planted('提示书') }],
    ['assign', { by: '王主管', to: `李专员 ${PHONE}` }],
    ['ack', { by: '王主管', note: planted('确认') }],
    ['escalate', { by: '王主管', note: planted('上报') }],
  ] as const) expect((await post(`${id}/${action}`, SUP, body)).status, action).toBe(200);
  const correction = await post('/api/corrections', SUP, { by: '王主管', ticketId: 'TP-1', branch: 'BJ-HD', complaintType: 'insurance_dispute', reason: planted('更正') });
  expect(correction.status).toBe(202);
  expect(clear(JSON.stringify(correction.body))).toEqual([]);
  const changed = await post('/api/plan', ADMIN, { by: `管理员 ${PHONE}`, reason: planted('调整'), plan: readFileSync(PLAN_2025, 'utf8') }, 'PUT');
  expect(changed.status, JSON.stringify(changed.body)).toBe(200);
  await new Promise((r) => setTimeout(r, 1_500)); // pushed and logged
  ws.close();
}, 120_000);

describe('privacy - what people type', () => {
  it('is masked in the alerts, their CSV export, the plan history, the log and the gateways\' messages', async () => {
    const surfaces = ['/api/alerts?status=all', '/api/alerts/case.TP-1', '/api/alerts?status=all&format=csv', '/api/plan/changes'];
    for (const path of surfaces) {
      const res = await fetch(`${live.monitor.baseUrl}${path}`, { headers: auth(ADMIN) });
      const text = await res.text();
      expect(res.status, path).toBe(200);
      expect(clear(text), path).toEqual([]);
    }
    const alert = (await getJson(live.monitor, '/api/alerts/case.TP-1', { headers: auth(SUP) })).body;
    expect(JSON.stringify(alert.history)).toContain('139****4700'); // masked, not dropped
    expect(onNats.length).toBeGreaterThan(0);
    expect(clear(onNats.join('\n'))).toEqual([]);
    expect(clear(live.monitor.output())).toEqual([]);
  });

  it('is masked in what the event carried beside its text: tag keys, the channel', async () => {
    const sql = await post('/api/sql', ADMIN, { query: "SELECT channel, tags FROM complaints.ticket_events WHERE event_id = 'tp-1'" });
    const text = JSON.stringify(sql.body);
    expect(sql.status, text).toBe(200);
    expect(clear(text)).toEqual([]);
    expect(text).not.toMatch(/龚纾涵|tp-cust-id/);
  });

  it('never reaches a public (masked) screen, nor does the ticket id', () => {
    expect(onPublicScreen.length).toBeGreaterThan(1);
    const all = onPublicScreen.join('\n');
    expect(clear(all)).toEqual([]);
    expect(all).not.toContain('TP-1');
    expect(all).not.toMatch(/139\*\*\*\*4700|王主管|李专员/);
  });
});
