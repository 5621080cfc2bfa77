import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TicketEvent } from '../../pipelines/model.ts';
import { compilePlan, parsePlan } from '../../pipelines/plan/index.ts';
import { currentYear, SAMPLE_PLAN } from '../../server/plan-source.ts';
import { getJson, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';

// The week in progress, read as the board reads it (audits CU2, CV2, CV3): a first contact dated
// later in the week (another system's clock) is not counted yet, a case resolved agreed before
// now is not still open for a re-open dated later, and the CSV says it is in progress.

const SUP = 'supervisor-token-0123456789';
const headers = { authorization: `Bearer ${SUP}` };
const dir = mkdtempSync(join(tmpdir(), 'cewm-review-in-progress-'));
const text = readFileSync(SAMPLE_PLAN, 'utf8').replace(/^year:\s*\d{4}/m, `year: ${currentYear(Date.now())}`);
const PLAN = join(dir, 'plan.yaml');
writeFileSync(PLAN, text);
const plan = compilePlan(parsePlan(text, PLAN));
const nowMs = Date.now();
const week = plan.weekIndexAt(nowMs) + 1; // weekIndexAt: the weeks finished
const w = plan.weeks[week - 1]!;
// instants inside this week: before now (never before the week's start) and after it (never past its end)
const before = (ms: number) => new Date(Math.max(w.startMs + 1_000, nowMs - ms)).toISOString();
const after = (ms: number) => new Date(Math.min(w.endMs - 1_000, nowMs + ms)).toISOString();
const ev = (eventId: string, ticketId: string, kind: TicketEvent['kind'], occurredAt: string, outcome?: 'agreed' | 'not_agreed'): TicketEvent =>
  ({ eventId, ticketId, kind, occurredAt, branch: 'SH', complaintType: 'insurance_dispute', customerId: `cust-${ticketId}`, ...(outcome ? { outcome } : {}) }) as TicketEvent;

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN, MONITOR_TOKENS: `${SUP}:supervisor` });
  await publishEvents(nc, [
    ev('p4-f', 'P4', 'first_contact', before(120_000), 'not_agreed'),
    ev('p4-r', 'P4', 'resolved', before(60_000), 'agreed'),
    ev('p4-o', 'P4', 'reopened', after(600_000)),
    ev('p5-f', 'P5', 'first_contact', after(600_000), 'not_agreed'),
  ]);
  await waitConsumed(nc);
}, 120_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('e2e weekly review - the week in progress', () => {
  it('is as of now: a case resolved before now is not still open, a first contact dated later is not in it', async () => {
    const { status, body } = await getJson(monitor, `/api/reports/weekly?week=${week}`, { headers });
    expect(status).toBe(200);
    expect(typeof body.asOf, JSON.stringify({ ...body, rows: body.rows?.length })).toBe('string');
    const cases = body.cases.find((c: { complaintType: string }) => c.complaintType === 'insurance_dispute');
    expect(cases).toEqual({ complaintType: 'insurance_dispute', newCases: ['P4'], stillOpen: [] });
    const sh = body.rows.find((r: { complaintType: string; scope: string }) => r.complaintType === 'insurance_dispute' && r.scope === 'SH');
    expect(sh.cumulativeNotAgreed).toBe(1);
  });

  it('its CSV says so: the file is named in progress, and every row carries the instant its figures are as of', async () => {
    const res = await fetch(`${monitor.baseUrl}/api/reports/weekly?week=${week}&format=csv`, { headers });
    expect(res.headers.get('content-disposition')).toMatch(/-in-progress\.csv"$/);
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/,截至 as_of$/);
    expect(lines.slice(1).every((l) => /,\d{4}-\d\d-\d\dT[\d:.]+\+08:00$/.test(l))).toBe(true);
  });
});
