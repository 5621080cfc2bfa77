import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Level } from '../../pipelines/model.ts';
import { openPage, saveScreenshot } from '../helpers/browser.ts';
import { fakeBoard } from './fake-board.ts';
import type { SnapshotBody } from '../helpers/fake-wallboard-server.ts';
import { branches, makeSnapshot, types } from './wallboard-fixture.ts';

// The wall-board for a large bank (dozens of branches, a dozen types) and past its plan's year,
// in real Chromium against a scripted server: each test opens its own page on its own snapshot.

const stage = fakeBoard(makeSnapshot);

/** Opens a 1920×1080 page on `snapshot`, runs `check` on it and expects no page error; then the default snapshot again. */
async function onBoard(snapshot: SnapshotBody, check: (page: Page) => Promise<void>, viewport = { width: 1920, height: 1080 }): Promise<void> {
  stage.server.setSnapshot(snapshot);
  const { page, errors } = await openPage(stage.browser, `${stage.server.url}/`, viewport);
  try {
    await check(page);
    expect(errors).toEqual([]);
  } finally {
    await page.context().close();
    stage.server.setSnapshot(makeSnapshot());
  }
}

describe('wall-board page - a large bank, and the plan year', () => {
  it('wallboard - with 36 branches the grid shows the worst that fit and sums up the rest, legibly', async () => {
    const snap = makeSnapshot();
    const many = Array.from({ length: 36 }, (_, i) => ({ code: `B${String(i).padStart(2, '0')}`, name: `第${i}分行`, weight: 1 }));
    // B30 critical and B07 breached; twelve branches at watch on the third type, more than fit
    const watching = new Set([11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]);
    const level = (i: number, t: number): Level => (i === 30 && t === 0 ? 'critical' : i === 7 ? 'breach' : watching.has(i) && t === 2 ? 'watch' : 'ok');
    const rows = types.flatMap((t, ti) => many.map((b, i) => ({ ...snap.counters.find((r) => r.complaintType === t.code && r.scope === 'ALL')!, scope: b.code, level: level(i, ti), ratio: level(i, ti) === 'ok' ? 0.1 + i / 100 : 1.5 })));
    await onBoard({ ...snap, plan: { ...snap.plan, branches: many }, counters: [...snap.counters.filter((r) => r.scope === 'ALL'), ...rows] }, async (page) => {
      await page.waitForSelector('#grid th[data-scope="__others"]:not([hidden])', { timeout: 5_000 });
      const view = await page.evaluate(() => {
        const shown = [...document.querySelectorAll('#grid thead th[data-scope]')].filter((th) => !(th as HTMLElement).hidden).map((th) => (th as HTMLElement).dataset.scope);
        const cut = [...document.querySelectorAll('#grid td.cell:not([hidden]) .nums')].filter((n) => n.scrollWidth > n.clientWidth + 1).length;
        const wrap = document.getElementById('grid-wrap')!;
        return { shown, cut, overflow: wrap.scrollWidth - wrap.clientWidth, head: document.querySelector('#grid th[data-scope="__others"]')!.textContent };
    });
    // the bank-wide column, the two branches in trouble first, then the rest in one column
    expect(view.shown.slice(0, 3)).toEqual(['ALL', 'B30', 'B07']);
    expect(view.shown.at(-1)).toBe('__others');
    expect(view.shown.length).toBeGreaterThan(4);
    expect(view.head).toBe(`其余 ${36 - (view.shown.length - 2)} 家`);
    expect([view.cut, view.overflow <= 0]).toEqual([0, true]);
    // the third type's watches that did not fit are summed up in its rest cell
    const t3 = types[2].code;
    const hiddenWatching = [...watching].filter((i) => !view.shown.includes(`B${String(i).padStart(2, '0')}`)).length;
    expect(hiddenWatching).toBeGreaterThan(0);
    expect(await page.locator(`td[data-scope="__others"][data-type="${t3}"]`).getAttribute('data-level')).toBe('watch');
    expect(await page.locator(`td[data-scope="__others"][data-type="${t3}"] .others-count`).innerText()).toBe(`${hiddenWatching} 家非正常`);
    expect(await page.locator(`td[data-scope="__others"][data-type="${types[1].code}"] .others-count`).innerText()).toBe('全部正常');
    console.log('screenshot:', await saveScreenshot(page, 'wallboard-36-branches'));
    });
  });

  it('wallboard - a large bank looks the same at 4K as at 1080p: four charts, the same columns and rows', async () => {
    // five types in plan order, all ok alike (the order the chart row starts in), 36 branches
    const snap = makeSnapshot();
    const extra = ['t4', 't5'].map((code, i) => ({ code, name: `类型${i + 4}`, mode: 'relative', annualAllowance: 40 }));
    const many = Array.from({ length: 36 }, (_, i) => ({ code: `B${String(i).padStart(2, '0')}`, name: `第${i}分行`, weight: 1 }));
    const base = snap.counters.find((r) => r.scope === 'ALL')!;
    const all = [...types, ...extra];
    const counters = all.flatMap((t) => ['ALL', ...many.map((b) => b.code)].map((scope) => ({ ...base, complaintType: t.code, scope, level: 'ok' as Level, ratio: 0.1 })));
    const series = { ...snap.series, ...Object.fromEntries(extra.map((t) => [t.code, { ...snap.series.mortgage_prepayment!, complaintType: t.code }])) };
    const board = { ...snap, plan: { ...snap.plan, types: all, branches: many }, counters, series };
    const views: unknown[] = [];
    for (const viewport of [{ width: 1920, height: 1080 }, { width: 3840, height: 2160 }]) {
      await onBoard(board, async (page) => {
        await page.waitForSelector('#grid th[data-scope="__others"]', { timeout: 5_000 });
        views.push(await page.evaluate(() => ({
          panels: document.querySelectorAll('#panels > .panel:not([hidden])').length,
          columns: [...document.querySelectorAll('#grid thead th[data-scope]')].filter((th) => !(th as HTMLElement).hidden).length,
          rows: [...document.querySelectorAll('#grid tbody tr')].filter((tr) => !(tr as HTMLElement).hidden).length,
        })));
        console.log('screenshot:', await saveScreenshot(page, `wallboard-large-${viewport.width}`));
      }, viewport);
    }
    expect(views[0]).toMatchObject({ panels: 4, rows: 5 });
    expect(views[1]).toEqual(views[0]);
  });

  it('wallboard - with six types the chart row shows the worst four; the grid keeps all six', async () => {
    const snap = makeSnapshot();
    const extra = ['t4', 't5', 't6'].map((code, i) => ({ code, name: `类型${i + 4}`, mode: 'relative', annualAllowance: 40 }));
    const levels: Record<string, [Level, number]> = { mortgage_prepayment: ['ok', 0.3], insurance_dispute: ['watch', 0.9], auto_installment: ['ok', 0.2], t4: ['ok', 0.5], t5: ['critical', 2], t6: ['breach', 1.2] };
    const base = snap.counters.find((r) => r.scope === 'ALL')!;
    const counters = Object.entries(levels).map(([code, [level, ratio]]) => ({ ...base, complaintType: code, scope: 'ALL', level, ratio }));
    const series = { ...snap.series, ...Object.fromEntries(extra.map((t) => [t.code, { ...snap.series.mortgage_prepayment!, complaintType: t.code }])) };
    await onBoard({ ...snap, plan: { ...snap.plan, types: [...types, ...extra] }, counters, series }, async (page) => {
      await page.waitForFunction(() => document.querySelectorAll('#panels > .panel:not([hidden])').length === 4, undefined, { timeout: 5_000 });
      const shown = await page.evaluate(() => [...document.querySelectorAll('#panels > .panel:not([hidden])')].map((e) => (e as HTMLElement).dataset.type));
      expect(shown).toEqual(['t5', 't6', 'insurance_dispute', 't4']);
      expect(await page.locator('#grid tbody tr').count()).toBe(6);
      // and every row of the grid is on the screen
      const bottoms = await page.locator('#grid tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().bottom));
      expect(Math.max(...bottoms)).toBeLessThanOrEqual(1080);
      console.log('screenshot:', await saveScreenshot(page, 'wallboard-6-types'));
    });
  });

  it('wallboard - with twelve types the rows that fit are the worst, and one row sums up the rest', async () => {
    const snap = makeSnapshot();
    const extra = Array.from({ length: 9 }, (_, i) => ({ code: `x${i}`, name: `类型${i + 4}`, mode: 'relative', annualAllowance: 40 }));
    const base = snap.counters.find((r) => r.scope === 'ALL')!;
    // x0 critical, x1 breach, x2..x8 ok with falling ratios; the fixture's three ok and low
    const lv = (i: number): [Level, number] => (i === 0 ? ['critical', 2] : i === 1 ? ['breach', 1.2] : ['ok', 0.7 - i / 20]);
    const counters = [
      ...types.map((t) => ({ ...base, complaintType: t.code, scope: 'ALL', level: 'ok' as Level, ratio: 0.05 })),
      ...extra.map((t, i) => ({ ...base, complaintType: t.code, scope: 'ALL', level: lv(i)[0], ratio: lv(i)[1] })),
    ];
    // one hidden type is at watch in Shanghai: the rest row's Shanghai cell must say so
    counters.push({ ...base, complaintType: 'mortgage_prepayment', scope: 'SH', level: 'watch', ratio: 0.9 });
    const series = { ...snap.series, ...Object.fromEntries(extra.map((t) => [t.code, { ...snap.series.mortgage_prepayment!, complaintType: t.code }])) };
    await onBoard({ ...snap, plan: { ...snap.plan, types: [...types, ...extra] }, counters, series }, async (page) => {
      const rest = page.locator('#grid tr[data-type="__rest"]');
      await rest.waitFor({ timeout: 5_000 });
      const view = await page.evaluate(() => ({
        visible: [...document.querySelectorAll('#grid tbody tr')].filter((tr) => !(tr as HTMLElement).hidden).map((tr) => (tr as HTMLElement).dataset.type),
        bottom: Math.max(...[...document.querySelectorAll('#grid tbody tr')].map((tr) => tr.getBoundingClientRect().bottom)),
      }));
      expect(view.visible.slice(0, 2)).toEqual(['x0', 'x1']); // the worst on top
      expect(view.visible.at(-1)).toBe('__rest');
      expect(view.bottom).toBeLessThanOrEqual(1080);
      const hiddenCount = 12 - (view.visible.length - 1);
      expect(await rest.locator('th').innerText()).toBe(`其余 ${hiddenCount} 类`);
      expect(await rest.locator('td[data-scope="SH"]').getAttribute('data-level')).toBe('watch');
      expect(await rest.locator('td[data-scope="SH"] .others-count').innerText()).toBe('1 类非正常');
      expect(await rest.locator('td[data-scope="ALL"] .others-count').innerText()).toBe('全部正常');
      console.log('screenshot:', await saveScreenshot(page, 'wallboard-12-types'));
    });
  });

  it('wallboard - past its plan\'s year the board says new events are not counted, on one line', async () => {
    await onBoard({ ...makeSnapshot(), asOf: '2026-01-02T09:00:00+08:00' }, async (page) => {
      const pill = page.locator('#plan-ended');
      await pill.waitFor({ state: 'visible', timeout: 5_000 });
      expect(await pill.innerText()).toBe('2025 年度计划已结束 · 新事件未计入');
      // the top bar keeps one line: nothing in it wraps to make room
      const heights = await page.evaluate(() => [...document.querySelectorAll('#topbar > *')].map((e) => [e.id, Math.round(e.getBoundingClientRect().height)]));
      for (const [id, h] of heights) expect(h, String(id)).toBeLessThan(60);
    });
  });

  it('wallboard - a plan changed on the running monitor reaches an open screen whole: new branch, new name, no reload', async () => {
    const snap = makeSnapshot();
    await onBoard(snap, async (page) => {
      await page.waitForSelector('#grid th[data-scope="GZ"]', { timeout: 5_000 });
      const loads = await page.evaluate(() => performance.getEntriesByType('navigation').length);
      const plan = {
        ...snap.plan,
        branches: [...branches, { code: 'SZ', name: '深圳分行', weight: 1 }],
        types: types.map((t, i) => (i === 0 ? { ...t, name: `${t.name}（修订）` } : t)),
      };
      const sz = snap.counters.filter((r) => r.scope === 'GZ').map((r) => ({ ...r, scope: 'SZ' }));
      stage.server.send({ ...snap, plan, counters: [...snap.counters, ...sz], type: 'snapshot', reason: 'plan' });
      await page.waitForSelector('#grid th[data-scope="SZ"]', { timeout: 5_000 });
      expect(await page.locator('#grid th[data-scope="SZ"]').innerText()).toContain('深圳分行');
      expect(await page.locator(`.panel[data-type="${types[0].code}"] .type-name`).innerText()).toContain('（修订）');
      expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(loads);
    });
  });

  it('wallboard - a 1366×768 or 1280×720 display gets the 1920×1080 layout scaled down: nothing cut off', async () => {
    const layout = (page: Page) => page.evaluate(() => ({
      overflow: [document.documentElement.scrollWidth - innerWidth, document.documentElement.scrollHeight - innerHeight],
      pillInside: document.getElementById('conn')!.getBoundingClientRect().right <= innerWidth,
      columns: [...document.querySelectorAll('#grid thead th[data-scope]')].filter((th) => !(th as HTMLElement).hidden).length,
      rows: [...document.querySelectorAll('#grid tbody tr')].filter((tr) => !(tr as HTMLElement).hidden).length,
    }));
    let full: Awaited<ReturnType<typeof layout>> | undefined;
    await onBoard(makeSnapshot(), async (page) => {
      await page.waitForSelector('#grid td.cell');
      full = await layout(page);
    });
    for (const viewport of [{ width: 1366, height: 768 }, { width: 1280, height: 720 }]) {
      await onBoard(makeSnapshot(), async (page) => {
        await page.waitForSelector('#grid td.cell');
        expect({ viewport, ...(await layout(page)) }).toEqual({ viewport, ...full!, overflow: [0, 0], pillInside: true });
        await saveScreenshot(page, `wallboard-${viewport.width}`);
      }, viewport);
    }
  });
});
