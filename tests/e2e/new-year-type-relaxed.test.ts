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

// Audit CQ1: a type strict in the old year's plan (auto_installment in 2025) and relative in the
// new one (the fixture's 2026). At the first start on the new plan its open 2025 case was
// announced `resolved [withdrawn]`, dropped from the console, and a `withdrawn` row ("re-derived
// at start") written under plan_year 2025: the ended year's history said a real, unresolved case
// never was. The old year's cases are judged by the old year's plan (the last one stored in force
// for 2025, complaints.plan_in_force): the case stays until its ticket is resolved agreed.

const SUP = 'supervisor-token-0123456789';
const TOKENS = `${SUP}:supervisor`;
const dir = mkdtempSync(join(tmpdir(), 'cewm-newyear-relaxed-'));
const base = readFileSync(join(ROOT, 'tests/fixtures/plan-2025.yaml'), 'utf8');
const ladder = (minutes: number) => `alerts:\n  onCall:\n    levels:\n      - { notify: [值班主管], afterMinutes: ${minutes} }\n      - { notify: ["role:admin"], afterMinutes: ${minutes} }\n    repeat: 0\n`;
const autoStrict = base.replace(/(code: auto_installment\n\s+name: \S+\n\s+mode: )relative/, '$1strict');
const PLAN_2025 = join(dir, 'plan-2025.yaml');
const PLAN_2026 = join(dir, 'plan-2026.yaml');
// the old plan's ladder waits an hour (nothing steps before the switch); the new one's, seconds
writeFileSync(PLAN_2025, `${autoStrict}\n${ladder(60)}`);
writeFileSync(PLAN_2026, `${base.replace(/^year: 2025$/m, 'year: 2026')}\n${ladder(0.04)}`);

