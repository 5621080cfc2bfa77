// Audit CB F1, F4, F7 where the pages run, in a real Chromium served by the fake wall-board
// server: a level alert's level now beside the highest it reached (console list and pane, the
// wall's ticker), the cell's figures now in the console's pane, the operator's data notice on
// the wall's top bar (as text, at 1920×1080 and 3840×2160), and the console's weekly-review week.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, saveScreenshot } from '../helpers/browser.ts';
import type { SnapshotBody } from '../helpers/fake-wallboard-server.ts';
import { fakeBoard } from './fake-board.ts';
import { AS_OF, makeSnapshot } from './wallboard-fixture.ts';

const NOTICE = '演示数据：美国CFPB公开投诉样本，按本行类型重新标注，非本行真实投诉 <img src=x onerror="window.__injected=1">';
const fallen = {
  id: 'level.2025.mortgage_prepayment.BJ-CY.1', kind: 'level', complaintType: 'mortgage_prepayment', scope: 'BJ-CY',
  level: 'breach', currentLevel: 'watch', status: 'open', openedAt: AS_OF, onCall: { level: 1, round: 0, notify: [] }, history: [],
};
const steady = { ...fallen, id: 'level.2025.auto_installment.GZ.1', complaintType: 'auto_installment', scope: 'GZ', level: 'critical', currentLevel: 'critical' };
const stage = fakeBoard(() => ({ ...makeSnapshot(), alerts: [fallen, steady], dataNotice: NOTICE }) as SnapshotBody);

const ctx = `({ typeName: (c) => c, scopeName: (c) => c, at: () => '', ladder: null, mayAct: true, readOnlyNote: '', reasons: ['unspecified'],
  typeOptions: () => '', notice: '', cellNow: () => ({ unresolvedCustomers: 15, allowanceToDate: 18.24, ratio: 0.822, level: 'watch' }) })`;
const inPage = <T>(page: Page, path: string, body: string) =>
  page.evaluate(`import(${JSON.stringify(path)}).then((m) => (${body}))`) as Promise<T>;

/** the wall's notice line and ticker: what they say, whether cut or crossing their box, the page's overflow */
const wallFacts = (page: Page) => page.evaluate(() => {
  const notice = document.getElementById('data-notice')!;
  const li = document.querySelector<HTMLElement>('#alerts li[data-alert-id="level.2025.mortgage_prepayment.BJ-CY.1"]');
  const level = li?.querySelector<HTMLElement>('.a-level');
  const box = li?.getBoundingClientRect();
  const lr = level?.getBoundingClientRect();
  return {
    notice: notice.hidden ? null : notice.textContent, markup: notice.children.length, injected: (window as any).__injected ?? null,
    noticeCut: notice.scrollWidth > notice.clientWidth + 1, noticeHeight: notice.getBoundingClientRect().height,
    level: level?.textContent ?? null, now: level?.querySelector('.a-now')?.textContent ?? null,
    levelInside: Boolean(box && lr && lr.left >= box.left - 0.5 && lr.right <= box.right + 0.5 && lr.bottom <= box.bottom + 0.5),
    steady: document.querySelector('#alerts li[data-alert-id="level.2025.auto_installment.GZ.1"] .a-level')?.textContent ?? null,
    overflowY: document.documentElement.scrollHeight > window.innerHeight + 1,
  };
});

