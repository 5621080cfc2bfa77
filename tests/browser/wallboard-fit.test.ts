// The wall-board late in a bad year at a large bank (audit AB F2, F4, F5): 5- and 6-digit counts
// against 4- and 5-digit allowances. Every figure stays inside its cell, panel or tile, whole (no
// digit cut, no "…"), and no cell's figures run over another's; a portrait kiosk's curves page
// gives its charts the screen's height.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { CounterRow } from '../../pipelines/model.ts';
import { openPage, saveScreenshot } from '../helpers/browser.ts';
import type { SnapshotBody } from '../helpers/fake-wallboard-server.ts';
import { fakeBoard } from './fake-board.ts';
import { bankSnapshot } from './wallboard-bank.ts';
import { makeSnapshot } from './wallboard-fixture.ts';

const stage = fakeBoard(makeSnapshot);

/** the counters grown to `digits`-digit customers against allowances a tenth of that, all levels */
function grown(snap: SnapshotBody, digits: 5 | 6): SnapshotBody {
  const base = 10 ** (digits - 1);
  const counters = snap.counters.map((r, i): CounterRow => {
    const unresolved = base + ((i * 7919) % (base * 8));
    const toDate = unresolved / (0.6 + (i % 5) * 0.25) + 0.1;
    const annual = toDate * (i % 3 === 0 ? 0.9 : 3) + 0.1;
    const ratio = unresolved / toDate;
    const level = unresolved > annual ? 'critical' : unresolved > toDate ? 'breach' : ratio >= 0.8 ? 'watch' : 'ok';
    return { ...r, unresolvedCustomers: unresolved, firstContactCustomers: unresolved * 3, oneTimeResolutionRate: 2 / 3, allowanceToDate: toDate, annualAllowance: annual, ratio, level };
  });
  return { ...snap, counters };
}

/** the server's headline with 5-digit counts, and the strict type's 5-digit open cases */
const headline = (strictType: string) => ({
  type: 'headline', asOf: new Date().toISOString(), watch: 0.8,
  now: { rate: 0.6667, firstContact: 369012, unresolved: 123004, allowanceToDate: 98765.4, annualAllowance: 234567.8, ratio: 1.2454, levels: { ok: 1, watch: 2, breach: 3, critical: 12 } },
  lastWeek: null,
  alerts: { open: 51234, openCases: 15226, unacknowledged: 15226, byLevel: { critical: 12345, breach: 23456, watch: 34567 }, openedThisWeek: 1234, openedLastWeek: 999, openCasesByType: { [strictType]: 15226 } },
});

