// The wall-board at the sizes wall screens have, with the figures a large bank has (audit I):
// nothing in a headline tile may cross the tile's border, at 1366×768, 1920×1080 and 3840×2160,
// in both languages, with three- and four-digit figures and the longest freshness words; a
// screen stood on its side (1080×1920) gets a layout of its own, words no smaller than 14 px.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, saveScreenshot } from '../helpers/browser.ts';
import { fakeBoard } from './fake-board.ts';
import { bankSnapshot } from './wallboard-bank.ts';

const stage = fakeBoard(bankSnapshot);

/** the server's headline with figures of `digits` digits */
function headline(digits: 3 | 4) {
  const n = (k: number) => (digits === 4 ? 1000 + k * 111 : 100 + k * 11);
  return {
    type: 'headline', asOf: new Date().toISOString(), watch: 0.8,
    now: { rate: 0.8765, firstContact: n(9) * 10, unresolved: n(8), allowanceToDate: n(7) + 0.4, annualAllowance: n(9), ratio: 1.2345, levels: { ok: 10, watch: n(5), breach: n(3), critical: n(4) } },
    lastWeek: { rate: 0.7, firstContact: n(2), unresolved: n(1), allowanceToDate: n(1), annualAllowance: n(9), ratio: 0.5, levels: { ok: 10, watch: 1, breach: 1, critical: 1 } },
    alerts: { open: n(6), openCases: n(2), unacknowledged: n(5), byLevel: { critical: n(4), breach: n(3), watch: n(1) }, openedThisWeek: n(8), openedLastWeek: 1 },
  };
}

/** every tile's descendants that cross its border, and the texts cut short (…) */
const tileFaults = (page: Page) => page.evaluate(() => {
  const out: { crossing: string[]; cut: string[]; tiles: number } = { crossing: [], cut: [], tiles: 0 };
  for (const tile of document.querySelectorAll<HTMLElement>('#headline .tile')) {
    out.tiles++;
    const box = tile.getBoundingClientRect();
    for (const e of tile.querySelectorAll<HTMLElement>('*')) {
      const r = e.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const what = `${tile.dataset.tile} .${e.className} "${e.textContent}"`;
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) out.crossing.push(what);
      if ((e.children.length === 0 || getComputedStyle(e).overflowX !== 'visible') && e.scrollWidth > e.clientWidth + 1) out.cut.push(what);
    }
  }
  return out;
});

describe('wall-board sizes', () => {
  const sizes = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }, { width: 3840, height: 2160 }];
  for (const lang of ['zh', 'en'] as const) {
    it(`wallboard - nothing in a headline tile crosses its border at 1366, 1920 and 3840 wide with 3- and 4-digit figures, no legend word is cut (${lang})`, async () => {
      for (const viewport of sizes) {
        stage.server.setSnapshot(() => bankSnapshot()); // stamped as the page attaches, as the real hub does
        const { page, errors } = await openPage(stage.browser, `${stage.server.url}/${lang === 'en' ? '?lang=en' : ''}`, viewport);
        try {
          await page.waitForFunction('window.__wallboard && window.__wallboard.shownSeq !== null', undefined, { timeout: 15_000 });
          for (const digits of [3, 4] as const) {
            const seq = stage.server.send(headline(digits));
            // and the longest freshness words: this screen minutes behind its frames
            stage.server.send({ type: 'heartbeat', asOf: new Date(Date.now() - 110_000).toISOString(), heartbeatMs: 5000, pipeline: { consuming: true, nats: 'connected', pending: 0, lagMs: 0 } });
            await page.waitForFunction(`window.__wallboard.shownSeq >= ${seq + 1}`, undefined, { timeout: 5_000 });
            await page.waitForFunction(() => /画面滞后 1\d\d s|display 1\d\d s behind/.test(document.querySelector('#headline .tile .fresh')?.textContent ?? ''), undefined, { timeout: 5_000 });
            const faults = await tileFaults(page);
            expect({ viewport, digits, ...faults }).toEqual({ viewport, digits, crossing: [], cut: [], tiles: 4 });
            if (digits === 4 && viewport.width === 1920) await saveScreenshot(page, `wallboard-tiles-${lang}-1920`);
          }
          // four chart panels side by side: their legends' words are whole (they ended in …)
          const legendsCut = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.panel:not([hidden]) .legend .key')].filter((k) => k.scrollWidth > k.clientWidth + 1).map((k) => k.textContent));
          expect({ viewport, legendsCut }).toEqual({ viewport, legendsCut: [] });
          expect(errors).toEqual([]);
        } finally {
          await page.context().close();
        }
      }
    });
  }

  it('wallboard - a portrait 1080×1920 screen stacks the sections at its own width: nothing on the tiles or the grid below 14 px', async () => {
    for (const viewport of [{ width: 1080, height: 1920 }, { width: 2160, height: 3840 }]) {
      stage.server.setSnapshot(bankSnapshot());
      const { page, errors } = await openPage(stage.browser, `${stage.server.url}/`, viewport);
      try {
        await page.waitForFunction('window.__wallboard && window.__wallboard.shownSeq !== null', undefined, { timeout: 15_000 });
        await page.waitForSelector('#grid td.cell', { timeout: 5_000 });
        await page.waitForTimeout(500); // the columns that fit, then the rows (a frame later)
        const scale = viewport.width / 1080;
        const view = await page.evaluate(() => {
          const box = (id: string) => document.getElementById(id)!.getBoundingClientRect();
          // the smallest text a viewer sees on the tiles and the grid, in screen pixels
          const smallest = (root: string) => {
            let min = Infinity, what = '';
            for (const e of document.querySelectorAll<HTMLElement>(`${root} *`)) {
              const r = e.getBoundingClientRect();
              const own = [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim());
              if (!own || r.width === 0 || r.height === 0) continue;
              const px = parseFloat(getComputedStyle(e).fontSize) * ((e as HTMLElement & { currentCSSZoom?: number }).currentCSSZoom ?? 1);
              if (px < min) [min, what] = [px, `${e.className} "${e.textContent}"`];
            }
            return { px: Math.round(min * 10) / 10, what };
          };
          const [h, p, g, t] = ['headline', 'panels', 'grid-wrap', 'ticker'].map(box);
          return {
            portrait: document.documentElement.classList.contains('portrait'),
            stacked: h!.bottom <= p!.top && p!.bottom <= g!.top && g!.bottom <= t!.top && t!.bottom <= innerHeight + 0.5,
            gridWidth: Math.round(g!.width / innerWidth * 100),
            overflow: [document.documentElement.scrollWidth - innerWidth, document.documentElement.scrollHeight - innerHeight],
            tiles: smallest('#headline'),
            grid: smallest('#grid'),
          };
        });
        expect({ viewport, portrait: view.portrait, stacked: view.stacked, overflow: view.overflow }).toEqual({ viewport, portrait: true, stacked: true, overflow: [0, 0] });
        expect(view.gridWidth).toBeGreaterThan(90); // the grid has the screen's width
        expect(view.tiles.px, view.tiles.what).toBeGreaterThanOrEqual(14 * scale);
        expect(view.grid.px, view.grid.what).toBeGreaterThanOrEqual(14 * scale);
        if (scale === 1) await saveScreenshot(page, 'wallboard-portrait');
        expect(errors).toEqual([]);
      } finally {
        await page.context().close();
      }
    }
  });
});