describe('pages - the level now, the data notice, the weekly review', () => {
  it('the wall says the operator\'s notice on its top bar as text, and a fallen alert\'s level now, at 1920×1080 and 3840×2160', async () => {
    for (const [width, height] of [[1920, 1080], [3840, 2160]] as const) {
      const { page, errors } = await openPage(stage.browser, `${stage.server.url}/`, { width, height });
      await page.waitForSelector('#alerts li[data-alert-id="level.2025.mortgage_prepayment.BJ-CY.1"]', { timeout: 15_000 });
      const facts = await wallFacts(page);
      await saveScreenshot(page, `pages-data-notice-${width}`);
      expect(facts).toMatchObject({ notice: NOTICE, markup: 0, injected: null, noticeCut: false, levelInside: true, overflowY: false });
      expect(facts.noticeHeight).toBeGreaterThan(0);
      expect(facts.level).toBe('最高 超标现 关注');
      expect(facts.now).toBe('现 关注');
      expect(facts.steady).toBe('严重超标'); // at its highest: one word, as before
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  it('the console\'s list and pane say the highest level and the level now, and the cell\'s figures now', async () => {
    const { page } = await openPage(stage.browser, `${stage.server.url}/`);
    const shown = await inPage<string[]>(page, '/console/alert-view.js', `(() => {
      const text = (html) => Object.assign(document.createElement('div'), { innerHTML: html }).textContent.replace(/\\s+/g, ' ').trim();
      const row = m.listRowHtml(${JSON.stringify(fallen)}, ${ctx});
      const head = m.headHtml(${JSON.stringify(fallen)}, ${ctx});
      const steadyRow = m.listRowHtml(${JSON.stringify(steady)}, ${ctx});
      return [text(row).slice(0, 10), text(head), text(steadyRow).slice(0, 9)];
    })()`);
    expect(shown[0]).toBe('最高 超标 现 关注');
    expect(shown[1]).toMatch(/^最高 超标 现 关注 mortgage_prepayment · BJ-CY/);
    expect(shown[1]).toContain('格子现状 cell now：未达成一致 15 人 / 累计管控值 18.2（82.2%）· 关注');
    expect(shown[2]).toBe('严重超标 auto');
    // the 现级别 filter matches a level alert by its level now, a case by its urgency now
    const filtered = await inPage<string[]>(page, '/console/level-now.js', `[${JSON.stringify(fallen)}, ${JSON.stringify(steady)}, { kind: 'case', level: 'breach', urgency: 'stale' }].map(m.levelNowOf)`);
    expect(filtered).toEqual(['watch', 'critical', 'breach']);
    await page.context().close();
  });

  it('the console offers 解除 on an alert and 重开 on a resolved one', async () => {
    const { page } = await openPage(stage.browser, `${stage.server.url}/`);
    const forms = await inPage<string[][]>(page, '/console/alert-view.js', `[${JSON.stringify(fallen)}, { ...${JSON.stringify(fallen)}, status: 'resolved', resolution: 'manual' }]
      .map((a) => [...Object.assign(document.createElement('div'), { innerHTML: m.actionsPartHtml(a, ${ctx}) }).querySelectorAll('form')].map((f) => f.dataset.action))`);
    expect(forms[0]).toEqual(['ack', 'escalate', 'note', 'notice', 'assign', 'resolve', 'correct']);
    expect(forms[1]).toEqual(['reopen', 'note']);
    await page.context().close();
  });

  it('the console\'s weekly-review link names the last finished week (the last one after the year), none before one', async () => {
    const { page } = await openPage(stage.browser, `${stage.server.url}/?token=t0k`);
    const weeks = await inPage<unknown[]>(page, '/console/top-links.js', `(() => {
      const plan = ${JSON.stringify(makeSnapshot().plan)};
      const link = Object.assign(document.createElement('a'), { innerHTML: '<b></b>' });
      m.showWeeklyLink(link, plan, Date.parse('${AS_OF}'));
      const line = document.createElement('p');
      m.showDataNotice(line, '<b>x</b>');
      return [m.lastFinishedWeek(plan, Date.parse('2024-12-01T00:00:00+08:00')), m.lastFinishedWeek(plan, Date.parse('2026-11-28T00:00:00+08:00')) === plan.weeks.at(-1).index,
        link.getAttribute('href'), link.textContent, link.hidden, line.textContent, line.children.length];
    })()`);
    expect(weeks).toEqual([null, true, '/api/reports/weekly?week=10&format=html&token=t0k', '第10周', false, '<b>x</b>', 0]);
    await page.context().close();
  });
});