/** what crosses its box: a cell's figure lines, a panel's stats, a tile's level counts; figures cut */
const faults = (page: Page) => page.evaluate(() => {
  const out = { outOfCell: [] as string[], overlaps: [] as string[], outOfPanel: [] as string[], cut: [] as string[], cells: 0 };
  const outside = (r: DOMRect, b: DOMRect) => r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5;
  const figs: Array<{ r: DOMRect; td: Element; what: string }> = [];
  for (const td of document.querySelectorAll<HTMLElement>('#grid td.cell[data-scope]:not([data-scope="__others"])')) {
    const box = td.getBoundingClientRect();
    if (box.width === 0) continue; // a column or row not shown
    out.cells++;
    // each piece of text the cell shows (the figures, the separator, the ratio, the level)
    for (const fig of td.querySelectorAll<HTMLElement>('.nums span:not(:has(span)), .meta span:not(:has(span))')) {
      const r = fig.getBoundingClientRect();
      if (r.width === 0) continue;
      const what = `${td.dataset.type}/${td.dataset.scope} .${fig.className} "${fig.textContent}" ${Math.round(r.right - box.right)} px past`;
      if (outside(r, box)) out.outOfCell.push(what);
      figs.push({ r, td, what });
    }
  }
  for (const a of figs) {
    for (const b of figs) {
      if (a.td === b.td || a.what >= b.what) continue;
      if (a.r.left < b.r.right && b.r.left < a.r.right && a.r.top < b.r.bottom && b.r.top < a.r.bottom) out.overlaps.push(`${a.what} × ${b.what}`);
    }
  }
  for (const panel of document.querySelectorAll<HTMLElement>('.panel:not([hidden])')) {
    const box = panel.getBoundingClientRect();
    for (const e of panel.querySelectorAll<HTMLElement>('.panel-head *, .stats *')) {
      if (outside(e.getBoundingClientRect(), box)) out.outOfPanel.push(`${panel.dataset.type} .${e.className} "${e.textContent}"`);
    }
  }
  // a figure clipped to "…" stays inside its box, so the crossings above miss it: a figure's box
  // that clips and holds more than it shows is a cut
  for (const v of document.querySelectorAll<HTMLElement>('#headline .tile .value, #headline .tile .value *, #grid td.cell .nums *, #grid td.cell .meta *, .panel:not([hidden]) .stats *')) {
    const style = getComputedStyle(v);
    if (style.overflowX === 'visible' || v.clientWidth === 0) continue;
    if (v.scrollWidth > v.clientWidth + 1) out.cut.push(`${v.closest<HTMLElement>('.tile, td.cell, .panel')?.dataset.tile ?? v.className} "${v.textContent}" ${style.textOverflow}`);
  }
  return out;
});

async function onBoard(snap: SnapshotBody, url: string, viewport: { width: number; height: number }, check: (page: Page) => Promise<void>) {
  stage.server.setSnapshot(snap);
  const { page, errors } = await openPage(stage.browser, `${stage.server.url}${url}`, viewport);
  try {
    await page.waitForFunction('window.__wallboard && window.__wallboard.shownSeq !== null', undefined, { timeout: 15_000 });
    await check(page);
    expect(errors).toEqual([]);
  } finally {
    await page.context().close();
  }
}

/** waits until the grid's arrangement and the fitting have settled (two frames without a change) */
const settled = (page: Page) => page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(() => done())))));

