import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import WebSocket from 'ws';
import { getJson, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { until } from '../faults/support.ts';
import { auth, events, FIXTURE_DIR, PLAN, post, SUP, SUP_SH, TOKENS, VIEWER } from './alerts-fixture.ts';

// Alerts for real: nats-server → monitor → alerts on /ws, on NATS, in GET /api/alerts, as CSV;
// acknowledgement and actions over HTTP, the on-call ladder on a seconds-long timeout, access,
// a supervisor's correction through the pipeline, and the alerts surviving a restart.

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;
let socket: WebSocket;
const wsMessages: any[] = [];
const natsMessages: Array<{ subject: string; body: any; logged?: Promise<string> }> = [];

/** The alert's audit rows of these kinds as stored in ClickHouse now (read as a notice arrives). */
const auditRows = (alertId: string, what: string[]) =>
  fetch(`${monitor.baseUrl}/api/sql?format=csv`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SUP}`, 'content-type': 'text/plain' },
    body: `SELECT what FROM complaints.alert_log WHERE alert_id = '${alertId}' AND what IN (${what.map((w) => `'${w}'`).join(', ')})`,
  }).then((r) => r.text());

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  const sub = nc.subscribe('complaints.alerts.>');
  void (async () => {
    for await (const m of sub) {
      const body = m.json<any>();
      const logged = body.id === 'case.INS-2' ? auditRows(body.id, body.change.map((c: any) => c.what)) : undefined;
      natsMessages.push({ subject: m.subject, body, ...(logged ? { logged } : {}) });
    }
  })();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN, MONITOR_TOKENS: TOKENS, ALERT_TICK_MS: '300' });
  socket = new WebSocket(`ws://127.0.0.1:${monitor.port}/ws?token=${VIEWER}`);
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
  rmSync(FIXTURE_DIR, { recursive: true, force: true });
});

