import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, ROOT } from '../helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { liveStack } from '../helpers/stack.ts';
import { until } from '../faults/support.ts';

// Audit AF F3: a case opened, paged and climbed the ladder from a first contact dated ahead of the
// monitor's clock (another system's clock), while the counters counted it only once its time came;
// its history had a ladder step before its opening. It now opens when its time comes, at the
// counters' push of that instant: the clock's tick (an hour here) does not get the chance.

const YEAR = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));
const dir = mkdtempSync(join(tmpdir(), 'cewm-future-case-'));
const PLAN = join(dir, 'plan.yaml');
writeFileSync(PLAN, readFileSync(join(ROOT, 'tests/fixtures/plan-2025.yaml'), 'utf8').replace('year: 2025', `year: ${YEAR}`));

const live = liveStack({ PLAN, ALERT_TICK_MS: '3600000' });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('e2e alerts - a case whose first contact is dated ahead of the clock', () => {
  it('opens when its time comes, as the counters count it, and its ladder runs from then', async () => {
    const dueMs = Date.now() + 8_000;
    const base = { ticketId: 'AHEAD-C', branch: 'SH', complaintType: 'insurance_dispute', customerId: 'C-ahead-c', channel: 'branch' };
    await publishEvents(live.nc, [
      { ...base, eventId: 'ahead-c-o', kind: 'opened', occurredAt: new Date(Date.now() - 60_000).toISOString() },
      { ...base, eventId: 'ahead-c-fc', kind: 'first_contact', outcome: 'not_agreed', occurredAt: new Date(dueMs).toISOString() },
    ]);
    await waitConsumed(live.nc);
    const now = Date.now();
    const early = await getJson(live.monitor, '/api/alerts/case.AHEAD-C');
    // not yet (unless a loaded machine took the whole lead to get here)
    if (now < dueMs) expect(early.status).toBe(404);
    const opened = await until('the case at its first contact\'s time', async () => {
      const r = await getJson(live.monitor, '/api/alerts/case.AHEAD-C');
      return r.status === 200 ? r.body : undefined;
    }, 20_000);
    expect(opened).toMatchObject({ status: 'open', ticketId: 'AHEAD-C' });
    expect(Date.parse(opened.openedAt)).toBe(dueMs);
    expect(Date.parse(opened.raisedAt)).toBeGreaterThanOrEqual(dueMs);
    const openedLine = opened.history.findIndex((h: any) => h.what === 'opened');
    expect(opened.history.slice(0, openedLine).filter((h: any) => h.what === 'escalated')).toEqual([]);
    const { body } = await getJson(live.monitor, `/api/counters?year=${YEAR}&type=insurance_dispute&scope=SH`);
    expect(body.rows[0].unresolvedCustomers).toBe(1);
  }, 60_000);
});
