// The wall-board at a bank's pace (audit I): a bank-sized plan gets 150–200 counter frames a
// second per screen, and a page that cannot work through them falls minutes behind while it says
// "live". Here the page must keep up with 200 frames a second with a bounded number of layouts
// per redraw, and a page whose frames come late must say how far behind it is.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, saveScreenshot } from '../helpers/browser.ts';
import { fakeBoard } from './fake-board.ts';
import { BANK_TYPES, LEAVES, bankRow, bankSnapshot, pathOf } from './wallboard-bank.ts';

const stage = fakeBoard(bankSnapshot);

const board = <T>(page: Page, fn: string): Promise<T> => page.evaluate(`(() => { const w = window.__wallboard; return ${fn}; })()`) as Promise<T>;

async function openBank(): Promise<{ page: Page; errors: string[] }> {
  stage.server.setSnapshot(() => bankSnapshot()); // stamped as the page attaches, as the real hub does
  const opened = await openPage(stage.browser, `${stage.server.url}/`);
  await opened.page.waitForFunction('window.__wallboard && window.__wallboard.connected && window.__wallboard.shownSeq !== null', undefined, { timeout: 15_000 });
  return opened;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('wall-board page - a bank\'s pace', () => {
  it('wallboard - keeps up with 200 counter frames a second on a bank-sized plan: the last is on screen within a second, few layouts', async () => {
    const { page, errors } = await openBank();
    try {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
      const before = { m: await metrics(), redraws: await board<number>(page, 'w.redraws'), seq: stage.server.seq };
      // as the hub sends them: a flush every 250 ms of one frame per changed cell, ~50 a flush
      // (a dozen events, four cells each), a heartbeat stamped with the server's time each second
      const last = new Map<string, number>();
      let n = 0;
      const seconds = 6;
      for (let flush = 0; flush < seconds * 4; flush++) {
        const t0 = Date.now();
        const asOf = new Date().toISOString();
        for (let e = 0; e < 12; e++, n++) {
          const type = BANK_TYPES[n % BANK_TYPES.length]!.code;
          for (const scope of pathOf(LEAVES[(n * 7) % LEAVES.length]!)) {
            const u = (last.get(`${type}|${scope}`) ?? 0) + 1;
            last.set(`${type}|${scope}`, u);
            stage.server.send({ type: 'counter', asOf, ...bankRow(type, scope, 100 + u) });
          }
        }
        stage.server.send({ type: 'counter', asOf, ...bankRow('t00', 'ALL', 100 + flush) }); // the last word on this cell
        if (flush % 4 === 3) stage.server.send({ type: 'heartbeat', asOf: new Date().toISOString(), heartbeatMs: 5000, pipeline: { consuming: true, nats: 'connected', pending: 0, lagMs: 0 } });
        await sleep(Math.max(0, 250 - (Date.now() - t0)));
      }
      const lastSeq = stage.server.seq;
      const sentAt = Date.now();
      await page.waitForFunction(`window.__wallboard.shownSeq === ${lastSeq}`, undefined, { timeout: 30_000, polling: 20 });
      const caughtUpMs = Date.now() - sentAt;
      const after = { m: await metrics(), redraws: await board<number>(page, 'w.redraws') };
      const frames = lastSeq - before.seq;
      const layouts = after.m.LayoutCount! - before.m.LayoutCount!;
      const redraws = after.redraws - before.redraws;
      const taskMsPerFrame = ((after.m.TaskDuration! - before.m.TaskDuration!) * 1000) / frames;
      console.log('pace:', JSON.stringify({ frames, caughtUpMs, redraws, layouts, taskMsPerFrame: +taskMsPerFrame.toFixed(2), measures: await board(page, 'w.measures') }));
      expect(frames / seconds).toBeGreaterThanOrEqual(190); // what was sent: 48 to 50 frames a flush
      // how soon it caught up is timing (logged above; measured in bench/, not asserted here): what
      // is asserted is the work per frame, which a page that keeps up at any speed must bound
      // the browser lays the page out once per redraw, at most: never per message
      expect(redraws).toBeGreaterThan(0);
      expect(layouts).toBeLessThanOrEqual(2 * redraws + 5);
      expect(layouts / frames).toBeLessThan(0.25);
      // the last frame's figures are what the page shows: the bank-wide cell of the first type
      const want = bankRow('t00', 'ALL', 100 + seconds * 4 - 1);
      expect(await page.locator('.panel[data-type="t00"] .ytd-unresolved').innerText()).toBe(String(want.unresolvedCustomers));
      expect(await page.locator('td.cell[data-type="t00"][data-scope="ALL"] .unresolved').innerText()).toBe(String(want.unresolvedCustomers));
      await saveScreenshot(page, 'wallboard-bank-pace');
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it('wallboard - a page whose frames come late says how far behind it is, on the pill and every tile, until it catches up; minutes behind, it takes a fresh snapshot', async () => {
    const { page, errors } = await openBank();
    try {
      const beat = (sentMs: number) => stage.server.send({ type: 'heartbeat', asOf: new Date(sentMs).toISOString(), heartbeatMs: 5000, pipeline: { consuming: true, nats: 'connected', pending: 0, lagMs: 0 } });
      // the server sent this heartbeat 30 s ago: it waited that long in the screen's backlog
      beat(Date.now() - 30_000);
      await page.waitForFunction(() => document.getElementById('conn')!.dataset.status === 'behind', undefined, { timeout: 5_000 });
      const view = await page.evaluate(() => ({
        pill: document.getElementById('conn')!.textContent,
        fresh: [...document.querySelectorAll('.fresh')].map((e) => e.textContent ?? ''),
        stale: document.body.classList.contains('stale'),
      }));
      // 30 s, give or take what the page learnt of the clocks' offset from frames that came late
      // themselves on a loaded machine (the offset is the least delay it has seen)
      expect(view.pill).toMatch(/^⚠ 画面滞后 \d+ s$/);
      expect(Number(/(\d+) s$/.exec(view.pill ?? '')?.[1])).toBeGreaterThanOrEqual(20);
      expect(Number(/(\d+) s$/.exec(view.pill ?? '')?.[1])).toBeLessThanOrEqual(40);
      expect(view.fresh.length).toBeGreaterThan(8);
      for (const f of view.fresh) expect(f).toMatch(/ · 画面滞后 \d+ s$/);
      expect(view.stale).toBe(false); // seconds behind: said, not greyed
      await saveScreenshot(page, 'wallboard-behind');

      // a change made just now reaches the page at once: it has caught up
      const seq = stage.server.send({ type: 'counter', asOf: new Date().toISOString(), ...bankRow('t01', 'ALL', 50) });
      await page.waitForFunction(`window.__wallboard.shownSeq === ${seq}`, undefined, { timeout: 5_000 });
      await page.waitForFunction(() => document.getElementById('conn')!.dataset.status === 'live', undefined, { timeout: 3_000 });
      expect(await page.locator('#conn').innerText()).toBe('● 实时');
      expect(await page.locator('#grid-fresh').innerText()).toMatch(/ · 延迟 0 s$/);

      // three minutes behind, as far as a stalled pipeline: what waits in the link is older than
      // a fresh picture, so the page asks for a snapshot instead of working through it
      const connections = stage.server.connections;
      beat(Date.now() - 180_000);
      await stage.server.waitForConnections(connections + 1, 10_000);
      await page.waitForFunction("window.__wallboard.connected && document.getElementById('conn').dataset.status === 'live'", undefined, { timeout: 10_000 });
      expect(await page.locator('#conn-banner').isHidden()).toBe(true);
      expect(await page.evaluate(() => document.body.classList.contains('stale'))).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