const auto = { channel: 'branch', branch: 'SH', complaintType: 'auto_installment' } as const;
const ev = (eventId: string, ticketId: string, kind: TicketEvent['kind'], occurredAt: string, extra: Partial<TicketEvent> = {}): TicketEvent =>
  ({ ...auto, customerId: `CUST-${ticketId}`, eventId, ticketId, kind, occurredAt, ...extra }) as TicketEvent;

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;
const notices: Array<{ id: string; whats: string[]; resolution?: string }> = [];
const headers = { authorization: `Bearer ${SUP}`, 'content-type': 'application/json' };
const alertsNow = async (status = 'all') => (await getJson(monitor, `/api/alerts?status=${status}`, { headers })).body.alerts as any[];
const sql = async (query: string) => (await getJson(monitor, '/api/sql', { method: 'POST', headers, body: JSON.stringify({ query }) })).body.rows as any[];
const rowsOf = (id: string) => sql(`SELECT plan_year, what, reason, CAST(status AS String) AS status FROM complaints.alert_log WHERE alert_id = '${id}' ORDER BY logged_at, seq`);
let rows2025: any[] = []; // case.RX1's rows before the switch

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  const sub = nc.subscribe('complaints.alerts.>');
  void (async () => {
    for await (const m of sub) {
      const body = m.json<any>();
      notices.push({ id: body.id, whats: body.change.map((c: any) => c.what), resolution: body.resolution });
    }
  })();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN: PLAN_2025, MONITOR_TOKENS: TOKENS, ALERT_TICK_MS: '300' });
  await publishEvents(nc, [ev('rx-1f', 'RX1', 'first_contact', '2025-12-28T10:00:00+08:00', { outcome: 'not_agreed' })]);
  await waitConsumed(nc);
}, 120_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('e2e new year - a case of a type strict in the old year and relative in the new', () => {
  it('on the old plan: the case opens', async () => {
    await until('case.RX1 opened on NATS', () => notices.some((n) => n.id === 'case.RX1' && n.whats.includes('opened')));
    expect((await alertsNow('open')).map((a) => a.id)).toEqual(['case.RX1']);
    rows2025 = await until('its rows written', async () => { const r = await rowsOf('case.RX1'); return r.length > 0 && r; });
  });

  it('restarted on the new plan: still listed and followed, no withdrawn notice, no row written under 2025 at the start', async () => {
    const before = notices.length;
    await monitor.kill();
    monitor = await startMonitor({ NATS_URL: nats.url, PLAN: PLAN_2026, DATA_DIR: monitor.dataDir, MONITOR_TOKENS: TOKENS, ALERT_TICK_MS: '300' });
    expect((await getJson(monitor, '/api/health', { headers })).body.planYear).toBe(2026);
    await until('the engine started', () => monitor.output().includes('alert engine started'));
    // followed: it climbs the new plan's ladder (seconds long), so the start's notices have gone out
    const rx1 = await until('case.RX1 escalated on the new ladder (or taken back)', async () => (await alertsNow()).find((a) => a.id === 'case.RX1' && (a.onCall?.level === 2 || a.status === 'resolved')), 20_000);
    expect(rx1).toMatchObject({ status: 'open', complaintType: 'auto_installment', ticketId: 'RX1', openedAt: '2025-12-28T10:00:00.000+08:00' });
    expect(rx1.resolution).toBeUndefined();
    expect((await alertsNow('open')).map((a) => a.id)).toEqual(['case.RX1']); // the console's default list
    const after = notices.slice(before).filter((n) => n.id === 'case.RX1');
    expect(after.filter((n) => n.whats.includes('withdrawn') || n.resolution === 'withdrawn')).toEqual([]);
    // the ladder's own steps are the only rows since: none re-derived at start, none withdrawn
    const rows = await rowsOf('case.RX1');
    expect(rows.slice(0, rows2025.length)).toEqual(rows2025);
    expect(rows.slice(rows2025.length).filter((r) => r.what !== 'escalated')).toEqual([]);
    expect(rows.filter((r) => r.reason === 're-derived at start' || r.what === 'withdrawn')).toEqual([]);
    // the operator is told which plan judges the old year's cases
    expect(monitor.output()).toContain('"judgedBy":"its stored plan"');
  });

  it('a late 30 December first contact of that type opens its case (the 2025 plan judges it); a 2026 one does not (relative now)', async () => {
    await publishEvents(nc, [
      ev('rx-8f', 'RX8', 'first_contact', '2025-12-30T15:00:00+08:00', { outcome: 'not_agreed' }),
      ev('rx-6f', 'RX6', 'first_contact', '2026-01-03T15:00:00+08:00', { outcome: 'not_agreed' }),
    ]);
    await waitConsumed(nc);
    const rx8 = await until('case.RX8 opened', async () => (await alertsNow()).find((a) => a.id === 'case.RX8'), 20_000);
    expect(rx8).toMatchObject({ status: 'open', openedAt: '2025-12-30T15:00:00.000+08:00' });
    expect((await alertsNow()).some((a) => a.id === 'case.RX6')).toBe(false);
    // the late first contact changed something: not "stored, not counted"
    expect((await getJson(monitor, '/api/health', { headers })).body.events.outsidePlanYear).toBe(0);
  });

  it('a January resolution agreed closes it; its rows stay under 2025', async () => {
    await publishEvents(nc, [ev('rx-1r', 'RX1', 'resolved', '2026-01-05T10:00:00+08:00', { outcome: 'agreed' })]);
    await waitConsumed(nc);
    const rx1 = await until('case.RX1 closed', async () => (await alertsNow()).find((a) => a.id === 'case.RX1' && a.status === 'resolved'));
    expect(rx1.resolution).toBe('closed');
    await until('the close announced', () => notices.some((n) => n.id === 'case.RX1' && n.whats.includes('closed')));
    expect(notices.filter((n) => n.id === 'case.RX1' && n.resolution === 'withdrawn')).toEqual([]);
    const years = await sql("SELECT alert_id, groupUniqArray(plan_year) AS years FROM complaints.alert_log WHERE kind = 'case' GROUP BY alert_id ORDER BY alert_id");
    expect(years).toEqual([{ alert_id: 'case.RX1', years: [2025] }, { alert_id: 'case.RX8', years: [2025] }]);
  });
});