describe('wall-board - figures of a large bank late in the year', () => {
  for (const viewport of [{ width: 1920, height: 1080 }, { width: 1366, height: 768 }]) {
    for (const lang of ['zh', 'en'] as const) {
      it(`wallboard - 5- and 6-digit figures stay whole inside their cells, panels and tiles at ${viewport.width}×${viewport.height} (${lang})`, async () => {
        for (const digits of [5, 6] as const) {
          const snap = grown(makeSnapshot(), digits);
          await onBoard(snap, lang === 'en' ? '/?lang=en' : '/', viewport, async (page) => {
            const seq = stage.server.send(headline('insurance_dispute'));
            await page.waitForFunction(`window.__wallboard.shownSeq >= ${seq}`, undefined, { timeout: 5_000 });
            await settled(page);
            const f = await faults(page);
            expect({ digits, ...f }).toEqual({ digits, outOfCell: [], overlaps: [], outOfPanel: [], cut: [], cells: 18 });
            // whole figures: the count as it is, the allowance without its decimal from 1000 on
            const row = snap.counters.find((r) => r.complaintType === 'mortgage_prepayment' && r.scope === 'ALL')!;
            const td = page.locator('td.cell[data-type="mortgage_prepayment"][data-scope="ALL"]');
            expect(await td.locator('.unresolved').innerText()).toBe(String(row.unresolvedCustomers));
            expect(await td.locator('.allowance').innerText()).toBe(String(Math.round(row.allowanceToDate)));
            expect(await page.locator('.panel.strict .open-cases').innerText()).toBe('15226');
            expect(await page.locator('#headline .tile[data-tile="levels"] .value').innerText()).toMatch(/12345.*23456.*34567/s);
            if (viewport.width === 1920 && lang === 'zh') await saveScreenshot(page, `wallboard-fit-${digits}-digits`);
          });
        }
      });
    }
  }

  it('wallboard - a bank of 60 branches (150 px cells) with 6-digit counts: no figure leaves its cell', async () => {
    await onBoard(grown(bankSnapshot(), 6), '/', { width: 1920, height: 1080 }, async (page) => {
      await page.waitForSelector('#grid th[data-scope="__others"]:not([hidden])', { timeout: 5_000 });
      await settled(page);
      const f = await faults(page);
      expect(f.cells).toBeGreaterThan(20);
      expect({ outOfCell: f.outOfCell, overlaps: f.overlaps }).toEqual({ outOfCell: [], overlaps: [] });
      await saveScreenshot(page, 'wallboard-fit-bank-6-digits');
    });
  });

  // kiosk type is larger while the tiles are not wider, and a tile's gaps and level labels do not
  // scale with its figure: the 关注 count was cut to "345…" there (verify AD N2)
  for (const viewport of [{ width: 1920, height: 1080 }, { width: 1080, height: 1920 }, { width: 3840, height: 2160 }]) {
    it(`wallboard - kiosk pages at ${viewport.width}×${viewport.height}: 5-digit level counts and figures whole on both pages`, async () => {
      await onBoard(grown(makeSnapshot(), 5), '/?kiosk&rotate=3600', viewport, async (page) => {
        const seq = stage.server.send(headline('insurance_dispute'));
        await page.waitForFunction(`window.__wallboard.shownSeq >= ${seq}`, undefined, { timeout: 5_000 });
        for (const shown of ['charts', 'grid']) {
          // the rotation's own step (kiosk.js), without waiting an hour for it
          await page.evaluate((p) => {
            document.body.dataset.page = p;
            window.dispatchEvent(new Event('resize'));
          }, shown);
          await settled(page);
          const f = await faults(page);
          expect({ shown, outOfCell: f.outOfCell, overlaps: f.overlaps, outOfPanel: f.outOfPanel, cut: f.cut }).toEqual({ shown, outOfCell: [], overlaps: [], outOfPanel: [], cut: [] });
          expect(await page.locator('#headline .tile[data-tile="levels"] .value').innerText()).toMatch(/12345.*23456.*34567/s);
          if (viewport.width === 1920) await saveScreenshot(page, `wallboard-fit-kiosk-${shown}`);
        }
      });
    });
  }

  it('wallboard - a portrait kiosk (1080×1920) gives the curves page the screen: charts share its height, no figure past a panel', async () => {
    await onBoard(grown(makeSnapshot(), 5), '/?kiosk&rotate=3600', { width: 1080, height: 1920 }, async (page) => {
      await page.waitForSelector('.panel .chart canvas', { timeout: 5_000 });
      await settled(page);
      const view = await page.evaluate(() => {
        const charts = [...document.querySelectorAll<HTMLElement>('.panel:not([hidden]) .chart')].map((c) => Math.round(c.getBoundingClientRect().height));
        const host = document.getElementById('panels')!.getBoundingClientRect();
        const area = [...document.querySelectorAll<HTMLElement>('.panel:not([hidden])')].reduce((n, p) => n + p.offsetWidth * p.offsetHeight, 0);
        return { page: document.body.dataset.page, charts, panelsBottom: Math.round(host.bottom), covered: area / (host.width * host.height), height: innerHeight };
      });
      expect(view.page).toBe('charts');
      expect(view.charts.length).toBe(3);
      // the panels fill the screen below the tiles, each chart a good part of it (they were 40–60 px)
      expect(view.panelsBottom).toBeGreaterThan(view.height * 0.9);
      expect(view.covered).toBeGreaterThan(0.8);
      for (const h of view.charts) expect(h).toBeGreaterThan(view.height * 0.15);
      const f = await faults(page);
      expect({ outOfPanel: f.outOfPanel, cut: f.cut }).toEqual({ outOfPanel: [], cut: [] });
      await saveScreenshot(page, 'wallboard-fit-portrait-kiosk');
    });
  });
});
