import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { join } from 'node:path';
import type { TicketEvent } from '../../pipelines/model.ts';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { closeBrowser, launchBrowser, saveScreenshot } from '../helpers/browser.ts';
import { shuffled, ticketStream } from '../helpers/events.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { referenceCounts } from '../helpers/reference.ts';

// The weekly review (周复盘) of a past week, from a real stream, against an independent recount.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const events: TicketEvent[] = ticketStream({ seed: 31, tickets: 900, year: 2025, customers: 300 });
const WEEK = 20;
let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN });
  await publishEvents(nc, shuffled(events, 6));
  await waitConsumed(nc);
}, 180_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
});

describe('e2e - weekly review report', () => {
  it('gives this week and the cumulative not-agreed customers against the allowance, per type and scope', async () => {
    const { status, body } = await getJson(monitor, `/api/reports/weekly?week=${WEEK}`);
    expect(status, JSON.stringify(body)).toBe(200);
    const w = plan.weeks[WEEK - 1]!;
    const atEnd = referenceCounts(plan, events, w.endMs - 1);
    const atStart = referenceCounts(plan, events, w.startMs - 1);
    expect(body.rows).toHaveLength(plan.types.length * plan.scopes.length);
    let moved = 0;
    for (const r of body.rows) {
      const k = `${r.complaintType}|${r.scope}`;
      expect([k, r.cumulativeNotAgreed, r.weekNotAgreed]).toEqual([k, atEnd.get(k)!.unresolved, atEnd.get(k)!.unresolved - atStart.get(k)!.unresolved]);
      expect(r.allowanceToDate).toBeCloseTo(plan.allowanceToDate(r.complaintType, r.scope, w.endMs - 1), 9);
      moved += r.weekNotAgreed;
    }
    expect(moved).toBeGreaterThan(0);
    // strict type: cases = tickets with a not-agreed first contact; open until resolved agreed
    const t = (e: TicketEvent) => Date.parse(e.occurredAt);
    const corrected = new Set(events.filter((e) => e.kind === 'corrected').map((e) => e.ticketId));
    const strictCases = events.filter((e) => e.kind === 'first_contact' && e.complaintType === 'insurance_dispute' && e.outcome === 'not_agreed'
      && !corrected.has(e.ticketId) && t(e) >= w.startMs && t(e) < w.endMs).map((e) => e.ticketId).sort();
    const got = body.cases.find((c: { complaintType: string }) => c.complaintType === 'insurance_dispute');
    for (const id of strictCases) expect(got.newCases).toContain(id);
    expect(body.from).toBe('2025-05-12');
    expect(body.to).toBe('2025-05-18');
  });

  it('is stored and reopened as stored; CSV and printable Chinese HTML', async () => {
    const first = await getJson(monitor, `/api/reports/weekly?week=${WEEK}`);
    const again = await getJson(monitor, `/api/reports/weekly?week=${WEEK}`);
    expect(again.body.generatedAt).toBe(first.body.generatedAt);
    const stored = await getJson(monitor, '/api/reports/weekly/stored');
    expect(stored.body.weeks).toContain(WEEK);
    const csv = await (await fetch(`${monitor.baseUrl}/api/reports/weekly?week=${WEEK}&format=csv`)).text();
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toContain('complaint_type');
    expect(lines[0]).toMatch(/,level,previous_level,管控方式 mode_zh,级别 level_zh,上周级别 previous_level_zh,截至 as_of$/); // verify AT V3
    expect(lines[1]).toMatch(/,(强干预|管理相对值),(正常|关注|超标|严重超标),(正常|关注|超标|严重超标),$/); // a finished week: no as_of
    expect(lines).toHaveLength(1 + plan.types.length * plan.scopes.length);
    expect((await getJson(monitor, '/api/reports/weekly?week=99')).status).toBe(400);
    expect((await getJson(monitor, '/api/reports/weekly')).status).toBe(400);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(`${monitor.baseUrl}/api/reports/weekly?week=${WEEK}&format=html`);
      expect(await page.locator('h1').innerText()).toContain(`2025年第${WEEK}周`);
      expect(await page.locator('tbody tr').count()).toBe(plan.types.length * plan.scopes.length);
      // the wall's level words, text columns aligned with their cells, a stamp people read
      const levels = new Set(await page.locator('tbody td:last-child').allInnerTexts());
      expect([...levels].every((l) => /^(正常|关注|超标|严重超标)(（上周(正常|关注|超标|严重超标)）)?$/.test(l))).toBe(true);
      expect(await page.locator('th').first().evaluate((e) => getComputedStyle(e).textAlign)).toBe('left');
      expect(await page.locator('p.meta').innerText()).toMatch(/生成时间 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+08:00/);
      await saveScreenshot(page, 'weekly-review');
    } finally {
      await closeBrowser(browser);
    }
  });

  it('is not stored while the monitor cannot know it has read the whole stream; stored once it can', async () => {
    const week = WEEK + 1;
    await nats.kill();
    try {
      const res = await fetch(`${monitor.baseUrl}/api/reports/weekly?week=${week}`);
      const body = await res.json();
      expect(res.status).toBe(200);
      expect(body.provisional).toEqual({ behind: null, reason: 'broker' });
      expect(res.headers.get('x-review-provisional')).toBe('behind=unknown');
      const html = await (await fetch(`${monitor.baseUrl}/api/reports/weekly?week=${week}&format=html`)).text();
      expect(html).toContain('临时版本，未存档');
      expect((await getJson(monitor, '/api/reports/weekly/stored')).body.weeks).not.toContain(week);
    } finally {
      await nats.start();
    }
    const deadline = Date.now() + 30_000;
    while ((await getJson(monitor, '/api/health')).body.nats?.status !== 'connected' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const { body } = await getJson(monitor, `/api/reports/weekly?week=${week}`);
    expect(body.provisional).toBeUndefined();
    expect(body.rows).toHaveLength(plan.types.length * plan.scopes.length);
    expect((await getJson(monitor, '/api/reports/weekly/stored')).body.weeks).toContain(week);
  });

  // Audit AS F1: a strict case counted as closed for good from its first agreed resolution, so a
  // ticket reopened since (its case alert open, overdue, escalated) was missing from 仍未化解.
  it('lists as still open the strict cases whose last turn by the week\'s end was a reopening, as the case alerts are', async () => {
    const week = 30; // 2025-07-21 … 07-27
    const ticket = (id: string, turns: Array<[TicketEvent['kind'], string, TicketEvent['outcome']?]>): TicketEvent[] =>
      turns.map(([kind, day, outcome], i) => ({
        eventId: `wr-${id}-${i}`, ticketId: `WR-${id}`, kind, occurredAt: `2025-07-${day}T10:00:00+08:00`, branch: 'SH',
        complaintType: 'insurance_dispute', customerId: `WRC-${id}`, ...(outcome ? { outcome } : {}),
      }) as TicketEvent);
    await publishEvents(nc, [
      ...ticket('reopened', [['first_contact', '08', 'not_agreed'], ['resolved', '15', 'agreed'], ['reopened', '22']]),
      ...ticket('agreed', [['first_contact', '08', 'not_agreed'], ['resolved', '15', 'agreed']]),
      ...ticket('agreed-again', [['first_contact', '08', 'not_agreed'], ['resolved', '15', 'agreed'], ['reopened', '22'], ['resolved', '24', 'agreed']]),
      ...ticket('later', [['first_contact', '08', 'not_agreed'], ['resolved', '29', 'agreed']]),
      ...ticket('before', [['first_contact', '22', 'not_agreed'], ['resolved', '21', 'agreed']]),
    ]);
    await waitConsumed(nc);
    const { body } = await getJson(monitor, `/api/reports/weekly?week=${week}`);
    const mine = (ids: string[]) => ids.filter((id) => id.startsWith('WR-')).sort();
    const cases = body.cases.find((c: { complaintType: string }) => c.complaintType === 'insurance_dispute');
    expect(mine(cases.stillOpen)).toEqual(['WR-later', 'WR-reopened']);
    expect(mine(cases.newCases)).toEqual(['WR-before']);
    // the case alerts say the same of the ticket reopened
    expect((await getJson(monitor, '/api/alerts/case.WR-reopened')).body.status).not.toBe('resolved');
    expect((await getJson(monitor, '/api/alerts/case.WR-agreed-again')).body.status).toBe('resolved');
  });
});
