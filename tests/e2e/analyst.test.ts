import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TicketEvent } from '../../pipelines/model.ts';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { shuffled, ticketStream } from '../helpers/events.ts';
import { ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { referenceCounts } from '../helpers/reference.ts';
import { analystEvents, refEscalation, refHandling, refRepeat, refResolutionWeekly, refSatisfaction, refCumulative } from './analyst-reference.ts';

// Each analyst view (sql/021, sql/022), read through POST /api/sql from a monitor that consumed a
// real stream (duplicates, disorder, corrections), against values computed here from the events.

const SUP = 'supervisor-token-0123456789';
const VIEWER = 'viewer-token-0123456789';
const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const events: TicketEvent[] = analystEvents(ticketStream({ seed: 21, tickets: 700, year: 2025, customers: 150 }));
let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;

async function sql(query: string, opts: { token?: string; format?: string } = {}) {
  const res = await fetch(`${monitor.baseUrl}/api/sql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${opts.token ?? SUP}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, ...(opts.format ? { format: opts.format } : {}) }),
  });
  const text = await res.text();
  return { status: res.status, text, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
}

async function rows(view: string): Promise<Array<Record<string, string | number | null>>> {
  const r = await sql(`SELECT * FROM complaints.${view}`);
  expect(r.status, r.text).toBe(200);
  return r.body.rows;
}

const key = (r: Record<string, unknown>, period: string) => `${r.year}|${r[period]}|${r.complaint_type}|${r.scope}`;

function expectSame(actual: Array<Record<string, unknown>>, expected: Map<string, Record<string, number>>, period: string) {
  expect(expected.size).toBeGreaterThan(10);
  const got = new Map(actual.map((r) => [key(r, period), r]));
  expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [k, want] of expected) {
    const row = got.get(k)!;
    for (const [col, v] of Object.entries(want)) {
      expect({ k, col, v: Number(row[col]) }).toEqual({ k, col, v: expect.closeTo(v, 6) });
    }
  }
}

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN, MONITOR_TOKENS: `${SUP}:supervisor,${VIEWER}:viewer`, SQL_MAX_ROWS_TO_READ: '12000' });
  await publishEvents(nc, shuffled(events, 4));
  await publishEvents(nc, shuffled(events, 5).slice(0, 300), { withHeader: () => false }); // re-sent without the header
  await waitConsumed(nc);
}, 180_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
});

describe('e2e - analyst views through POST /api/sql', () => {
  it('v_resolution_weekly: not-agreed customers and one-time resolution rate per week, type, branch', async () => {
    expectSame(await rows('v_resolution_weekly'), refResolutionWeekly(events), 'week');
  });

  it('v_not_agreed_cumulative: running totals equal the counters at year end', async () => {
    const got = await rows('v_not_agreed_cumulative');
    expectSame(got, refCumulative(events), 'week');
    const plan = loadPlanFile(PLAN);
    const ref = referenceCounts(plan, events, Date.parse('2025-12-31T23:59:59+08:00'));
    for (const scope of ['ALL', 'SH', 'GZ']) {
      const last = got.filter((r) => r.year === 2025 && r.complaint_type === 'mortgage_prepayment' && r.scope === scope).sort((a, b) => Number(b.week) - Number(a.week))[0]!;
      expect(Number(last.cumulative_not_agreed_customers)).toBe(ref.get(`mortgage_prepayment|${scope}`)!.unresolved);
    }
  });

  it('v_repeat_complaints(days=N): same customer, same type, within N days', async () => {
    for (const days of [7, 30]) {
      const r = await sql(`SELECT * FROM complaints.v_repeat_complaints(days=${days})`);
      expect(r.status, r.text).toBe(200);
      expectSame(r.body.rows, refRepeat(events, days), 'month');
    }
  });

  it('v_handling_time: opened → resolved against 15 days, 30 when extended', async () => {
    const got = await rows('v_handling_time');
    expectSame(got, refHandling(events), 'month');
    expect(got.some((r) => Number(r.resolved_late) > 0)).toBe(true);
  });

  it('v_satisfaction and v_escalation_reach', async () => {
    expectSame(await rows('v_satisfaction'), refSatisfaction(events), 'month');
    expectSame(await rows('v_escalation_reach'), refEscalation(events), 'month');
  });

  it('v_alert_history and v_alert_weekly: the alert engine\'s changes, per alert and per week', async () => {
    // the engine writes its log after each batch: poll until the view knows every alert the API lists
    const deadline = Date.now() + 60_000;
    let api: string[] = [];
    let view: string[] = [];
    do {
      // the view keeps every episode the engine logged, withdrawn ones too, as status=all lists them
      const res = await fetch(`${monitor.baseUrl}/api/alerts?status=all`, { headers: { authorization: `Bearer ${SUP}` } });
      api = ((await res.json()) as { alerts: Array<{ id: string }> }).alerts.map((x) => x.id).sort();
      // the plan's year, and the cases of the year before it follows (the stream has 2024 tickets; docs/ALERTS.md)
      const r = await sql("SELECT DISTINCT alert_id FROM complaints.v_alert_history WHERE plan_year = 2025 OR (plan_year = 2024 AND kind = 'case') ORDER BY alert_id");
      view = r.body.rows.map((x: { alert_id: string }) => x.alert_id);
      if (api.length > 0 && view.length === api.length) break;
      await new Promise((res2) => setTimeout(res2, 500));
    } while (Date.now() < deadline);
    expect(api.length).toBeGreaterThan(0);
    expect(view).toEqual(api);
    const weekly = await sql('SELECT sum(changes) AS n FROM complaints.v_alert_weekly WHERE plan_year = 2025');
    const all = await sql('SELECT count() AS n FROM complaints.v_alert_history WHERE plan_year = 2025');
    expect(Number(weekly.body.rows[0].n)).toBe(Number(all.body.rows[0].n));
  });

  it('sql/README.md\'s rolled-up example equals /api/counters for every scope, parents included', async () => {
    const readme = readFileSync(join(ROOT, 'sql/README.md'), 'utf8');
    const query = readme.match(/-- The same with parents rolled up[\s\S]*?\n(SELECT[\s\S]*?);/)![1]!;
    const r = await sql(query);
    expect(r.status, r.text).toBe(200);
    const plan = loadPlanFile(PLAN);
    const asOf = new Date(plan.weeks[19]!.endMs - 1).toISOString();
    const api = await fetch(`${monitor.baseUrl}/api/counters?type=auto_installment&asOf=${asOf}`, { headers: { authorization: `Bearer ${SUP}` } });
    const rows = ((await api.json()) as { rows: Array<{ scope: string; unresolvedCustomers: number; allowanceToDate: number }> }).rows;
    const got = new Map((r.body.rows as Array<{ scope: string; customers: string; allowance_to_date: number }>).map((x) => [x.scope, x]));
    expect(rows.filter((x) => x.unresolvedCustomers > 0).length).toBeGreaterThan(3);
    for (const x of rows) {
      expect([x.scope, Number(got.get(x.scope)?.customers ?? 0)]).toEqual([x.scope, x.unresolvedCustomers]);
      if (got.has(x.scope)) expect([x.scope, got.get(x.scope)!.allowance_to_date]).toEqual([x.scope, x.allowanceToDate]);
    }
  });

  it('runs every example query of sql/README.md as written, with rows for the year it names', async () => {
    const readme = readFileSync(join(ROOT, 'sql/README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const queries = blocks.join('\n').split(/;\s*$/m).map((q) => q.replace(/^--.*$/gm, '').trim()).filter(Boolean);
    expect(queries.length).toBeGreaterThanOrEqual(7);
    for (const query of queries) {
      const r = await sql(query);
      expect({ query, status: r.status, text: r.status === 200 ? '' : r.text }).toEqual({ query, status: 200, text: '' });
      // no plan was changed in this run; every other example must find the year's data
      if (!query.includes('plan_changes')) expect({ query, rows: r.body.rowCount > 0 }).toEqual({ query, rows: true });
    }
  });

  it('answers CSV, and CSV with a byte-order mark for Excel', async () => {
    const r = await sql("SELECT complaint_type, sum(not_agreed_customers) AS n FROM complaints.v_resolution_weekly WHERE scope = 'ALL' GROUP BY complaint_type ORDER BY complaint_type", { format: 'csv' });
    expect(r.status).toBe(200);
    expect(r.text.split('\n')[0]).toBe('"complaint_type","n"');
    const excel = await fetch(`${monitor.baseUrl}/api/sql?format=excel`, {
      method: 'POST', headers: { authorization: `Bearer ${SUP}`, 'content-type': 'text/plain' },
      body: "SELECT '住房贷款' AS type_name, 1 AS n, -2 AS d, '=HYPERLINK(\"http://evil.example/\",\"看\")' AS customer_text",
    });
    expect(excel.status).toBe(200);
    expect(excel.headers.get('content-disposition')).toMatch(/attachment/);
    // the bytes, since fetch's text() drops a byte-order mark; a text that would run as a formula
    // is shown as text (audit U F8: Excel ran a customer's =HYPERLINK complaint)
    const bytes = Buffer.from(await excel.arrayBuffer()).toString('hex');
    expect(bytes).toBe(Buffer.from('\uFEFFtype_name,n,d,customer_text\r\n住房贷款,1,-2,"\'=HYPERLINK(""http://evil.example/"",""看"")"\r\n').toString('hex'));
    expect((await sql('SELECT 1', { format: 'xlsx' })).status).toBe(400);
  });

  it('refuses writes, system tables, table functions, long scans, bad SQL and weak tokens', async () => {
    const refused = [
      'INSERT INTO complaints.ticket_events (event_id) VALUES (1)',
      'ALTER TABLE complaints.ticket_events DELETE WHERE 1',
      'DROP TABLE complaints.ticket_events',
      'SELECT 1; DROP TABLE complaints.ticket_events',
      'SELECT * FROM system.tables',
      'SELECT * FROM `system`.`tables`',
      "SELECT * FROM file('/etc/passwd', 'LineAsString')",
      "SELECT * FROM url('http://127.0.0.1:1/', 'CSV')",
      'SELECT count() FROM numbers(1000000000)',
      'SELECT 1 SETTINGS readonly = 0',
      'SELECT 1 /* unterminated',
      'WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x',
    ];
    for (const q of refused) {
      const r = await sql(q);
      expect({ q, status: r.status }).toEqual({ q, status: 400 });
    }
    const scan = await sql(Array.from({ length: 8 }, () => 'SELECT event_id FROM complaints.ticket_events').join(' UNION ALL '));
    expect(scan.status, scan.text).toBe(422);
    expect(scan.body.message).toMatch(/Limit for rows/);
    const bad = await sql('SELECT no_such_column FROM complaints.ticket_events');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/no_such_column/);
    expect((await sql('SELECT 1', { token: VIEWER })).status).toBe(403);
    // the pipeline still writes after all that (nothing made the engine read-only)
    const late = ticketStream({ seed: 22, tickets: 20, year: 2025, prefix: 'late' });
    await publishEvents(nc, late);
    await waitConsumed(nc);
    const n = await sql("SELECT count() AS n FROM complaints.ticket_events WHERE startsWith(event_id, 'late-')");
    expect(Number(n.body.rows[0].n)).toBe(late.length);
  });
});
