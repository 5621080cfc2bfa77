import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TicketEvent } from '../../pipelines/model.ts';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { planHash } from '../../server/plan-in-force.ts';
import { toZonedIso } from '../../server/time.ts';
import { getJson, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { PLAN_2025 } from '../helpers/stack.ts';

// A stored 周复盘 follows what changes it, as analysts read it (complaints.weekly_reviews), without
// anyone opening the week and without the 10-minute check: the rest of a back-fill that arrived
// after the first check stored the week from its start (audit CB F5), a plan changed at runtime
// and a start under another PLAN file (CB F3: the review kept the old plan's allowances and levels
// through restarts and named no plan). The plan is the current year's, so a finished week exists.

const ADM = 'admin-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'cewm-review-follows-'));
const dataDir = join(dir, 'data');
const year = Number(toZonedIso(Date.now(), 'Asia/Shanghai').slice(0, 4));
const planText = readFileSync(PLAN_2025, 'utf8').replace(/^year: 2025$/m, `year: ${year}`);
const planPath = join(dir, 'plan.yaml');
writeFileSync(planPath, planText);
const plan = loadPlanFile(planPath);
const last = Math.min(plan.weekIndexAt(Date.now()), plan.weeks.length); // the last finished week (1-based), 0 in week 1
const week = plan.weeks[last - 1];
const MP = 'mortgage_prepayment';
const notAgreed = (i: number): TicketEvent => ({
  eventId: `wf-${i}`, ticketId: `WF-${i}`, kind: 'first_contact', outcome: 'not_agreed', branch: 'SH', complaintType: MP, customerId: `wf-cust-${i}`,
  occurredAt: toZonedIso(week!.startMs + 3_600_000 * (i + 1), 'Asia/Shanghai'),
});

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;
const headers = { authorization: `Bearer ${ADM}` };
const start = () => startMonitor({ NATS_URL: nats.url, PLAN: planPath, DATA_DIR: dataDir, MONITOR_TOKENS: `${ADM}:admin` });

type Row = { complaintType: string; scope: string; cumulativeNotAgreed: number; annualAllowance: number; level: string };
interface Stored { planHash: string; body: { planHash?: string; rows: Row[] }; mp: Row }
/** the stored review of the last finished week as analysts read it, if any */
async function storedRow(): Promise<Stored | undefined> {
  const res = await fetch(`${monitor.baseUrl}/api/sql`, {
    method: 'POST', headers: { ...headers, 'content-type': 'text/plain' },
    body: `SELECT plan_hash, body FROM complaints.weekly_reviews WHERE plan_year = ${year} AND week = ${last}`,
  });
  expect(res.status).toBe(200);
  const [row] = (await res.json()).rows as Array<{ plan_hash: string; body: string }>;
  if (!row) return undefined;
  const body = JSON.parse(row.body) as Stored['body'];
  return { planHash: row.plan_hash, body, mp: body.rows.find((x) => x.complaintType === MP && x.scope === 'ALL')! };
}
async function until(what: string, ok: (s: Stored) => boolean, timeoutMs = 60_000): Promise<Stored> {
  let seen: Stored | undefined;
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    seen = await storedRow();
    if (seen && ok(seen)) return seen;
  }
  throw new Error(`the stored review never ${what}; last seen: ${JSON.stringify(seen && { planHash: seen.planHash, mp: seen.mp })}`);
}

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  if (last >= 1) monitor = await start();
}, 120_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(last < 1)('e2e - a stored weekly review follows late events and the plan in force', () => {
  it('the rest of a back-fill replaces the review stored from its start, without the 10-minute check', async () => {
    await publishEvents(nc, [notAgreed(1), notAgreed(2)]);
    await waitConsumed(nc);
    // stored by the first check (5 s in) or at once: from what the monitor had read then
    const first = await until('was stored from the first part', (s) => s.mp.cumulativeNotAgreed === 2);
    expect([first.planHash, first.body.planHash]).toEqual([planHash(plan), planHash(plan)]);

    await publishEvents(nc, [notAgreed(3), notAgreed(4), notAgreed(5)]);
    await waitConsumed(nc);
    await until('counted the rest of the back-fill', (s) => s.mp.cumulativeNotAgreed === 5);
  }, 120_000);

  it('a plan change produces the stored weeks again under the new plan, which they name', async () => {
    const before = await until('was stored', () => true);
    const changed = planText.replace(/annualAllowance: 80$/m, 'annualAllowance: 400');
    const res = await fetch(`${monitor.baseUrl}/api/plan`, {
      method: 'PUT', headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ by: '测试管理员', reason: '上调', plan: changed }),
    });
    const put = await res.json();
    expect(res.status, JSON.stringify(put)).toBe(200);
    expect(put.newHash).not.toBe(before.planHash);
    const after = await until('followed the plan change', (s) => s.planHash === put.newHash);
    expect(after.body.planHash).toBe(put.newHash);
    expect([before.mp.annualAllowance, after.mp.annualAllowance]).toEqual([80, 400]);
    expect(after.mp.cumulativeNotAgreed).toBe(5);
    // and a supervisor opening the week reads the same, naming the plan
    const opened = await getJson(monitor, `/api/reports/weekly?week=${last}`, { headers });
    expect([opened.body.planHash, opened.body.provisional]).toEqual([put.newHash, undefined]);
    const page = await fetch(`${monitor.baseUrl}/api/reports/weekly?week=${last}&format=html`, { headers });
    expect(await page.text()).toContain(`管控值依据计划 ${(put.newHash as string).slice(0, 12)}`);
  }, 120_000);

  it('a start with another PLAN file produces the stored weeks again under it', async () => {
    await monitor.kill();
    writeFileSync(planPath, planText.replace(/annualAllowance: 80$/m, 'annualAllowance: 2'));
    const next = planHash(loadPlanFile(planPath));
    monitor = await start();
    const after = await until('followed the PLAN file', (s) => s.planHash === next);
    expect([after.body.planHash, after.mp.annualAllowance, after.mp.cumulativeNotAgreed]).toEqual([next, 2, 5]);
    expect(after.mp.level).toBe('critical'); // 5 customers against a year's 2
  }, 180_000);

  // audit CC F4: a correction made now re-types a ticket for all time (the counters at the week's
  // end change), but only events dated before the week's end made a stored week out of date
  it('a correction made after the week re-types one of its tickets: the stored week follows', async () => {
    const correction = { ...notAgreed(1), eventId: 'wf-1-corr', kind: 'corrected', complaintType: 'auto_installment', occurredAt: toZonedIso(Date.now(), 'Asia/Shanghai') } as TicketEvent;
    delete (correction as Partial<TicketEvent>).outcome;
    await publishEvents(nc, [correction]);
    await waitConsumed(nc);
    const after = await until('followed the correction', (s) => s.mp.cumulativeNotAgreed === 4);
    const counted = await getJson(monitor, `/api/counters?asOf=${encodeURIComponent(toZonedIso(week!.endMs - 1, 'Asia/Shanghai'))}&type=${MP}&scope=ALL`, { headers });
    expect(counted.body.rows[0].unresolvedCustomers).toBe(after.mp.cumulativeNotAgreed);
  }, 120_000);
});
