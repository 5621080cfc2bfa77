// The wall-board left open for hours (audit AB F3, F6): a drill-down left open keeps its figures
// live, greys with the board under the "连接中断" banner and takes a new snapshot's figures; a
// cell that turns critical blinks for a while, then stays marked without blinking.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { saveScreenshot } from '../helpers/browser.ts';
import { fakeBoard } from './fake-board.ts';
import { AS_OF, UNRESOLVED, counterRow, makeSnapshot } from './wallboard-fixture.ts';

const MORTGAGE = 'mortgage_prepayment';
const stage = fakeBoard(makeSnapshot);

const counter = (type: string, scope: string, unresolved: number) => ({ type: 'counter', asOf: AS_OF, ...counterRow(type, scope, unresolved) });
const drillHead = (page: Page, scope: string) => page.locator(`#drill .drill-item[data-scope="${scope}"] h3`).innerText();

async function opened(url = '/', beforeGoto?: (page: Page) => Promise<void>, snap = makeSnapshot()) {
  stage.server.setSnapshot(snap);
  const context = await stage.browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await beforeGoto?.(page);
  await page.goto(`${stage.server.url}${url}`);
  await page.waitForFunction('window.__wallboard && window.__wallboard.connected && window.__wallboard.shownSeq !== null', undefined, { timeout: 15_000 });
  return page;
}

