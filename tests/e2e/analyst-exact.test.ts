import { beforeAll, describe, expect, it } from 'vitest';
import type { TicketEvent } from '../../pipelines/model.ts';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { liveStack, PLAN_2025 } from '../helpers/stack.ts';

// The analyst views against the API on the real engine, where they used to disagree (audit U):
// a person's correction gave its ticket the customer "correction" (F1); two corrections within
// one millisecond were ordered by event id, the counters by time (F5); a ticket of branch 'ALL'
// counted twice bank-wide (F10); counters_current kept the allowance of the week a count last
// changed, and the plan in force was not in ClickHouse (F2, F6). An unclassified ticket whose text
// came after its first contact counted under no type in the views (sql/030).

const SUP = 'supervisor-token-0123456789';
const plan = loadPlanFile(PLAN_2025);
const MP = 'mortgage_prepayment', AI = 'auto_installment', INS = 'insurance_dispute';
const ev = (eventId: string, ticketId: string, kind: TicketEvent['kind'], occurredAt: string, branch: string, complaintType: string, customerId: string, extra: Partial<TicketEvent> = {}): TicketEvent =>
  ({ eventId, ticketId, kind, occurredAt, branch, complaintType, customerId, ...extra }) as TicketEvent;

const events: TicketEvent[] = [
  // F1: two customers' tickets of one type, opened four days apart; people confirm both ('x-' ids sort after 'corr-')
  ev('x-R1-o', 'R-1', 'opened', '2025-03-03T09:00:00+08:00', 'SH', MP, 'cust-A'),
  ev('x-R1-f', 'R-1', 'first_contact', '2025-03-03T10:00:00+08:00', 'SH', MP, 'cust-A', { outcome: 'not_agreed' }),
  ev('x-R2-o', 'R-2', 'opened', '2025-03-07T09:00:00+08:00', 'SH', MP, 'cust-B'),
  ev('x-R2-f', 'R-2', 'first_contact', '2025-03-07T10:00:00+08:00', 'SH', MP, 'cust-B', { outcome: 'not_agreed' }),
  // F5: the later correction (0.4 ms) has the smaller id; both in one millisecond
  ...[1, 2, 3].flatMap((k) => [
    ev(`S${k}-f`, `S-${k}`, 'first_contact', '2025-06-02T10:00:00+08:00', 'GZ', MP, `cust-S${k}`, { outcome: 'not_agreed' }),
    ev(`S${k}-c1`, `S-${k}`, 'corrected', '2025-06-03T10:00:00.0004+08:00', 'GZ', AI, 'correction'),
    ev(`S${k}-c9`, `S-${k}`, 'corrected', '2025-06-03T10:00:00.0001+08:00', 'GZ', INS, 'correction'),
  ]),
  // a 12378 transfer the intake never typed: its text-less first contact arrives before the text
  // and counts under the type the text gives, in the views as in the counters
  ev('U1-f', 'U-1', 'first_contact', '2025-05-12T10:00:00+08:00', 'SH', 'unclassified', 'cust-U1', { outcome: 'not_agreed', channel: 'regulator_12378' }),
  ev('U1-o', 'U-1', 'opened', '2025-05-12T09:00:00+08:00', 'SH', 'unclassified', 'cust-U1', { channel: 'regulator_12378', text: '12378转办：客户反映住房贷款提前还款被收取违约金' }),
  // F10: a ticket whose branch code is ALL
  ev('A1-o', 'A-1', 'opened', '2025-08-04T09:00:00+08:00', 'ALL', AI, 'cust-ALL'),
  ev('A1-f', 'A-1', 'first_contact', '2025-08-04T10:00:00+08:00', 'ALL', AI, 'cust-ALL', { outcome: 'not_agreed' }),
  ev('A1-r', 'A-1', 'resolved', '2025-08-06T10:00:00+08:00', 'ALL', AI, 'cust-ALL', { outcome: 'agreed', satisfaction: 4 }),
];

