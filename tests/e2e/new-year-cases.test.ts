import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TicketEvent } from '../../pipelines/model.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { until } from '../faults/support.ts';

// Audit CM1: on 1–2 January the operator restarts the monitor on the new year's plan
// (docs/OPERATIONS.md "New Year"). The old year's strict cases still open then need handling
// until their tickets are resolved agreed (contract section 4): they stay listed, acknowledged as
// they were, on the ladder, and are not announced again; a late first contact of 30 December
// arriving in January opens its case; a resolution agreed in January closes it. 2025/2026 stand
// in for the old and the new year (the real clock is past both New Years).

const SUP = 'supervisor-token-0123456789';
const TOKENS = `${SUP}:supervisor`;
const dir = mkdtempSync(join(tmpdir(), 'cewm-newyear-'));
const base = readFileSync(join(ROOT, 'tests/fixtures/plan-2025.yaml'), 'utf8');
const ladder = (minutes: number) => `alerts:\n  onCall:\n    levels:\n      - { notify: [值班主管], afterMinutes: ${minutes} }\n      - { notify: ["role:admin"], afterMinutes: ${minutes} }\n    repeat: 0\n`;
const PLAN_2025 = join(dir, 'plan-2025.yaml');
const PLAN_2026 = join(dir, 'plan-2026.yaml');
// the old plan's ladder waits an hour (nothing steps before the switch); the new one's, seconds
writeFileSync(PLAN_2025, `${base}\n${ladder(60)}`);
writeFileSync(PLAN_2026, `${base.replace(/^year: 2025$/m, 'year: 2026')}\n${ladder(0.04)}`);

const ins = { channel: 'branch', branch: 'SH', complaintType: 'insurance_dispute' } as const;
const ev = (eventId: string, ticketId: string, kind: TicketEvent['kind'], occurredAt: string, extra: Partial<TicketEvent> = {}): TicketEvent =>
  ({ ...ins, customerId: `CUST-${ticketId}`, eventId, ticketId, kind, occurredAt, ...extra }) as TicketEvent;