describe('e2e alerts - events in, alerts out', () => {
  it('opens a case alert per not-agreed strict-mode customer, on /ws, on NATS and in GET /api/alerts', async () => {
    const { status, body } = await getJson(monitor, '/api/alerts?status=open', { headers: auth(VIEWER) });
    expect(status).toBe(200);
    const ins1 = body.alerts.find((a: any) => a.id === 'case.INS-1');
    expect(ins1).toMatchObject({ kind: 'case', complaintType: 'insurance_dispute', scope: 'BJ-HD', status: 'open', ticketId: 'INS-1' });
    expect(typeof ins1.openedAt).toBe('string');
    expect(ins1.history[0].what).toBe('opened');
    const ins2 = body.alerts.find((a: any) => a.id === 'case.INS-2');
    expect(ins2.history.map((h: any) => h.what)).toContain('case-escalated');
    // the (type, scope) level alert applies as well (resolved by now: the plan year is over and
    // 2 customers are under the annual 4)
    const all = (await getJson(monitor, '/api/alerts?status=all', { headers: auth(VIEWER) })).body;
    expect(all.alerts.some((a: any) => a.kind === 'level' && a.complaintType === 'insurance_dispute' && a.scope === 'ALL')).toBe(true);
    await until('alert on /ws', () => wsMessages.find((m) => m.type === 'alert' && m.id === 'case.INS-1'));
    const onNats = await until('alert on NATS', () => natsMessages.find((m) => m.body.id === 'case.INS-1'));
    expect(onNats.subject).toBe('complaints.alerts.insurance_dispute.BJ-HD');
    // ready-made words for an SMS/WeCom gateway, with the plan's names
    expect(onNats.body.notice.text).toMatch(/^【消保预警·\S+】代理保险争议 · 海淀支行 · 工单 INS-1：逐笔盯盘/);
  });

  // Audit T 3: notices sent before their audit rows were sent again after a crash; now once in alert_log
  it('sends a gateway notice only once the change it announces is in the audit log', async () => {
    const first = await until('case.INS-2 on NATS', () => natsMessages.find((m) => m.body.id === 'case.INS-2'));
    expect(first.body.change.map((c: any) => c.what)).toContain('opened');
    expect(await first.logged).toContain('opened');
  });

  it('refuses without a token (401), with a viewer token (403) and out of a supervisor\'s branches (403)', async () => {
    expect((await getJson(monitor, '/api/alerts')).status).toBe(401);
    expect((await post(monitor, '/api/alerts/case.INS-1/ack', VIEWER, { by: 'v' })).status).toBe(403);
    const out = await post(monitor, '/api/alerts/case.INS-1/ack', SUP_SH, { by: '上海主管' });
    expect(out.status).toBe(403);
    expect(out.body.error).toBe('OUT_OF_SCOPE');
    expect((await post(monitor, '/api/alerts/case.INS-1/ack', SUP, {})).status).toBe(400);
    expect((await post(monitor, '/api/alerts/nope/ack', SUP, { by: 'x' })).status).toBe(404);
  });

  it('acknowledges over HTTP exactly as the contract says, keeping who and when', async () => {
    const { status, body } = await post(monitor, '/api/alerts/case.INS-1/ack', SUP, { by: '王主管' });
    expect(status).toBe(200);
    // the name typed, and the token that acted: its role and fingerprint, never the token (audit T 4)
    const credential = { role: 'supervisor', fingerprint: createHash('sha256').update(SUP).digest('hex').slice(0, 8) };
    expect(body).toMatchObject({ id: 'case.INS-1', status: 'acknowledged', ack: { by: '王主管', reason: 'unspecified', credential } });
    expect(body.history.at(-1)).toMatchObject({ what: 'acknowledged', by: '王主管', credential, before: expect.stringMatching(/^open\//) });
    // confirmed only once it is in the audit trail (a person's action cannot be derived again)
    const logged = await fetch(`${monitor.baseUrl}/api/sql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SUP}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: "SELECT actor, JSONExtractString(detail, 'credential', 'fingerprint') AS token FROM complaints.alert_log WHERE alert_id = 'case.INS-1' AND what = 'acknowledged'" }),
    });
    const audit = await logged.text();
    expect(audit).toContain('王主管');
    expect(audit).toContain(credential.fingerprint);
    expect(audit).not.toContain(SUP);
    expect((await post(monitor, '/api/alerts/case.INS-1/ack', SUP, { by: '王主管' })).status).toBe(409);
    const note = await post(monitor, '/api/alerts/case.INS-1/notice', SUP, { by: '王主管', to: '海淀支行', text: '消保提示书：请三日内回访客户' });
    expect(note.status).toBe(200);
    await until('ack on /ws', () => wsMessages.find((m) => m.type === 'alert' && m.id === 'case.INS-1' && m.status === 'acknowledged'));
    // as a spreadsheet for a case meeting: BOM for Excel, names, who acknowledged
    const csv = await fetch(`${monitor.baseUrl}/api/alerts?status=all&kind=case&format=csv`, { headers: auth(VIEWER) });
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="alerts-all.csv"/);
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect(bytes.subarray(0, 3).toString('hex')).toBe('efbbbf');
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength((await getJson(monitor, '/api/alerts?status=all&kind=case', { headers: auth(VIEWER) })).body.alerts.length + 1);
    expect(lines[0]).toMatch(/^预警编号 id,类别 kind,类型 type,类型名称 type name,机构 scope,/);
    expect(lines.find((l) => l.startsWith('case.INS-1,'))).toMatch(/,逐笔盯盘,insurance_dispute,代理保险争议,BJ-HD,海淀支行,.*,已确认,INS-1,.*,王主管,未说明 unspecified,[^,]*,[^,]*,消保提示书 notice,/);
    // then the first notice's and the ack's times (audit CH2, CH3)
    expect(lines[0]).toMatch(/,确认凭据 acknowledged with \(role and token fingerprint\),首次通知 first notice,确认时间 acknowledged at$/);
    const { raisedAt, ack } = (await getJson(monitor, '/api/alerts/case.INS-1', { headers: auth(VIEWER) })).body;
    expect(lines.find((l) => l.startsWith('case.INS-1,'))!.endsWith(`,supervisor ${credential.fingerprint},${raisedAt},${ack.at}`)).toBe(true);
    // the gateways' words say to whom the 消保提示书 went, and the message carries its id
    const sentNotice = await until('the notice on NATS', () => natsMessages.find((m) => m.body.id === 'case.INS-1' && m.body.change.some((c: any) => c.what === 'notice')));
    expect(sentNotice.body.notice.text).toContain('已发消保提示书：海淀支行');
    expect(sentNotice.body.noticeId).toMatch(/^[0-9a-f]{32}$/);
  });

  // Audit W F6: a year's alerts with their whole histories in one answer, rendered on the counting thread
  it('pages the list (limit, offset, total) and lists without histories on request; refuses bad values', async () => {
    // the alerts live on (the ladder climbs): pages compared with the whole list read around them
    const read = async (query: string) => (await getJson(monitor, `/api/alerts?${query}`, { headers: auth(VIEWER) })).body;
    const { whole, first, rest } = await until('the list unchanged around its pages', async () => {
      const before = await read('status=all');
      const pages = { first: await read('status=all&limit=1&history=none'), rest: await read('status=all&limit=1000&offset=1&history=last') };
      return JSON.stringify(await read('status=all')) === JSON.stringify(before) ? { whole: before, ...pages } : undefined;
    });
    expect(whole.total).toBe(whole.alerts.length);
    expect(whole.alerts.every((a: any) => Array.isArray(a.history) && a.history.length > 0)).toBe(true);
    expect([first.total, rest.total]).toEqual([whole.total, whole.total]);
    expect([...first.alerts, ...rest.alerts].map((a: any) => a.id)).toEqual(whole.alerts.map((a: any) => a.id));
    expect(first.alerts[0]).not.toHaveProperty('history');
    expect(first.alerts[0].historyCount).toBe(whole.alerts[0].history.length);
    expect(rest.alerts.map((a: any) => a.history.at(-1))).toEqual(whole.alerts.slice(1).map((a: any) => a.history.at(-1)));
    for (const bad of ['limit=0', 'limit=1001', 'offset=-1', 'history=full', 'level=red']) {
      const { status, body } = await getJson(monitor, `/api/alerts?${bad}`, { headers: auth(VIEWER) });
      expect([bad, status, body.message]).toEqual([bad, 400, expect.stringContaining(bad.split('=')[0]!)]);
    }
  });

  it('escalates an unacknowledged alert along the on-call ladder after its timeout', async () => {
    const alert = await until('escalation of INS-2', async () => {
      const { body } = await getJson(monitor, '/api/alerts?status=open', { headers: auth(VIEWER) });
      const a = body.alerts.find((x: any) => x.id === 'case.INS-2');
      return a && a.onCall.level === 2 ? a : undefined;
    });
    expect(alert.onCall.notify).toEqual(['role:admin']);
    expect(alert.history.filter((h: any) => h.what === 'escalated').at(-1)).toMatchObject({ by: 'on-call policy' });
    // the acknowledged one does not climb
    const { body } = await getJson(monitor, '/api/alerts/case.INS-1', { headers: auth(VIEWER) });
    expect(body.onCall.level).toBe(1);
  });

  it('a supervisor\'s correction flows through the pipeline and withdraws the case', async () => {
    const res = await post(monitor, '/api/corrections', SUP, { by: '王主管', ticketId: 'INS-2', branch: 'SH', complaintType: 'mortgage_prepayment', reason: '误分类' });
    expect(res.status).toBe(202);
    const withdrawn = await until('withdrawal', async () => {
      const { body } = await getJson(monitor, '/api/alerts?status=withdrawn', { headers: auth(VIEWER) });
      const a = body.alerts.find((x: any) => x.id === 'case.INS-2');
      return a?.resolution === 'withdrawn' ? a : undefined;
    });
    expect(withdrawn.status).toBe('resolved');
    expect(withdrawn.history.at(-1).reason).toMatch(/^correction corr-/);
    // `all` has the withdrawn one resolved; `existing` what the events still make
    const inList = async (status: string) => (await getJson(monitor, `/api/alerts?status=${status}`, { headers: auth(VIEWER) })).body.alerts.find((a: any) => a.id === 'case.INS-2');
    expect(await inList('all')).toMatchObject({ status: 'resolved', resolution: 'withdrawn' });
    expect(await inList('existing')).toBeUndefined();
    expect((await post(monitor, '/api/corrections', SUP_SH, { by: 'x', ticketId: 'INS-1', branch: 'BJ', complaintType: 'mortgage_prepayment' })).status).toBe(403);
  });

  it('keeps alerts, acknowledgements and history across a restart', async () => {
    const listAll = async () => (await getJson(monitor, '/api/alerts?status=all', { headers: auth(VIEWER) })).body.alerts;
    const before = await listAll();
    await new Promise((r) => setTimeout(r, 1000)); // the audit rows are written after each change
    await monitor.kill();
    monitor = await startMonitor({ NATS_URL: nats.url, PLAN, MONITOR_TOKENS: TOKENS, ALERT_TICK_MS: '300', DATA_DIR: monitor.dataDir });
    const after = await listAll();
    const ins1 = after.find((a: any) => a.id === 'case.INS-1');
    expect(ins1).toMatchObject({ status: 'acknowledged', ack: { by: '王主管' } });
    expect(ins1.history.map((h: any) => h.what)).toEqual(expect.arrayContaining(['opened', 'acknowledged', 'notice']));
    expect(after.find((a: any) => a.id === 'case.INS-2')).toMatchObject({ resolution: 'withdrawn' });
    expect(after.map((a: any) => a.id).sort()).toEqual(before.map((a: any) => a.id).sort());
  });
});
