// Verify CR1 where the page runs (real Chromium, the fake wall-board server): after the New Year,
// open cases of the year before of a type strict then and relative now, or of a type the loaded
// plan dropped, were counted in the 在盯个案预警 tile and shown by no panel (a relative panel read
// 正常 with two overdue cases at on-call level 2 under it). The plan here is 2025's, the cases 2024's.
import { describe, expect, it } from 'vitest';
import { openPage, saveScreenshot } from '../helpers/browser.ts';
import type { SnapshotBody } from '../helpers/fake-wallboard-server.ts';
import { fakeBoard } from './fake-board.ts';
import { makeSnapshot } from './wallboard-fixture.ts';

const carried = (id: string, complaintType: string, urgency: string, onCall = 1) => ({
  id: `case.${id}`, kind: 'case', complaintType, scope: 'SH', level: 'critical', urgency, status: 'open',
  openedAt: '2024-12-29T15:00:00+08:00', ticketId: id, onCall: { level: onCall, round: 0, notify: [] }, history: [],
});
const alerts = [
  carried('W1', 'auto_installment', 'overdue', 2), carried('W2', 'auto_installment', 'stale'),
  carried('W3', 'insurance_dispute', 'new'), carried('D1', 'wealth_mgmt', 'overdue'),
];
const headline = (byType: Record<string, number>) => {
  const n = Object.values(byType).reduce((a, b) => a + b, 0);
  return { asOf: '2025-03-14T10:00:00+08:00', watch: 0.8, now: null, lastWeek: null,
    alerts: { open: n, unacknowledged: n, openCases: n, unacknowledgedCases: n, openCasesByType: byType, carriedNames: { types: byType.wealth_mgmt ? { wealth_mgmt: '理财产品' } : {}, branches: {} }, byLevel: {}, openedThisWeek: 0, openedLastWeek: 0 } };
};
const stage = fakeBoard(() => ({ ...makeSnapshot(), alerts, headline: headline({ auto_installment: 2, insurance_dispute: 1, wealth_mgmt: 1 }) }) as SnapshotBody);

const facts = () => {
  const panel = (type: string) => {
    const p = document.querySelector<HTMLElement>(`.panel[data-type="${type}"]`)!;
    const box = p.querySelector<HTMLElement>('.stat.cases');
    return { mode: p.dataset.mode, cases: p.dataset.cases ?? null, urgency: p.dataset.caseUrgency ?? null,
      shown: Boolean(box && !box.hidden && box.offsetParent !== null), text: box?.innerText.replace(/\s+/g, ' ') ?? null };
  };
  return {
    tile: document.querySelector<HTMLElement>('.tile[data-tile="cases"] .value')!.textContent,
    line: document.querySelector<HTMLElement>('.tile[data-tile="cases"] .sub')!.textContent,
    auto: panel('auto_installment'), insurance: panel('insurance_dispute'), mortgage: panel('mortgage_prepayment'),
    dropped: document.querySelector<HTMLElement>('#alerts li[data-alert-id="case.D1"] .a-what')?.textContent ?? null,
    overflowY: document.documentElement.scrollHeight > window.innerHeight + 1,
  };
};

describe('wall board - cases carried from the year before', () => {
  it('a relative panel shows its open carried cases and their urgency; a dropped type\'s are on the cases tile; all add up to the tile', async () => {
    const { page, errors } = await openPage(stage.browser, `${stage.server.url}/`);
    await page.waitForSelector('#alerts li[data-alert-id="case.W1"]', { timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('.tile[data-tile="cases"] .value')?.textContent === '4');
    const f = await page.evaluate(facts);
    await saveScreenshot(page, 'wallboard-carried-cases');
    expect(f.tile).toBe('4');
    expect(f.auto).toEqual({ mode: 'relative', cases: '2', urgency: 'overdue', shown: true, text: '上年度个案 · 超期 2' });
    expect(f.insurance).toMatchObject({ mode: 'strict', cases: '1', urgency: 'new', shown: true });
    expect(f.mortgage).toMatchObject({ mode: 'relative', cases: null, urgency: null, shown: false });
    expect(f.line).toBe('4 未确认 · 上年度个案 理财产品 1'); // the year before's name, from the headline
    expect(f.dropped).toBe('理财产品 · 上海分行');
    expect(f.overflowY).toBe(false);

    // the cases end: the relative panel goes back to its own figures, the tile's line to 未确认 alone
    stage.server.send({ type: 'headline', ...headline({ insurance_dispute: 1 }) });
    await page.waitForFunction(() => document.querySelector('.tile[data-tile="cases"] .value')?.textContent === '1');
    const after = await page.evaluate(facts);
    expect(after.auto).toMatchObject({ cases: null, urgency: null, shown: false });
    expect(after.insurance).toMatchObject({ cases: '1', shown: true });
    expect(after.line).toBe('1 未确认');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