const oldYear: TicketEvent[] = [
  ev('ny-1o', 'NY1', 'opened', '2025-12-29T09:00:00+08:00'),
  ev('ny-1f', 'NY1', 'first_contact', '2025-12-29T10:00:00+08:00', { outcome: 'not_agreed' }),
  ev('ny-2f', 'NY2', 'first_contact', '2025-12-30T10:00:00+08:00', { outcome: 'not_agreed' }),
  ev('ny-m1f', 'M1', 'first_contact', '2025-12-20T10:00:00+08:00', { outcome: 'not_agreed', complaintType: 'mortgage_prepayment' }),
  ev('ny-m2f', 'M2', 'first_contact', '2025-12-21T10:00:00+08:00', { outcome: 'not_agreed', complaintType: 'mortgage_prepayment', branch: 'BJ-HD', customerId: 'CUST-M2' }),
];
/** the old year's exact final board as docs/OPERATIONS.md "New Year" gives it, for 2025 */
const finalBoardSql = () => {
  const doc = readFileSync(join(ROOT, 'docs/OPERATIONS.md'), 'utf8');
  const from = doc.indexOf('\n', doc.indexOf('Its final board, exactly'));
  const block = doc.slice(from).split('\n\n')[1]!;
  return block.split('\n').map((l) => l.slice(4)).join('\n').replaceAll('2026', '2025');
};
let board2025: any[] = []; // /api/counters on the 2025 plan before the switch
const outsidePlanYear = async () => (await getJson(monitor, '/api/health', { headers })).body.events.outsidePlanYear as number;

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;
const notices: Array<{ id: string; whats: string[] }> = [];
const headers = { authorization: `Bearer ${SUP}`, 'content-type': 'application/json' };
const alertsNow = async () => (await getJson(monitor, '/api/alerts?status=all', { headers })).body.alerts as any[];
const noticesOf = (id: string, what: string) => notices.filter((n) => n.id === id && n.whats.includes(what));

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  const sub = nc.subscribe('complaints.alerts.>');
  void (async () => {
    for await (const m of sub) {
      const body = m.json<any>();
      notices.push({ id: body.id, whats: body.change.map((c: any) => c.what) });
    }
  })();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN: PLAN_2025, MONITOR_TOKENS: TOKENS, ALERT_TICK_MS: '300' });
  await publishEvents(nc, oldYear);
  await waitConsumed(nc);
}, 120_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('e2e new year - the old year\'s strict cases after the restart on the new plan', () => {
  it('on the old plan: both cases open; one acknowledged with a note', async () => {
    await until('both cases opened on NATS', () => noticesOf('case.NY1', 'opened').length === 1 && noticesOf('case.NY2', 'opened').length === 1);
    const post = (path: string, body: object) => getJson(monitor, path, { method: 'POST', headers, body: JSON.stringify(body) });
    expect((await post('/api/alerts/case.NY1/ack', { by: '王主管' })).status).toBe(200);
    expect((await post('/api/alerts/case.NY1/note', { by: '王主管', text: '已约客户一月面谈' })).status).toBe(200);
    const listed = await alertsNow();
    expect(listed.find((a) => a.id === 'case.NY1')).toMatchObject({ status: 'acknowledged' });
    expect(listed.find((a) => a.id === 'case.NY2')).toMatchObject({ status: 'open', onCall: { level: 1 } });
  });

  it('on the old plan in January: a correction of its ticket is applied, not "stored, not counted" (audit CM3)', async () => {
    const mortgage = async () => (await getJson(monitor, '/api/counters', { headers })).body.rows.find((r: any) => r.complaintType === 'mortgage_prepayment' && r.scope === 'ALL').unresolvedCustomers;
    expect(await mortgage()).toBe(2);
    await publishEvents(nc, [
      ev('ny-m1c', 'M1', 'corrected', '2026-01-06T10:00:00+08:00', { outcome: 'agreed', complaintType: 'mortgage_prepayment' }),
      ev('ny-n1f', 'N1', 'first_contact', '2026-01-02T10:00:00+08:00', { outcome: 'agreed', complaintType: 'mortgage_prepayment' }), // next year's: not counted here
    ]);
    await waitConsumed(nc);
    expect(await mortgage()).toBe(1); // M2
    expect(await outsidePlanYear()).toBe(1);
    board2025 = (await getJson(monitor, '/api/counters', { headers })).body.rows;
  });

  it('restarted on the new year\'s plan: the old cases are listed as they were, not announced again, and stay on the ladder', async () => {
    const before = notices.length;
    await monitor.kill();
    monitor = await startMonitor({ NATS_URL: nats.url, PLAN: PLAN_2026, DATA_DIR: monitor.dataDir, MONITOR_TOKENS: TOKENS, ALERT_TICK_MS: '300' });
    expect((await getJson(monitor, '/api/health', { headers })).body.planYear).toBe(2026);
    // the open one climbs the new plan's ladder (seconds long): it is followed, not frozen
    const ny2 = await until('case.NY2 escalated on the new ladder', async () => (await alertsNow()).find((a) => a.id === 'case.NY2' && a.onCall?.level === 2));
    expect(ny2).toMatchObject({ status: 'open', complaintType: 'insurance_dispute', scope: 'SH', ticketId: 'NY2' });
    const ny1 = (await alertsNow()).find((a) => a.id === 'case.NY1');
    expect(ny1).toMatchObject({ status: 'acknowledged', ack: { by: '王主管' } });
    const whats = ny1.history.map((h: any) => h.what);
    expect(whats.filter((w: string) => w === 'opened')).toHaveLength(1);
    expect(whats).toEqual(expect.arrayContaining(['acknowledged', 'note']));
    expect(ny1.history.find((h: any) => h.what === 'note').detail.text).toBe('已约客户一月面谈');
    // nothing opened or raised again on the gateways' subjects
    await until('the step announced', () => notices.slice(before).some((n) => n.id === 'case.NY2' && n.whats.includes('escalated')));
    expect(notices.slice(before).filter((n) => n.whats.includes('opened') || n.whats.includes('raised'))).toEqual([]);
    // level alerts stay per plan year: none of 2025's is listed, and 2026 counts nothing of 2025
    expect((await alertsNow()).filter((a) => a.kind === 'level' && a.id.includes('.2025.'))).toEqual([]);
    const counters = (await getJson(monitor, '/api/counters', { headers })).body.rows as any[];
    expect(counters.find((r) => r.complaintType === 'insurance_dispute' && r.scope === 'ALL').unresolvedCustomers).toBe(0);
  });

  it('a late first contact of 30 December arriving in January opens its case; a resolution agreed in January closes a carried one', async () => {
    await publishEvents(nc, [
      ev('ny-9f', 'NY9', 'first_contact', '2025-12-30T15:00:00+08:00', { outcome: 'not_agreed' }),
      ev('ny-1r', 'NY1', 'resolved', '2026-01-05T10:00:00+08:00', { outcome: 'agreed' }),
      ev('ny-x1f', 'X1', 'first_contact', '2024-06-01T10:00:00+08:00', { outcome: 'agreed', complaintType: 'mortgage_prepayment' }), // changes nothing
      ev('ny-m2c', 'M2', 'corrected', '2026-01-04T10:00:00+08:00', { outcome: 'agreed', complaintType: 'mortgage_prepayment', branch: 'BJ-HD' }), // January's correction of a 2025 ticket
    ]);
    await waitConsumed(nc);
    // the late 30 Dec first contact opened a case: only the 2024 one is "stored, not counted" (CM3)
    await until('the case opened', async () => (await alertsNow()).some((a) => a.id === 'case.NY9'));
    expect(await outsidePlanYear()).toBe(1);
    const ny9 = await until('case.NY9 opened', async () => (await alertsNow()).find((a) => a.id === 'case.NY9'));
    expect(ny9).toMatchObject({ kind: 'case', status: 'open', ticketId: 'NY9', openedAt: '2025-12-30T15:00:00.000+08:00' });
    await until('case.NY9 announced', () => noticesOf('case.NY9', 'opened').length === 1);
    const ny1 = await until('case.NY1 closed', async () => (await alertsNow()).find((a) => a.id === 'case.NY1' && a.status === 'resolved'));
    expect(ny1.resolution).toBe('closed');
    expect(ny1.history.map((h: any) => h.what)).toEqual(expect.arrayContaining(['acknowledged', 'note', 'closed', 'resolved']));
    // the rows of the old year's cases stay under 2025: its history in SQL ends with the January close
    const sql = await getJson(monitor, '/api/sql', {
      method: 'POST', headers,
      body: JSON.stringify({ query: "SELECT alert_id, CAST(argMax(status, (logged_at, seq)) AS String) AS s, groupUniqArray(plan_year) AS years FROM complaints.alert_log WHERE kind = 'case' GROUP BY alert_id ORDER BY alert_id" }),
    });
    expect(sql.body.rows).toEqual([
      { alert_id: 'case.NY1', s: 'resolved', years: [2025] },
      { alert_id: 'case.NY2', s: 'open', years: [2025] },
      { alert_id: 'case.NY9', s: 'open', years: [2025] },
    ]);
  });

  it('the ended year\'s late events: said in health, and the documented final board has them while counters_current does not (audit CM2)', async () => {
    const health = (await getJson(monitor, '/api/health', { headers })).body;
    expect(health.events.endedYear).toMatchObject({ year: 2025, events: 2 });
    expect([...health.events.endedYear.tickets].sort()).toEqual(['M2', 'NY9']);
    expect(health.events.endedYear.note).toContain('not in 2025\'s written counters (counters_current)');
    expect(monitor.output()).toContain('"msg":"events of 2025 arrived while the 2026 plan is loaded');
    expect(monitor.output()).not.toContain('CUST-');
    const sql = (query: string) => getJson(monitor, '/api/sql', { method: 'POST', headers, body: JSON.stringify({ query }) });
    const exact = (await sql(finalBoardSql())).body;
    expect(exact.rows.length).toBe(board2025.length);
    // the 2025 plan's own board at the year's end, with January's late events in: NY9 (insurance, SH) added, M2 (mortgage, BJ-HD) agreed
    const moved: Record<string, number> = { 'insurance_dispute|SH': 1, 'insurance_dispute|ALL': 1, 'mortgage_prepayment|BJ-HD': -1, 'mortgage_prepayment|BJ': -1, 'mortgage_prepayment|ALL': -1 };
    const levelOf = (n: number, annual: number) => (n > annual ? 'critical' : annual !== 0 && n / annual >= 0.8 * (1 - 1e-12) ? 'watch' : 'ok');
    for (const want of board2025) {
      const key = `${want.complaintType}|${want.scope}`;
      const got = exact.rows.find((r: any) => r.complaint_type === want.complaintType && r.scope === want.scope);
      const n = want.unresolvedCustomers + (moved[key] ?? 0);
      expect([key, Number(got.unresolved_customers), got.annual_allowance, got.level]).toEqual([key, n, want.allowanceToDate, levelOf(n, want.allowanceToDate)]);
      if (!moved[key]) expect([key, got.level]).toEqual([key, want.level]);
    }
    // counters_current, as last written on the 2025 plan, misses both
    const written = (await sql("SELECT complaint_type, scope, unresolved_customers FROM complaints.counters_current WHERE plan_year = 2025 AND scope = 'ALL' ORDER BY complaint_type")).body.rows;
    expect(written.find((r: any) => r.complaint_type === 'insurance_dispute').unresolved_customers).toBe(2);
    expect(exact.rows.find((r: any) => r.complaint_type === 'insurance_dispute' && r.scope === 'ALL').unresolved_customers).toBe('3');
  });
});