describe('wall-board left open', () => {
  it('wallboard - a drill-down left open follows the live figures, greys under the banner when the link drops, and takes the next snapshot', async () => {
    const page = await opened();
    // the branch curves, as the monitor's /api/series would give them (the fake server has none)
    const fetched: string[] = [];
    await page.route('**/api/series?*', (route) => {
      fetched.push(new URL(route.request().url()).searchParams.get('scope')!);
      return route.fulfill({ json: { ...makeSnapshot().series[MORTGAGE], scope: fetched.at(-1) } });
    });
    try {
      await page.locator(`.panel[data-type="${MORTGAGE}"]`).click();
      await page.waitForFunction(() => document.querySelectorAll('#drill .drill-item canvas').length === 6, undefined, { timeout: 5_000 });
      expect(fetched.length).toBe(6);
      const all = counterRow(MORTGAGE, 'ALL', UNRESOLVED[MORTGAGE]!.ALL!);
      expect(await drillHead(page, 'ALL')).toBe(`全行 ${all.unresolvedCustomers} / ${all.allowanceToDate.toFixed(1)}`);

      // live frames: the open drill-down shows them, as the grid does
      const seq = stage.server.send(counter(MORTGAGE, 'SH', 40));
      await page.waitForFunction(`window.__wallboard.shownSeq >= ${seq}`, undefined, { timeout: 5_000 });
      const sh = counterRow(MORTGAGE, 'SH', 40);
      expect(await drillHead(page, 'SH')).toBe(`上海分行 40 / ${sh.allowanceToDate.toFixed(1)}`);
      expect(await page.locator('#drill .drill-item[data-scope="SH"]').getAttribute('data-level')).toBe(sh.level);

      // the link drops: the drill-down goes grey with the board, the banner is above it
      stage.server.setAccepting(false);
      stage.server.dropClients();
      await page.waitForFunction('document.body.classList.contains("stale") && !document.getElementById("conn-banner").hidden', undefined, { timeout: 5_000 });
      const view = await page.evaluate(() => {
        const banner = document.getElementById('conn-banner')!.getBoundingClientRect();
        const onTop = document.elementFromPoint(banner.left + banner.width / 2, banner.top + banner.height / 2);
        const item = document.querySelector('#drill .drill-grid')!;
        return { bannerOnTop: !!onTop?.closest('#conn-banner'), filter: getComputedStyle(item).filter, opacity: Number(getComputedStyle(item).opacity) };
      });
      expect(view).toEqual({ bannerOnTop: true, filter: 'grayscale(1)', opacity: expect.any(Number) });
      expect(view.opacity).toBeLessThan(1);
      await saveScreenshot(page, 'wallboard-drill-link-down');

      // back with a new picture: the drill-down stays open on its figures
      stage.server.setSnapshot(makeSnapshot({ ...UNRESOLVED, [MORTGAGE]: { ...UNRESOLVED[MORTGAGE]!, ALL: 30 } }));
      stage.server.setAccepting(true);
      await page.waitForFunction('window.__wallboard.connected && !document.body.classList.contains("stale")', undefined, { timeout: 40_000 });
      await page.waitForFunction((want) => document.querySelector('#drill .drill-item[data-scope="ALL"] h3')?.textContent === want, `全行 30 / ${all.allowanceToDate.toFixed(1)}`, { timeout: 5_000 });
      expect(await page.locator('#drill .drill-grid').evaluate((e) => getComputedStyle(e).filter)).toBe('none');
      // and its curves fetched again for the new picture, drawn in the same charts
      await expect.poll(() => fetched.length, { timeout: 5_000 }).toBe(12);
      expect(await page.locator('#drill .drill-item canvas').count()).toBe(6);
    } finally {
      stage.server.setAccepting(true);
      await page.context().close();
    }
  });

  it('wallboard - an open drill-down draws its newest curve load, not an older answer that arrives last, and its curves end at the live figures', async () => {
    const page = await opened();
    // the opening's six /api/series answers are held; the load a new snapshot starts is answered at
    // once; each load's curves carry their own first week so the test can tell which one is drawn
    const OLDER = 1, NEWER = 2;
    let requests = 0, releaseOlder!: () => void;
    const older = new Promise<void>((r) => (releaseOlder = r));
    const curve = (scope: string, firstWeek: number) => {
      const s = makeSnapshot().series[MORTGAGE]!;
      return { ...s, scope, actual: [firstWeek, ...s.actual.slice(1)] };
    };
    await page.route('**/api/series?*', async (route) => {
      const scope = new URL(route.request().url()).searchParams.get('scope')!;
      requests += 1;
      if (requests <= 6) {
        await older;
        return route.fulfill({ json: curve(scope, OLDER) });
      }
      return route.fulfill({ json: curve(scope, NEWER) });
    });
    const view = () => page.evaluate(() => (window as unknown as { __wallboard: { drill: { answered: number; curves: Record<string, Array<number | null>> } | null } }).__wallboard.drill);
    try {
      await page.locator(`.panel[data-type="${MORTGAGE}"]`).click();
      await expect.poll(() => requests, { timeout: 5_000 }).toBe(6);
      // a new picture while the opening's load is out: a second load, answered first
      stage.server.send({ type: 'snapshot', ...makeSnapshot() });
      await page.waitForFunction(() => document.querySelectorAll('#drill .drill-item canvas').length === 6, undefined, { timeout: 5_000 });
      expect((await view())!.curves.ALL![0]).toBe(NEWER);
      releaseOlder();
      await page.waitForFunction(() => (window as unknown as { __wallboard: { drill: { answered: number } } }).__wallboard.drill.answered === 2, undefined, { timeout: 5_000 });
      const drawn = (await view())!;
      expect(Object.fromEntries(Object.entries(drawn.curves).map(([scope, actual]) => [scope, actual[0]]))).toEqual({ ALL: NEWER, BJ: NEWER, 'BJ-HD': NEWER, 'BJ-CY': NEWER, SH: NEWER, GZ: NEWER });

      // a live frame moves the heading and the end of that branch's curve alike, without a refetch
      const seq = stage.server.send(counter(MORTGAGE, 'SH', 57));
      await page.waitForFunction(`window.__wallboard.shownSeq >= ${seq}`, undefined, { timeout: 5_000 });
      expect(await drillHead(page, 'SH')).toMatch(/^上海分行 57 \//);
      const sh = (await view())!.curves.SH!;
      expect(sh.filter((v) => v != null).at(-1)).toBe(57);
      expect(requests).toBe(12);
    } finally {
      await page.context().close();
    }
  });

  it('wallboard - a cell that turns critical blinks for a limited time, then stays marked without blinking', async () => {
    const page = await opened('/', (p) => p.clock.install());
    try {
      const cellAnimations = () => page.evaluate(() => document.getAnimations()
        .filter((a) => a.playState === 'running' && (a.effect as KeyframeEffect | null)?.target?.closest('#grid'))
        .map((a) => `${((a.effect as KeyframeEffect).target as HTMLElement).dataset.scope ?? ''}${(a.effect as KeyframeEffect).pseudoElement ?? ''} ${(a as CSSAnimation).animationName ?? 'pulse'}`));
      const td = page.locator(`td.cell[data-type="${MORTGAGE}"][data-scope="SH"]`);
      expect(await td.getAttribute('data-level')).not.toBe('critical');
      // steady critical cells from the first picture do not blink
      expect((await cellAnimations()).filter((a) => !a.endsWith('pulse'))).toEqual([]);

      const row = counterRow(MORTGAGE, 'SH', 100);
      expect(row.level).toBe('critical');
      const seq = stage.server.send(counter(MORTGAGE, 'SH', 100));
      await page.waitForFunction(`window.__wallboard.shownSeq >= ${seq}`, undefined, { timeout: 5_000 });
      expect(await td.getAttribute('data-alarm')).toBe('');
      expect(await cellAnimations()).toContain('SH::after alarm');

      // the picture the page gets if it reconnects meanwhile (a long fast-forward misses heartbeats)
      stage.server.setSnapshot(makeSnapshot({ ...UNRESOLVED, [MORTGAGE]: { ...UNRESOLVED[MORTGAGE]!, SH: 100 } }));
      const limit = (await page.evaluate("import('/src/alarm.js').then((m) => m.ALARM_MS)")) as number;
      await page.clock.runFor(limit - 10_000);
      expect(await td.getAttribute('data-alarm')).toBe('');
      await page.clock.runFor(20_000);
      expect(await td.getAttribute('data-alarm')).toBeNull();
      expect(await td.getAttribute('data-level')).toBe('critical');
      expect((await cellAnimations()).filter((a) => !a.endsWith('pulse'))).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it('wallboard - what still flashes (an unacknowledged critical alert) flashes a layer by opacity; a critical panel badge is steady', async () => {
    const alert = { id: 'case-1', kind: 'case', complaintType: 'insurance_dispute', scope: 'BJ-HD', level: 'critical', status: 'open', openedAt: '2025-03-14T09:12:00+08:00', ticketId: 'T-1001', history: [] };
    const page = await opened('/', undefined, { ...makeSnapshot(), alerts: [alert] });
    try {
      const css = (selector: string) => page.locator(selector).first().evaluate((e) => [getComputedStyle(e).animationName, getComputedStyle(e, '::after').animationName]);
      expect(await css('#alerts li[data-flash="on"]')).toEqual(['none', 'alarm']);
      expect(await css('.panel[data-level="critical"] .level-pill')).toEqual(['none', 'none']);
    } finally {
      await page.context().close();
    }
  });
});