const live = liveStack({ MONITOR_TOKENS: `${SUP}:supervisor` });

async function sql(query: string): Promise<Array<Record<string, string | number | null>>> {
  const res = await fetch(`${live.monitor.baseUrl}/api/sql`, {
    method: 'POST', headers: { authorization: `Bearer ${SUP}`, 'content-type': 'text/plain' }, body: query,
  });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  // 64-bit integers come back as strings (exact); the figures compared here are small
  const { columns, rows } = JSON.parse(text) as { columns: Array<{ name: string; type: string }>; rows: Array<Record<string, string | number | null>> };
  const wide = columns.filter((c) => /^(Nullable\()?U?Int(64|128|256)\b/.test(c.type)).map((c) => c.name);
  for (const row of rows) for (const name of wide) if (typeof row[name] === 'string') row[name] = Number(row[name]);
  return rows;
}

type ApiRow = { complaintType: string; scope: string; unresolvedCustomers: number; firstContactCustomers: number; allowanceToDate: number; ratio: number | null; level: string };
async function counters(query = ''): Promise<ApiRow[]> {
  const { status, body } = await getJson(live.monitor, `/api/counters?year=2025${query}`, { headers: { authorization: `Bearer ${SUP}` } });
  expect(status, JSON.stringify(body)).toBe(200);
  return body.rows;
}

beforeAll(async () => {
  await publishEvents(live.nc, events);
  await waitConsumed(live.nc);
  for (const ticketId of ['R-1', 'R-2']) {
    const res = await fetch(`${live.monitor.baseUrl}/api/corrections`, {
      method: 'POST', headers: { authorization: `Bearer ${SUP}`, 'content-type': 'application/json' },
      body: JSON.stringify({ by: '王主管', ticketId, branch: 'SH', complaintType: MP, reason: '核对客户诉求' }),
    });
    expect(res.status, await res.text()).toBe(202);
  }
  await waitConsumed(live.nc);
}, 120_000);

describe('e2e - analyst views agree with the counters', () => {
  it('a ticket a person corrected keeps its own customer: no repeat complaint made of two customers', async () => {
    const people = await sql("SELECT count() AS n FROM complaints.events_dedup WHERE kind = 'corrected' AND tags['correctedBy'] != ''");
    expect(Number(people[0]!.n)).toBe(2);
    const tickets = await sql(`SELECT t.ticket_id AS ticket_id, t.customer_hash = f.customer_hash AS own
                               FROM complaints.tickets AS t JOIN complaints.first_contacts AS f USING (ticket_id)
                               WHERE ticket_id IN ('R-1', 'R-2') ORDER BY ticket_id`);
    expect(tickets).toEqual([{ ticket_id: 'R-1', own: 1 }, { ticket_id: 'R-2', own: 1 }]);
    const repeat = await sql(`SELECT tickets, repeat_tickets FROM complaints.v_repeat_complaints(days = 30)
                              WHERE year = 2025 AND month = 3 AND complaint_type = '${MP}' AND scope = 'ALL'`);
    expect(repeat).toEqual([{ tickets: 2, repeat_tickets: 0 }]);
  });

  it('of two corrections within one millisecond the later wins, in SQL as in /api/counters', async () => {
    const types = await sql("SELECT DISTINCT complaint_type FROM complaints.first_contacts WHERE ticket_id LIKE 'S-%'");
    expect(types).toEqual([{ complaint_type: AI }]);
    for (const scope of ['GZ', 'ALL']) {
      const api = new Map((await counters(`&scope=${scope}`)).map((r) => [r.complaintType, r.unresolvedCustomers]));
      const got = await sql(`SELECT complaint_type, uniqExactIf(customer_hash, outcome = 'not_agreed') AS n FROM complaints.first_contacts
                             WHERE year = 2025 ${scope === 'ALL' ? '' : `AND branch = '${scope}'`} GROUP BY complaint_type`);
      for (const t of plan.types) expect([scope, t.code, Number(got.find((r) => r.complaint_type === t.code)?.n ?? 0)]).toEqual([scope, t.code, api.get(t.code)]);
    }
  });

  it('a ticket of branch ALL counts once in the bank-wide rows', async () => {
    const filter = `year = 2025 AND month = 8 AND complaint_type = '${AI}' AND scope = 'ALL'`;
    expect(await sql(`SELECT tickets, resolved FROM complaints.v_handling_time WHERE ${filter}`)).toEqual([{ tickets: 1, resolved: 1 }]);
    expect(await sql(`SELECT rated_tickets FROM complaints.v_satisfaction WHERE ${filter}`)).toEqual([{ rated_tickets: 1 }]);
    expect(await sql(`SELECT cases FROM complaints.v_escalation_reach WHERE ${filter}`)).toEqual([{ cases: 1 }]);
    expect(await sql(`SELECT count() AS n FROM complaints.v_handling_time WHERE year = 2025 AND month = 8 AND complaint_type = '${AI}'`)).toEqual([{ n: 1 }]);
  });

  it('counters_current and the allowance curve give what /api/counters gives, for every cell', async () => {
    const api = await counters();
    const key = (t: unknown, s: unknown) => `${t}|${s}`;
    // the monitor writes its counter history after each batch: wait until the last correction's row is there
    let got: Array<Record<string, string | number | null>> = [];
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      got = await sql('SELECT complaint_type, scope, unresolved_customers, allowance_to_date, ratio, level FROM complaints.counters_current WHERE plan_year = 2025');
      const now = new Map(got.map((r) => [key(r.complaint_type, r.scope), Number(r.unresolved_customers)]));
      if (api.every((r) => now.get(key(r.complaintType, r.scope)) === r.unresolvedCustomers)) break;
    }
    expect(got).toHaveLength(api.length);
    const byKey = new Map(got.map((r) => [key(r.complaint_type, r.scope), r]));
    for (const r of api) {
      const row = byKey.get(key(r.complaintType, r.scope))!;
      expect({ k: key(r.complaintType, r.scope), u: Number(row.unresolved_customers), a: row.allowance_to_date, ratio: row.ratio, level: row.level })
        .toEqual({ k: key(r.complaintType, r.scope), u: r.unresolvedCustomers, a: r.allowanceToDate, ratio: r.ratio, level: r.level });
    }
    // at the end of week 23 (after the S tickets' first contacts), from the curve of the plan in force
    const end23 = plan.weeks[22]!.endMs - 1;
    const at23 = await counters(`&asOf=${encodeURIComponent(new Date(end23).toISOString())}`);
    const curve = await sql('SELECT complaint_type, scope, allowance_to_date FROM complaints.allowance_curve WHERE plan_year = 2025 AND week = 23');
    expect(curve).toHaveLength(at23.length);
    for (const r of at23) expect(curve.find((c) => c.complaint_type === r.complaintType && c.scope === r.scope)!.allowance_to_date).toBe(r.allowanceToDate);
    // the year-to-date customers per week, at the end of week 23, for the leaf branches and ALL
    const ytd = await sql(`SELECT complaint_type, scope, argMax(cumulative_first_contact_customers, week) AS fc, argMax(cumulative_not_agreed_customers, week) AS na
                           FROM complaints.v_resolution_cumulative WHERE year = 2025 AND week <= 23 GROUP BY complaint_type, scope`);
    for (const r of at23.filter((x) => ['ALL', 'SH', 'GZ'].includes(x.scope))) {
      const row = ytd.find((y) => y.complaint_type === r.complaintType && y.scope === r.scope);
      expect([r.complaintType, r.scope, Number(row?.fc ?? 0), Number(row?.na ?? 0)]).toEqual([r.complaintType, r.scope, r.firstContactCustomers, r.unresolvedCustomers]);
    }
  });
});
